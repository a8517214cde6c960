"""Fixtures for the tests that need more than one database cursor, a database of
their own or a browser. Run by `make test` through pytest-odoo."""

import os
import subprocess

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
