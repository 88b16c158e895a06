"""What the Python binding's test files (tests/python/test_*.py) share: the backend under test,
a scratch database per test class (tests/scratch_db.py), DatabaseCase, and the runner.

Each test file runs by itself (CTest runs each once per backend: tests/python/CMakeLists.txt):

    CRM_TEST_BACKEND  sqlite (default) or postgresql
    CRM_TEST_PG_URL   postgresql only: a role that may CREATE DATABASE; each test class gets a
                      database of its own, dropped afterwards. Without it a PostgreSQL run FAILS.
    CRM_LIBRARY       the libcrm.so under test; PYTHONPATH names bindings/python
    CRM_HEADER        capi/crm.h, which the binding's ctypes table must match (default: found
                      relative to this file)
    CRM_PROJECT_VERSION  the CMake project version, which crm.__version__ must equal

By hand: CRM_LIBRARY=build/libcrm.so PYTHONPATH=bindings/python python3 tests/python/test_leads.py [-k name]
The exit status is non-zero when a test fails, when none ran, and when any was skipped.
"""

from __future__ import annotations

import os
import sys
import unittest
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: scratch_db
import scratch_db  # noqa: E402

import crm  # noqa: E402

BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
SECRET = "test-secret-" + "x" * 32
PASSWORD = "correct horse battery"
FAST_HASHING = {"password_opslimit": 1, "password_memlimit": 8192}  # libsodium's minimum: fast tests


def setUpModule() -> None:
    if BACKEND not in scratch_db.BACKENDS:
        raise RuntimeError(f"CRM_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")
    if BACKEND == "postgresql":
        scratch_db.pg_url()  # fails, saying why, without CRM_TEST_PG_URL


# ---- Scratch databases --------------------------------------------------------------------------


class ScratchDatabase(scratch_db.ScratchDatabase):
    """A new, empty database on the backend under test, removed by drop()."""

    def __init__(self) -> None:
        super().__init__(BACKEND, "crm_py")


def open_database(url: str, **options) -> crm.Database:
    settings = {"jwt_secret": SECRET, "pool_size": 4, **FAST_HASHING}
    settings.update(options)
    return crm.Database.open(url, **settings)


class DatabaseCase(unittest.TestCase):
    """A migrated database of its own for each test class, and helpers to make actors."""

    db: crm.Database
    system: crm.Principal
    pool_size = 4

    @classmethod
    def setUpClass(cls) -> None:
        cls.scratch = ScratchDatabase()
        try:
            cls.db = open_database(cls.scratch.url, pool_size=cls.pool_size)
            cls.db.migrate()
        except BaseException:
            cls.scratch.drop()
            raise
        cls.system = crm.Principal.system()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.db.close()
        cls.scratch.drop()

    @staticmethod
    def unique(prefix: str = "t") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def email(self) -> str:
        return self.unique("user") + "@example.com"

    def actor(self, role: crm.Role = crm.Role.SALES, **create) -> tuple[crm.User, crm.Principal]:
        """A new user with `role`, logged in: (user, principal)."""
        email = self.email()
        user = self.db.create_user(self.system, email, PASSWORD, role=role, **create)
        login = self.db.login(email, PASSWORD)
        return user, self.db.authenticate(login.access_token)

    def assertInvalid(self, field: str, call, *args, **kwargs) -> crm.ValidationError:
        with self.assertRaises(crm.ValidationError) as caught:
            call(*args, **kwargs)
        error = caught.exception
        self.assertIsInstance(error, ValueError)
        self.assertEqual(error.code, crm.Status.EINVALID)
        self.assertIn(field, [f for f, _ in error.errors], f"{error!r} should name {field}")
        self.assertTrue(error.message)
        return error


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# ---- Runner --------------------------------------------------------------------------------------


def main(module: str) -> int:
    """Runs the tests of `module` (a test file's __name__); its exit status."""
    print(f"crm {crm.__version__} from {Path(crm.__file__).parent}; libcrm {crm.library_version()} at "
          f"{crm.library_path}; backend {BACKEND}; Python {sys.version.split()[0]}", flush=True)
    program = unittest.main(module=module, exit=False, verbosity=2)
    result = program.result
    if result.testsRun == 0:
        print("FAILED: no test ran", file=sys.stderr)
        return 1
    if result.skipped:
        print(f"FAILED: {len(result.skipped)} test(s) skipped; this suite never skips (a PostgreSQL run "
              "without CRM_TEST_PG_URL must fail)", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1
