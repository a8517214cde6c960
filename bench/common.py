"""Shared by the benchmark scripts: open an Odoo registry on a database."""

import argparse
import contextlib

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
