"""Shared by the benchmark scripts: open an Odoo registry on a database."""

import argparse
import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True, help="benchmark database")
    if extra:
        extra(parser)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    return args


@contextlib.contextmanager
def environment(database, uid=SUPERUSER_ID):
    """An environment on ``database``; commits when the block ends normally."""
    registry = Registry(database)
    with registry.cursor() as cr:
        yield api.Environment(cr, uid, {})


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_server(database, workers):
    """Odoo serving ``database`` on loopback with ``workers`` prefork workers and
    no cron; yields its base URL once it answers, stops it after."""
    port = free_port()
    # Odoo's own launcher: with workers, Odoo starts its gevent process as
    # ``python <sys.argv[0]> gevent``, which ``python -m odoo`` cannot be.
    launcher = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    command = (
        [sys.executable, str(launcher)]
        if launcher.is_file()
        else [
            sys.executable,
            "-m",
            "odoo",
        ]
    )
    server = subprocess.Popen(
        [
            *command,
            "server",
            "-c",
            config.rcfile,
            "-d",
            database,
            f"--db-filter=^{database}$",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/web/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("Odoo did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def percentile(values, share):
    """``share`` (0 to 1) of the sorted ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]
