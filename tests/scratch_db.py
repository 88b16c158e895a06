"""Scratch databases for the Python test suites (tests/python, tests/crmctl): the one place that
makes a new, empty database on SQLite or PostgreSQL and drops it afterwards. Standard library only.
(The C tests get theirs from tests/capi/with-scratch-db.sh.)

    sqlite      a file, crm.db, in a new temporary folder (the folder is the test's to use too)
    postgresql  CREATE DATABASE on the server at CRM_TEST_PG_URL (a role that may create
                databases; scripts/with-postgres.sh provides one). Without CRM_TEST_PG_URL this
                FAILS: a PostgreSQL run never silently skips.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import urllib.parse

BACKENDS = ("sqlite", "postgresql")


def pg_url() -> str:
    """CRM_TEST_PG_URL, or a RuntimeError saying how to get it (and psql, which uses it)."""
    url = os.environ.get("CRM_TEST_PG_URL")
    if not url:
        raise RuntimeError("CRM_TEST_PG_URL is not set: run the PostgreSQL tests through scripts/with-postgres.sh")
    if not shutil.which("psql"):
        raise RuntimeError("psql not found (bash scripts/install-deps.sh): it creates and drops the test databases")
    return url


def psql(url: str, sql: str) -> str:
    """Runs `sql` with psql on the database at `url`; its rows, unaligned, one a line."""
    # psql is not ours: keep the sanitizer runtimes preloaded for libcrm away from it.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"psql {sql[:200]!r} failed: {done.stderr.strip()}")
    return done.stdout


def with_database(url: str, name: str) -> str:
    """`url` (postgresql://...) naming database `name` instead."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))


class ScratchDatabase:
    """A new, empty database on `backend` (``url``) and a temporary folder (``dir``), both removed
    by drop(). `prefix` names both, so that a leftover says which suite made it."""

    def __init__(self, backend: str, prefix: str = "crm_test") -> None:
        if backend not in BACKENDS:
            raise RuntimeError(f"CRM_TEST_BACKEND must be sqlite or postgresql, not {backend!r}")
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix=prefix + "-")
        self.name: str | None = None
        if backend == "sqlite":
            self.url = f"sqlite:{self.dir}/crm.db"
            return
        try:
            self.base = pg_url()
            self.name = prefix + "_" + secrets.token_hex(6)
            psql(self.base, f"CREATE DATABASE {self.name}")
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.url = with_database(self.base, self.name)

    def path(self, name: str) -> str:
        """A file `name` in the scratch folder."""
        return os.path.join(self.dir, name)

    def drop(self) -> None:
        if self.name:
            psql(self.base, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)
