"""Fixtures for the tests that need more than one database cursor, a database of
their own or a browser. Run by `make test` through pytest-odoo."""

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest

import odoo
from odoo.tools import config


@pytest.fixture(scope="session")
def odoo_command():
    """The command line that runs Odoo on the test configuration."""
    python = os.environ.get("SC_ODOO_PYTHON")
    conf = os.environ.get("SC_ODOO_CONF")
    if not (python and conf):
        pytest.fail(
            "run through `make test`: SC_ODOO_PYTHON and SC_ODOO_CONF are unset"
        )
    # Odoo's own launcher: with workers, Odoo starts its gevent process as
    # ``python <sys.argv[0]> gevent``, which ``python -m odoo`` cannot be.
    launcher = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    if launcher.is_file():
        return [python, str(launcher)], conf
    return [python, "-m", "odoo"], conf


def connect(dbname):
    """A plain psycopg2 connection to ``dbname`` on the test server."""
    return psycopg2.connect(
        dbname=dbname,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
        password=config["db_password"] or None,
    )


@pytest.fixture
def database_copy():
    """A copy of the test database, dropped afterwards."""
    source = config["db_name"]
    if isinstance(source, list):
        source = source[0]
    name = f"{source}_copy_{os.getpid()}"
    # CREATE DATABASE ... TEMPLATE needs the source without other connections.
    odoo.sql_db.close_db(source)
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield name
    finally:
        odoo.sql_db.close_db(name)
        with admin.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run_odoo_shell(odoo_command, dbname, code):
    """Run ``code`` in `odoo shell` on ``dbname``; return its output."""
    command, conf = odoo_command
    result = subprocess.run(
        [*command, "shell", "-c", conf, "-d", dbname, "--no-http", "--log-level=warn"],
        input=code,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextlib.contextmanager
def serve(odoo_command, dbname, log_path, workers=0):
    """Odoo serving ``dbname`` on loopback (real cursors, committed data, as in
    production); yields its base URL once it answers, stops it after."""
    command, conf = odoo_command
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                *command,
                "server",
                "-c",
                conf,
                "-d",
                dbname,
                f"--db-filter=^{dbname}$",
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                f"--workers={workers}",
                "--max-cron-threads=0",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{url}/web/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("Odoo did not start")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
