#!/usr/bin/env python3
"""Tests of the Python binding (bindings/python) over libcrm's C ABI. Standard library only.

Run by CTest once per backend (tests/python/CMakeLists.txt):

    CRM_TEST_BACKEND  sqlite (default) or postgresql
    CRM_TEST_PG_URL   postgresql only: a role that may CREATE DATABASE; each test class gets a
                      database of its own, dropped afterwards. Without it a PostgreSQL run FAILS.
    CRM_LIBRARY       the libcrm.so under test; PYTHONPATH names bindings/python
    CRM_HEADER        capi/crm.h, which the binding's ctypes table must match (default: found
                      relative to this file)
    CRM_PROJECT_VERSION  the CMake project version, which crm.__version__ must equal

By hand: CRM_LIBRARY=build/libcrm.so PYTHONPATH=bindings/python python3 tests/python/test_crm.py [-k name]
The exit status is non-zero when a test fails, when none ran, and when any was skipped.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import math
import os
import pickle
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import crm
from crm import _ffi
from crm._ffi import lib

BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
SECRET = "test-secret-" + "x" * 32
PASSWORD = "correct horse battery"
FAST_HASHING = {"password_opslimit": 1, "password_memlimit": 8192}  # libsodium's minimum: fast tests


def setUpModule() -> None:
    if BACKEND not in ("sqlite", "postgresql"):
        raise RuntimeError(f"CRM_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")
    if BACKEND == "postgresql" and not os.environ.get("CRM_TEST_PG_URL"):
        raise RuntimeError("CRM_TEST_PG_URL is not set: run the PostgreSQL tests through scripts/with-postgres.sh")


# ---- Scratch databases --------------------------------------------------------------------------


class ScratchDatabase:
    """A new, empty database on the backend under test, removed by drop()."""

    def __init__(self) -> None:
        if BACKEND == "sqlite":
            self._dir = tempfile.mkdtemp(prefix="crm-py-")
            self.url = f"sqlite:{self._dir}/crm.db"
            return
        base = os.environ.get("CRM_TEST_PG_URL")
        if not base:
            raise RuntimeError("CRM_TEST_PG_URL is not set: run the PostgreSQL tests through scripts/with-postgres.sh")
        if not shutil.which("psql"):
            raise RuntimeError("psql not found (bash scripts/install-deps.sh)")
        self._base = base
        self.name = "crm_py_" + secrets.token_hex(6)
        self._psql(f"CREATE DATABASE {self.name}")
        parts = urllib.parse.urlsplit(base)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))

    def _psql(self, sql: str) -> None:
        # psql is not ours: keep the sanitizer runtimes preloaded for libcrm away from it.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        run = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self._base, "-c", sql],
                             capture_output=True, text=True, timeout=120, env=env)
        if run.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {run.stderr.strip()}")

    def drop(self) -> None:
        if BACKEND == "sqlite":
            shutil.rmtree(self._dir, ignore_errors=True)
        else:
            self._psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


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


# ---- The binding itself (no database) ---------------------------------------------------------


def header_path() -> Path:
    given = os.environ.get("CRM_HEADER")
    return Path(given) if given else Path(__file__).resolve().parents[2] / "capi" / "crm.h"


class CHeader:
    """What the tests need of crm.h: prototypes, enums, handle types, defines, the options struct."""

    def __init__(self, path: Path) -> None:
        text = path.read_text()
        self.defines = dict(re.findall(r"^#define\s+(CRM_\w+)\s+(.+?)\s*$", text, re.M))
        code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        code = re.sub(r"//[^\n]*", " ", code)
        code = re.sub(r"^\s*#.*$", " ", code, flags=re.M)
        flat = re.sub(r"\s+", " ", code)
        self.handles = set(re.findall(r"typedef struct (crm_\w+) \1;", flat))
        self.enums: dict[str, dict[str, int]] = {}
        for body, name in re.findall(r"typedef enum \w+ \{([^}]*)\} (crm_\w+);", flat):
            values, next_value = {}, 0
            for item in filter(None, (i.strip() for i in body.split(","))):
                key, _, value = (part.strip() for part in item.partition("="))
                next_value = int(value) if value else next_value
                values[key] = next_value
                next_value += 1
            self.enums[name] = values
        self.functions: dict[str, tuple[str, list[str]]] = {}
        for ret, name, params in re.findall(r"CRM_API ([\w\s\*]+?) ?\b(crm_\w+) ?\(([^)]*)\) ?;", flat):
            types = [] if params.strip() == "void" else [self._param_type(p) for p in params.split(",")]
            self.functions[name] = (self._norm(ret), types)
        options = re.search(r"typedef struct crm_db_options \{([^}]*)\} crm_db_options;", flat).group(1)
        self.options = [(name, self._norm(ctype)) for ctype, name in
                        re.findall(r"([\w\s\*]+?) ?\b(\w+) ?;", options)]

    @staticmethod
    def _norm(ctype: str) -> str:
        return re.sub(r"\s*\*\s*", "*", ctype.strip()).replace("*", " *").replace("  ", " ").strip()

    def _param_type(self, param: str) -> str:
        param = param.strip()
        ctype = re.sub(r"\b\w+$", "", param) if re.search(r"[\s*]\w+$", param) else param
        return self._norm(ctype)

    def ctypes_of(self, ctype: str, returned: bool = False):
        """The ctypes type the binding must declare for a C type."""
        base = ctype.replace("const ", "").strip()
        stars = base.count("*")
        base = base.replace("*", "").strip()
        scalars = {"int": ctypes.c_int, "unsigned int": ctypes.c_uint, "size_t": ctypes.c_size_t,
                   "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64}
        if base == "void":
            return None if stars == 0 else ctypes.c_void_p
        if base == "char":
            # const char * in and out (copied); char **out: library-allocated, freed with crm_free.
            return ctypes.c_char_p if stars == 1 else ctypes.POINTER(ctypes.c_void_p)
        if base in self.enums:
            target = ctypes.c_int
        elif base in scalars:
            target = scalars[base]
        elif base in self.handles or base in ("crm_db_options", "crm_page_request", "crm_lead_visitor"):
            target = getattr(_ffi, base)
        else:
            raise AssertionError(f"crm.h uses a type the test does not know: {ctype}")
        for _ in range(stars):
            target = ctypes.POINTER(target)
        return target


NOT_STATUS = {"crm_version_number", "crm_db_latest_schema_version", "crm_error_code", "crm_principal_is_system"}


class TestBinding(unittest.TestCase):
    """The package and its ctypes table, checked against crm.h; loading; handles; errors."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.header = CHeader(header_path())

    def test_table_declares_every_function_of_the_header_exactly(self) -> None:
        table = {name: (argtypes, restype, errcheck) for name, argtypes, restype, errcheck in _ffi._TABLE}
        self.assertEqual(len(table), len(_ffi._TABLE), "a function is declared twice")
        self.assertGreater(len(self.header.functions), 100)
        self.assertEqual(sorted(set(self.header.functions) - set(table)), [], "in crm.h, not declared in _ffi")
        self.assertEqual(sorted(set(table) - set(self.header.functions)), [], "declared in _ffi, not in crm.h")
        for name, (ret, params) in self.header.functions.items():
            argtypes, restype, errcheck = table[name]
            with self.subTest(function=name):
                self.assertEqual(argtypes, [self.header.ctypes_of(p) for p in params])
                self.assertEqual(restype, self.header.ctypes_of(ret, returned=True))
                returns_status = ret == "int" and name not in NOT_STATUS
                self.assertIs(errcheck, _ffi.check if returns_status else None)
                # Applied to the loaded library:
                function = getattr(lib, name)
                self.assertEqual(function.argtypes, argtypes)
                self.assertEqual(function.restype, restype)

    def test_options_struct_matches_the_header(self) -> None:
        fields = [(name, ctype) for name, ctype in _ffi.crm_db_options._fields_]
        self.assertEqual([n for n, _ in fields], [n for n, _ in self.header.options])
        for (name, ctype), (_, c_decl) in zip(fields, self.header.options):
            self.assertIs(ctype, self.header.ctypes_of(c_decl), name)
        defaults = _ffi.crm_db_options()
        lib.crm_db_options_init(ctypes.byref(defaults), 2)
        self.assertEqual(defaults.version, int(self.header.defines["CRM_DB_OPTIONS_VERSION"]))
        self.assertEqual(defaults.version, _ffi.CRM_DB_OPTIONS_VERSION)
        self.assertIsNone(defaults.jwt_secret)

    def test_constants_and_enums_match_the_header(self) -> None:
        d = self.header.defines
        self.assertEqual(crm.__version__, "{}.{}.{}".format(d["CRM_VERSION_MAJOR"], d["CRM_VERSION_MINOR"],
                                                            d["CRM_VERSION_PATCH"]))
        self.assertEqual(int(d["CRM_PAGE_DEFAULT_LIMIT"]), _ffi.CRM_PAGE_DEFAULT_LIMIT)
        self.assertEqual(int(d["CRM_PAGE_MAX_LIMIT"]), _ffi.CRM_PAGE_MAX_LIMIT)
        self.assertEqual({k[len("CRM_"):]: v for k, v in self.header.enums["crm_status"].items()},
                         {s.name: s.value for s in crm.Status})
        # The *_INVALID values are what C getters return for NULL; Python never sees them.
        def valid(c_enum: str) -> dict:
            return {k: v for k, v in self.header.enums[c_enum].items() if not k.endswith("_INVALID")}
        self.assertEqual(valid("crm_backend"),
                         {"CRM_BACKEND_SQLITE": _ffi.CRM_BACKEND_SQLITE,
                          "CRM_BACKEND_POSTGRESQL": _ffi.CRM_BACKEND_POSTGRESQL})
        for c_enum, prefix, cls in (("crm_role", "CRM_ROLE_", crm.Role), ("crm_lead_status", "CRM_LEAD_", crm.LeadStatus),
                                    ("crm_activity_type", "CRM_ACTIVITY_", crm.ActivityType),
                                    ("crm_jwt_algorithm", "CRM_JWT_", crm.JwtAlgorithm),
                                    ("crm_backend", "CRM_BACKEND_", crm.Backend)):
            with self.subTest(enum=c_enum):
                self.assertEqual([k[len(prefix):] for k in valid(c_enum)], [m.name for m in cls])

    def test_versions(self) -> None:
        self.assertEqual(crm.library_version(), crm.__version__)
        self.assertEqual(lib.crm_version().decode(), crm.__version__)
        if "CRM_PROJECT_VERSION" in os.environ:
            self.assertEqual(crm.__version__, os.environ["CRM_PROJECT_VERSION"])
        if "CRM_LIBRARY" in os.environ:
            self.assertEqual(crm.library_path, os.environ["CRM_LIBRARY"])

    def _import_in_subprocess(self, code: str, **env: str | None) -> subprocess.CompletedProcess:
        environment = dict(os.environ)
        for key, value in env.items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                              timeout=120)

    def test_a_wrong_crm_library_is_an_import_error_that_says_what_to_do(self) -> None:
        run = self._import_in_subprocess("import crm", CRM_LIBRARY="/nonexistent/libcrm.so")
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("ImportError", run.stderr)
        self.assertIn("CRM_LIBRARY", run.stderr)

    def test_the_library_is_found_beside_the_package(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            package = Path(tmp) / "crm"
            shutil.copytree(Path(crm.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(crm.library_path, package / "libcrm.so.0")
            run = self._import_in_subprocess("import crm; print(crm.library_path); print(crm.library_version())",
                                             CRM_LIBRARY=None, PYTHONPATH=tmp, PYTHONDONTWRITEBYTECODE="1")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stdout.split(), [str(package / "libcrm.so.0"), crm.__version__])

    def test_without_any_library_the_import_error_says_what_to_do(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(Path(crm.__file__).parent, Path(tmp) / "crm", ignore=shutil.ignore_patterns("__pycache__"))
            run = self._import_in_subprocess("import crm", CRM_LIBRARY=None, PYTHONPATH=tmp, LD_LIBRARY_PATH=None,
                                             PYTHONDONTWRITEBYTECODE="1")
        if run.returncode == 0:  # a libcrm installed on this system was found: that is the third place
            return
        self.assertIn("ImportError", run.stderr)
        self.assertIn("not found", run.stderr)
        self.assertIn("CRM_LIBRARY", run.stderr)

    def test_a_library_of_another_version_is_refused(self) -> None:
        code = ("import sys, types\n"
                "fake = types.ModuleType('crm._version'); fake.__version__ = '7.0.0'\n"
                "sys.modules['crm._version'] = fake\n"
                "import crm\n")
        run = self._import_in_subprocess(code)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("ImportError", run.stderr)
        self.assertIn(f"is libcrm {crm.__version__}", run.stderr)

    def test_exceptions_derive_from_error_and_the_builtin_a_caller_expects(self) -> None:
        expected = {
            crm.Status.ENOTFOUND: (crm.NotFound, KeyError), crm.Status.ECONFLICT: (crm.Conflict, crm.Error),
            crm.Status.EINVALID: (crm.ValidationError, ValueError),
            crm.Status.EUNAUTHORIZED: (crm.Unauthorized, crm.Error),
            crm.Status.EFORBIDDEN: (crm.Forbidden, PermissionError),
            crm.Status.EUNAVAILABLE: (crm.Unavailable, ConnectionError),
            crm.Status.EINTERNAL: (crm.InternalError, crm.Error), crm.Status.ENOMEM: (crm.OutOfMemory, MemoryError),
            crm.Status.ETHROTTLED: (crm.Throttled, crm.Error),
        }
        for status, (cls, builtin) in expected.items():
            with self.subTest(status=status):
                error = crm._errors.from_status(status, "what went wrong", [("f", "is bad")])
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, crm.Error)
                self.assertIsInstance(error, builtin)
                self.assertEqual(error.code, status)
                self.assertEqual(str(error), "what went wrong")
                self.assertEqual(error.errors, [("f", "is bad")])
                self.assertIsNone(error.retry_after)
                copy = pickle.loads(pickle.dumps(error))  # e.g. across multiprocessing
                self.assertEqual((type(copy), copy.message, copy.code, copy.errors),
                                 (cls, error.message, error.code, error.errors))
        later = pickle.loads(pickle.dumps(crm._errors.from_status(crm.Status.ETHROTTLED, "wait", retry_after=7)))
        self.assertEqual((type(later), later.retry_after), (crm.Throttled, 7))
        self.assertIn("retry_after=7", repr(later))
        unknown = crm._errors.from_status(-99, "from the future")
        self.assertIs(type(unknown), crm.Error)
        self.assertEqual(unknown.code, -99)
        self.assertFalse(issubclass(crm.Unauthorized, PermissionError))

    def test_public_types_are_crm_s(self) -> None:
        # Tracebacks and reprs say crm.Conflict, not the private module it is defined in.
        for name in crm.__all__:
            obj = getattr(crm, name)
            if isinstance(obj, type):
                with self.subTest(name=name):
                    self.assertEqual(obj.__module__, "crm")
                    self.assertIs(getattr(sys.modules[obj.__module__], obj.__qualname__), obj)
        self.assertEqual(f"{crm.Conflict.__module__}.{crm.Conflict.__qualname__}", "crm.Conflict")
        try:
            raise crm._errors.from_status(crm.Status.ECONFLICT, "email is taken")
        except crm.Error:
            import traceback
            self.assertIn("crm.Conflict: email is taken", traceback.format_exc())
        self.assertEqual(pickle.loads(pickle.dumps(crm.Role.ADMIN)), crm.Role.ADMIN)

    def test_enums_are_their_wire_names(self) -> None:
        for cls in (crm.Role, crm.LeadStatus, crm.ActivityType, crm.JwtAlgorithm, crm.Backend):
            for member in cls:
                with self.subTest(member=member):
                    self.assertIsInstance(member, str)
                    self.assertEqual(member, member.value)
                    self.assertEqual(str(member), member.value)
                    self.assertEqual(f"{member}", member.value)
                    self.assertEqual(hash(member), hash(member.value))
        self.assertEqual(crm.Role.ADMIN, "ADMIN")
        self.assertNotEqual(crm.Role.ADMIN, "admin")
        self.assertIn("CONTACTED", {crm.LeadStatus.CONTACTED})
        self.assertEqual(json.dumps({"status": crm.LeadStatus.NEW}), '{"status": "NEW"}')

    def test_status_names(self) -> None:
        for status in crm.Status:
            self.assertEqual(lib.crm_status_name(status).decode(), "CRM_" + status.name)
        self.assertIsNone(lib.crm_status_name(-1000))

    def test_errcheck_reads_the_error_of_this_thread(self) -> None:
        with self.assertRaises(crm.ValidationError) as caught:
            lib.crm_role_parse(ctypes.byref(ctypes.c_int()), b"KING")
        self.assertEqual(caught.exception.errors[0][0], "name")
        self.assertEqual(lib.crm_error_code(lib.crm_error_last()), crm.Status.EINVALID)  # getters keep it
        lib.crm_role_parse(ctypes.byref(ctypes.c_int()), b"ADMIN")
        self.assertEqual(lib.crm_error_code(lib.crm_error_last()), crm.Status.OK)
        self.assertEqual(lib.crm_error_message(lib.crm_error_last()), b"")
        self.assertEqual(lib.crm_error_field_count(lib.crm_error_last()), 0)
        self.assertIsNone(lib.crm_error_field_name(lib.crm_error_last(), 0))
        self.assertIsNone(lib.crm_error_field_message(lib.crm_error_last(), 0))

    def test_field_names_are_spelled_as_python_keywords(self) -> None:
        self.assertEqual(_ffi.python_name("ownerId"), "owner_id")
        self.assertEqual(_ffi.python_name("opts.jwt_secret"), "jwt_secret")
        self.assertEqual(_ffi.python_name("currentPassword"), "current_password")
        self.assertEqual(_ffi.python_name("title"), "title")

    def test_enum_names_and_parsing(self) -> None:
        for cls, name_of, parse in ((crm.Role, lib.crm_role_name, lib.crm_role_parse),
                                    (crm.LeadStatus, lib.crm_lead_status_name, lib.crm_lead_status_parse),
                                    (crm.ActivityType, lib.crm_activity_type_name, lib.crm_activity_type_parse),
                                    (crm.JwtAlgorithm, lib.crm_jwt_algorithm_name, lib.crm_jwt_algorithm_parse)):
            with self.subTest(enum=cls.__name__):
                for value, member in enumerate(cls):
                    self.assertEqual(name_of(value).decode(), member.value)
                    out = ctypes.c_int(-1)
                    parse(ctypes.byref(out), member.value.encode())
                    self.assertEqual(out.value, value)
                self.assertIsNone(name_of(len(cls)))
                self.assertIsNone(name_of(-1))
                with self.assertRaises(crm.ValidationError):
                    parse(ctypes.byref(ctypes.c_int()), member.value.lower().encode())  # exact names only
                with self.assertRaises(crm.ValidationError):
                    parse(ctypes.byref(ctypes.c_int()), None)
                with self.assertRaises(crm.ValidationError):
                    parse(None, member.value.encode())

    def test_handles_are_typed(self) -> None:
        system = crm.Principal.system()
        with self.assertRaises(ctypes.ArgumentError):
            lib.crm_db_migrate(system)  # a principal where a crm_db * is expected

    def test_null_handles_to_getters_give_null_or_zero(self) -> None:
        self.assertIsNone(lib.crm_user_id(None))
        self.assertIsNone(lib.crm_lead_metadata(None))
        self.assertIsNone(lib.crm_activity_body(None))
        self.assertIsNone(lib.crm_tokens_access_token(None))
        self.assertFalse(lib.crm_tokens_user(None))
        self.assertEqual(lib.crm_lead_page_count(None), 0)
        self.assertFalse(lib.crm_lead_page_at(None, 0))
        self.assertEqual(lib.crm_activity_page_total(None), 0)
        self.assertEqual(lib.crm_user_page_total_pages(None), 0)
        self.assertEqual(lib.crm_lead_created_at_ms(None), 0)
        # NULL handles give an error value, never a valid-looking SALES, NEW or SQLite.
        self.assertEqual(lib.crm_user_role(None), -1)  # CRM_ROLE_INVALID
        self.assertEqual(lib.crm_lead_status_of(None), -1)  # CRM_LEAD_STATUS_INVALID
        self.assertEqual(lib.crm_activity_type_of(None), -1)  # CRM_ACTIVITY_TYPE_INVALID
        self.assertEqual(lib.crm_principal_role(None), -1)  # CRM_ROLE_INVALID
        self.assertEqual(lib.crm_db_backend(None), -1)  # CRM_BACKEND_INVALID
        for free in (lib.crm_db_free, lib.crm_principal_free, lib.crm_tokens_free, lib.crm_user_free,
                     lib.crm_lead_free, lib.crm_activity_free, lib.crm_user_page_free, lib.crm_lead_page_free,
                     lib.crm_activity_page_free, lib.crm_user_fields_free, lib.crm_lead_fields_free,
                     lib.crm_activity_fields_free, lib.crm_lead_filter_free, lib.crm_free):
            free(None)  # a no-op

    def test_null_out_parameters_are_invalid(self) -> None:
        with self.assertRaises(crm.ValidationError):
            lib.crm_principal_system(None)
        with self.assertRaises(crm.ValidationError):
            lib.crm_db_options_init(None, 2)
        with self.assertRaises(crm.ValidationError):
            lib.crm_lead_fields_new(None)

    def test_out_of_range_enum_values_are_invalid_in_c(self) -> None:
        fields = _ffi.new(lib.crm_lead_fields_new, _ffi.crm_lead_fields)
        try:
            with self.assertRaises(crm.ValidationError) as caught:
                lib.crm_lead_fields_set_status(fields, 4)
            self.assertEqual(caught.exception.errors[0][0], "status")
        finally:
            lib.crm_lead_fields_free(fields)
        user_fields = _ffi.new(lib.crm_user_fields_new, _ffi.crm_user_fields)
        try:
            with self.assertRaises(crm.ValidationError):
                lib.crm_user_fields_set_role(user_fields, -1)
        finally:
            lib.crm_user_fields_free(user_fields)
        activity_fields = _ffi.new(lib.crm_activity_fields_new, _ffi.crm_activity_fields)
        try:
            with self.assertRaises(crm.ValidationError):
                lib.crm_activity_fields_set_type(activity_fields, 3)
        finally:
            lib.crm_activity_fields_free(activity_fields)
        which = _ffi.new(lib.crm_lead_filter_new, _ffi.crm_lead_filter)
        try:
            with self.assertRaises(crm.ValidationError):
                lib.crm_lead_filter_set_statuses(which, (ctypes.c_int * 2)(0, 9), 2)
            with self.assertRaises(crm.ValidationError):
                lib.crm_lead_filter_set_statuses(which, None, 1)
            lib.crm_lead_filter_set_statuses(which, None, 0)
        finally:
            lib.crm_lead_filter_free(which)

    def test_principal_system(self) -> None:
        with crm.Principal.system() as system:
            self.assertTrue(system.is_system)
            self.assertIsNone(system.user_id)
            self.assertIs(system.role, crm.Role.ADMIN)
            self.assertIn("system", repr(system))
        self.assertTrue(system.closed)
        self.assertIn("closed", repr(system))

    def test_handle_close_is_idempotent_and_frees_once(self) -> None:
        freed = []

        class Fake(crm._handle.Handle):
            _free = staticmethod(freed.append)

        with Fake(1) as handle:
            self.assertFalse(handle.closed)
            self.assertEqual(handle._as_parameter_, 1)
        self.assertTrue(handle.closed)
        handle.close()
        self.assertEqual(freed, [1])
        with self.assertRaises(ValueError):
            handle._as_parameter_
        with self.assertRaises(ValueError):
            with handle._using():
                pass
        Fake(2)  # never closed: freed when collected
        gc.collect()
        self.assertEqual(freed, [1, 2])
        with self.assertRaises(ValueError):
            Fake(None)

    def test_children_keep_their_parent_alive(self) -> None:
        freed = []

        class Fake(crm._handle.Handle):
            _free = staticmethod(freed.append)

        parent = Fake("parent")
        child = Fake("child", parent=parent)
        del parent
        gc.collect()
        self.assertEqual(freed, [])
        child.close()  # lets go of the parent
        gc.collect()
        self.assertEqual(freed, ["child", "parent"])

    def test_close_waits_for_calls_in_progress(self) -> None:
        freed = []

        class Fake(crm._handle.Handle):
            _free = staticmethod(freed.append)

        handle = Fake(3)
        entered, release = threading.Event(), threading.Event()

        def use() -> None:
            with handle._using():
                entered.set()
                release.wait(10)
                self.assertEqual(freed, [])

        user = threading.Thread(target=use)
        user.start()
        entered.wait(10)
        closer = threading.Thread(target=handle.close)
        closer.start()
        closer.join(0.2)
        self.assertTrue(closer.is_alive(), "close() must wait for the call in progress")
        release.set()
        user.join(10)
        closer.join(10)
        self.assertEqual(freed, [3])

    def test_handles_left_open_at_interpreter_exit_are_safe(self) -> None:
        scratch = ScratchDatabase()
        try:
            code = ("import crm\n"
                    f"db = crm.Database.open({scratch.url!r}, jwt_secret={SECRET!r}, pool_size=2,"
                    " password_opslimit=1, password_memlimit=8192)\n"
                    "db.migrate()\n"
                    "system = crm.Principal.system()\n"
                    "lead = db.create_lead(system, 'left open')\n"
                    "cycle = [db, system]; cycle.append(cycle)\n"
                    "class Holder:\n"
                    "    pass\n"
                    "Holder.db = db\n")
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stderr, "")
        finally:
            scratch.drop()


# ---- Database --------------------------------------------------------------------------------


class TestDatabase(DatabaseCase):
    def test_migrate_is_idempotent_and_reaches_the_latest_version(self) -> None:
        self.assertEqual(self.db.schema_version, crm.Database.latest_schema_version)
        self.assertGreater(crm.Database.latest_schema_version, 0)
        self.db.migrate()
        self.assertEqual(self.db.schema_version, self.db.latest_schema_version)

    def test_a_new_database_has_schema_version_0(self) -> None:
        scratch = ScratchDatabase()
        try:
            with open_database(scratch.url) as db:
                self.assertEqual(db.schema_version, 0)
        finally:
            scratch.drop()

    def test_ping_and_backend(self) -> None:
        self.assertIs(self.db.ping(), True)
        self.assertIs(self.db.backend, crm.Backend(BACKEND))
        self.assertIn(BACKEND, repr(self.db))

    def test_a_malformed_url_is_invalid(self) -> None:
        self.assertInvalid("url", open_database, "mysql://localhost/crm")
        self.assertInvalid("url", open_database, None)
        with self.assertRaises(TypeError):
            open_database(b"sqlite::memory:")

    def test_an_unreachable_server_is_unavailable(self) -> None:
        with self.assertRaises(crm.Unavailable) as caught:
            open_database("postgresql://crm:crm@127.0.0.1:1/crm", lease_timeout_ms=2000)
        self.assertIsInstance(caught.exception, ConnectionError)
        self.assertEqual(caught.exception.code, crm.Status.EUNAVAILABLE)

    def test_a_short_jwt_secret_is_refused(self) -> None:
        self.assertInvalid("jwt_secret", open_database, "sqlite::memory:", jwt_secret="too short")
        self.assertInvalid("jwt_secret", open_database, "sqlite::memory:", jwt_secret="x" * 31)

    def test_without_a_jwt_secret_everything_but_tokens_works(self) -> None:
        # A script acting as the system principal need not invent a secret; token operations
        # say what is missing instead.
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        tokens = self.db.login(email, PASSWORD)
        for secret in (None, ""):
            settings = {} if secret is None else {"jwt_secret": secret}
            with crm.Database.open(self.scratch.url, **FAST_HASHING, **settings) as plain:
                with self.subTest(jwt_secret=secret):
                    lead = plain.create_lead(self.system, "no tokens here")
                    plain.create_lead(self.system, "nor here")
                    self.assertEqual(plain.get_lead(self.system, lead.id).title, "no tokens here")
                    first = plain.list_leads(self.system, limit=1)
                    self.assertIsNotNone(first.next_cursor)
                    self.assertEqual(len(plain.list_leads(self.system, cursor=first.next_cursor, limit=1)), 1)
                    for call in (lambda: plain.login(email, PASSWORD),
                                 lambda: plain.login(email, "wrong password", client_address="10.0.0.1"),
                                 lambda: plain.register(self.email(), PASSWORD),
                                 lambda: plain.refresh(tokens.refresh_token),
                                 lambda: plain.authenticate(tokens.access_token)):
                        error = self.assertInvalid("jwt_secret", call)
                        self.assertIn("jwt_secret is required to issue or verify tokens", error.message)
                    plain.logout("not a token")  # needs no secret: unknown tokens are ignored
        self.db.refresh(tokens.refresh_token)  # the refused refresh did not spend it

    def test_options_are_checked(self) -> None:
        self.assertInvalid("pool_size", open_database, "sqlite::memory:", pool_size=-1)
        self.assertInvalid("password_memlimit", open_database, "sqlite::memory:", password_memlimit=2**64)
        self.assertInvalid("access_token_ttl", open_database, "sqlite::memory:", access_token_ttl_s=0)
        self.assertInvalid("jwt_algorithm", open_database, "sqlite::memory:", jwt_algorithm="RS256")
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", pool_size="4")
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", leeway_s=1.5)
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", jwt_algorithm=256)

    def test_tokens_signed_with_another_algorithm(self) -> None:
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        for algorithm in ("HS384", crm.JwtAlgorithm.HS512):
            with self.subTest(algorithm=algorithm), open_database(self.scratch.url, jwt_algorithm=algorithm) as db:
                login = db.login(email, PASSWORD)
                header = json.loads(_b64(login.access_token.split(".")[0]))
                self.assertEqual(header["alg"], crm.JwtAlgorithm(algorithm).value)
                self.assertEqual(db.authenticate(login.access_token).user_id, login.user.id)
                with self.assertRaises(crm.Unauthorized):  # the default HS256 handle refuses it
                    self.db.authenticate(login.access_token)

    def test_an_expired_access_token_is_refused(self) -> None:
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        with open_database(self.scratch.url, access_token_ttl_s=1, leeway_s=0) as db:
            login = db.login(email, PASSWORD)
            db.authenticate(login.access_token)
            deadline = utc_now() + timedelta(seconds=10)
            while utc_now() < deadline:
                try:
                    db.authenticate(login.access_token)
                except crm.Unauthorized:
                    break
                threading.Event().wait(0.25)
            else:
                self.fail("the access token did not expire")

    def test_closed_database(self) -> None:
        db = open_database(self.scratch.url)
        db.close()
        db.close()
        self.assertTrue(db.closed)
        self.assertIn("closed", repr(db))
        with self.assertRaises(ValueError):
            db.ping()
        with self.assertRaises(ValueError):
            db.create_lead(self.system, "after close")

    def test_a_closed_principal_cannot_act(self) -> None:
        principal = crm.Principal.system()
        principal.close()
        with self.assertRaises(ValueError):
            self.db.create_lead(principal, "closed principal")

    def test_the_principal_must_be_a_principal(self) -> None:
        self.assertInvalid("actor", self.db.create_lead, None, "no principal")
        with self.assertRaises(TypeError):
            self.db.create_lead("ADMIN", "not a principal")


def _b64(segment: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# ---- Authentication ----------------------------------------------------------------------------


class TestAuth(DatabaseCase):
    def test_register_creates_a_sales_user_and_logs_in(self) -> None:
        email = self.email()
        result = self.db.register("  " + email.upper() + " ", PASSWORD)
        self.assertIsInstance(result, crm.AuthResult)
        self.assertEqual(result.user.email, email)  # trimmed, lower case
        self.assertEqual(result.user.name, email.split("@")[0])
        self.assertIs(result.user.role, crm.Role.SALES)
        self.assertEqual(result.access_token, result.tokens.access_token)
        self.assertEqual(result.refresh_token, result.tokens.refresh_token)
        self.assertNotIn(result.access_token, repr(result))  # tokens are not printed
        principal = self.db.authenticate(result.access_token)
        self.assertEqual(principal.user_id, result.user.id)
        self.assertIs(principal.role, crm.Role.SALES)
        self.assertFalse(principal.is_system)
        self.assertEqual(self.db.me(principal), result.user)

    def test_register_with_a_name(self) -> None:
        result = self.db.register(self.email(), PASSWORD, name="Ada Lovelace")
        self.assertEqual(result.user.name, "Ada Lovelace")

    def test_register_twice_is_a_conflict(self) -> None:
        email = self.email()
        self.db.register(email, PASSWORD)
        with self.assertRaises(crm.Conflict) as caught:
            self.db.register(email.upper(), PASSWORD)
        self.assertEqual(caught.exception.code, crm.Status.ECONFLICT)
        self.assertIn(caught.exception.errors, ([], [("email", "is already taken")]))

    def test_register_validates(self) -> None:
        self.assertInvalid("email", self.db.register, "not an email", PASSWORD)
        self.assertInvalid("password", self.db.register, self.email(), "short")
        self.assertInvalid("password", self.db.register, self.email(), "x" * 1025)
        self.assertInvalid("email", self.db.register, None, PASSWORD)
        self.assertInvalid("password", self.db.register, self.email(), None)

    def test_login(self) -> None:
        email = self.email()
        registered = self.db.register(email, PASSWORD)
        login = self.db.login(email.upper(), PASSWORD)
        self.assertEqual(login.user, registered.user)
        self.assertNotEqual(login.refresh_token, registered.refresh_token)

    def test_bad_credentials_are_unauthorized_alike(self) -> None:
        email = self.email()
        self.db.register(email, PASSWORD)
        with self.assertRaises(crm.Unauthorized) as wrong_password:
            self.db.login(email, PASSWORD + "!")
        with self.assertRaises(crm.Unauthorized) as unknown_email:
            self.db.login(self.email(), PASSWORD)
        self.assertEqual(str(wrong_password.exception), str(unknown_email.exception))
        self.assertEqual(wrong_password.exception.code, crm.Status.EUNAUTHORIZED)

    def test_bad_access_tokens_are_unauthorized(self) -> None:
        registered = self.db.register(self.email(), PASSWORD)
        header, payload, signature = registered.access_token.split(".")
        forged = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
        for token in ("", "garbage", "a.b.c", forged, registered.refresh_token):
            with self.subTest(token=token[:20]), self.assertRaises(crm.Unauthorized):
                self.db.authenticate(token)
        self.assertInvalid("access_token", self.db.authenticate, None)

    def test_refresh_rotates_and_a_reused_token_revokes_every_token(self) -> None:
        email = self.email()
        first = self.db.register(email, PASSWORD)
        other_session = self.db.login(email, PASSWORD)

        second = self.db.refresh(first.refresh_token)
        self.assertIsInstance(second, crm.Tokens)
        self.assertNotEqual(second.refresh_token, first.refresh_token)
        self.assertEqual(self.db.authenticate(second.access_token).user_id, first.user.id)
        third = self.db.refresh(second.refresh_token)

        with self.assertRaises(crm.Unauthorized):  # theft: a spent token again
            self.db.refresh(first.refresh_token)
        for revoked in (third.refresh_token, other_session.refresh_token):
            with self.assertRaises(crm.Unauthorized):
                self.db.refresh(revoked)
        self.db.login(email, PASSWORD)  # logging in again still works

    def test_logout_revokes_the_refresh_token(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.assertIsNone(self.db.logout(login.refresh_token))
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)
        self.db.logout(login.refresh_token)  # again: fine
        self.db.logout("an unknown token")  # unknown: fine
        self.assertInvalid("refresh_token", self.db.logout, None)
        self.assertInvalid("refresh_token", self.db.refresh, None)

    def test_changing_the_password_revokes_refresh_tokens(self) -> None:
        email = self.email()
        login = self.db.register(email, PASSWORD)
        me = self.db.authenticate(login.access_token)
        self.db.update_user(me, login.user.id, password="a new password", current_password=PASSWORD)
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)
        with self.assertRaises(crm.Unauthorized):
            self.db.login(email, PASSWORD)
        self.db.login(email, "a new password")

    def test_a_deleted_user_token_is_refused_at_once(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.db.authenticate(login.access_token)
        self.db.delete_user(self.system, login.user.id)
        with self.assertRaises(crm.Unauthorized):
            self.db.authenticate(login.access_token)
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)

    def test_a_role_change_shows_in_the_next_authentication(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.db.update_user(self.system, login.user.id, role=crm.Role.MANAGER)
        self.assertIs(self.db.authenticate(login.access_token).role, crm.Role.MANAGER)

    def test_a_kept_principal_follows_demotion_and_deletion(self) -> None:
        # A principal the program keeps is checked against its user's row again once it is older
        # than a second (the default principal_max_age).
        manager, kept = self.actor(crm.Role.MANAGER)
        other, _ = self.actor(crm.Role.SALES)
        foreign = self.db.create_lead(self.system, "someone else's", owner_id=other.id)
        self.assertEqual(self.db.get_lead(kept, foreign.id).id, foreign.id)
        self.db.update_user(self.system, manager.id, role=crm.Role.SALES)
        time.sleep(1.1)
        with self.assertRaises(crm.NotFound):
            self.db.get_lead(kept, foreign.id)
        with self.assertRaises(crm.Forbidden):
            self.db.get_user(kept, other.id)
        self.db.delete_user(self.system, manager.id)
        with self.assertRaises(crm.Unauthorized):
            self.db.get_lead(kept, foreign.id)

    def test_me_of_the_system_principal(self) -> None:
        with self.assertRaises(crm.NotFound):
            self.db.me(self.system)  # the system principal is no user


class TestThrottle(DatabaseCase):
    """Login throttling through the binding: crm.Throttled with retry_after, counts in the database."""

    def test_too_many_failures_raise_throttled_with_retry_after(self) -> None:
        with open_database(self.scratch.url, login_max_failures=3, login_window_s=900) as db:
            email = self.email()
            db.register(email, PASSWORD)
            for _ in range(3):
                with self.assertRaises(crm.Unauthorized) as refused:
                    db.login(email, "wrong password", client_address="192.0.2.10")
                self.assertIsNone(refused.exception.retry_after)
            with self.assertRaises(crm.Throttled) as throttled:
                db.login(email, PASSWORD, client_address="192.0.2.11")  # the right password, another address
            error = throttled.exception
            self.assertEqual(error.code, crm.Status.ETHROTTLED)
            self.assertIsInstance(error.retry_after, int)
            self.assertTrue(1 <= error.retry_after <= 900, error.retry_after)
            # An unknown email is throttled alike, with the same message.
            unknown = self.email()
            for _ in range(3):
                with self.assertRaises(crm.Unauthorized):
                    db.login(unknown, PASSWORD)
            with self.assertRaises(crm.Throttled) as unknown_throttled:
                db.login(unknown, PASSWORD)
            self.assertEqual(str(unknown_throttled.exception), str(error))
            # The address that failed three times is throttled for any email.
            with self.assertRaises(crm.Throttled):
                db.login(self.email(), PASSWORD, client_address="192.0.2.10")
            self.assertInvalid("client_address", db.login, email, PASSWORD, client_address="a\x00b")
        # Another handle on the same database (a restart) sees the same counts.
        with open_database(self.scratch.url, login_max_failures=3, login_window_s=900) as again:
            with self.assertRaises(crm.Throttled):
                again.login(email, PASSWORD)

    def test_busy_hashing_is_unavailable_with_retry_after(self) -> None:
        # One hashing slot, no queue, a cost that keeps a hash in its slot a while: logins from
        # two threads at once; the one that finds the slot taken is refused at once.
        options = {"max_concurrent_hashes": 1, "max_queued_hashes": 0, "password_opslimit": 3,
                   "password_memlimit": 16 * 1024 * 1024, "login_max_failures": 0}
        with open_database(self.scratch.url, **options) as db:
            stop = threading.Event()

            def hold() -> None:
                while not stop.is_set():
                    try:
                        db.login("holder@example.com", PASSWORD)
                    except crm.Error:
                        pass

            holder = threading.Thread(target=hold)
            holder.start()
            busy = None
            try:
                for _ in range(500):
                    try:
                        db.login("someone@example.com", PASSWORD)
                    except crm.Unavailable as e:
                        busy = e
                        break
                    except crm.Unauthorized:
                        pass
            finally:
                stop.set()
                holder.join()
            self.assertIsNotNone(busy)
            self.assertEqual(busy.retry_after, 1)
            self.assertEqual(str(busy), "password hashing is busy")


# ---- Users ---------------------------------------------------------------------------------------


class TestUsers(DatabaseCase):
    def test_create_user_with_each_role(self) -> None:
        for role in crm.Role:
            email = self.email()
            user = self.db.create_user(self.system, email, PASSWORD, name="N", role=role)
            self.assertIsInstance(user, crm.User)
            self.assertEqual((user.email, user.name, user.role), (email, "N", role))
            uuid.UUID(user.id)
            self.assertEqual(user.id, user.id.lower())
            for stamp in (user.created_at, user.updated_at):
                self.assertIs(stamp.tzinfo, timezone.utc)
                self.assertLess(abs(utc_now() - stamp), timedelta(minutes=5))
        by_name = self.db.create_user(self.system, self.email(), PASSWORD, role="MANAGER")
        self.assertIs(by_name.role, crm.Role.MANAGER)
        self.assertIs(self.db.create_user(self.system, self.email(), PASSWORD).role, crm.Role.SALES)

    def test_users_are_frozen_dataclasses(self) -> None:
        user = self.db.create_user(self.system, self.email(), PASSWORD)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            user.name = "changed"
        self.assertEqual(hash(user), hash(dataclasses.replace(user)))

    def test_who_may_create_users(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        self.db.create_user(admin, self.email(), PASSWORD, role=crm.Role.ADMIN)
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden) as caught:
                self.db.create_user(principal, self.email(), PASSWORD)
            self.assertIsInstance(caught.exception, PermissionError)
            self.assertEqual(caught.exception.code, crm.Status.EFORBIDDEN)

    def test_create_user_validates(self) -> None:
        self.assertInvalid("email", self.db.create_user, self.system, "nope", PASSWORD)
        self.assertInvalid("password", self.db.create_user, self.system, self.email(), "short")
        self.assertInvalid("role", self.db.create_user, self.system, self.email(), PASSWORD, role="OWNER")
        self.assertInvalid("role", self.db.create_user, self.system, self.email(), PASSWORD, role=None)
        with self.assertRaises(TypeError):
            self.db.create_user(self.system, self.email(), PASSWORD, role=0)
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        with self.assertRaises(crm.Conflict):
            self.db.create_user(self.system, email.upper(), PASSWORD)

    def test_get_user_by_role(self) -> None:
        sales_user, sales = self.actor(crm.Role.SALES)
        other, _ = self.actor(crm.Role.SALES)
        _, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        self.assertEqual(self.db.get_user(sales, sales_user.id), sales_user)
        with self.assertRaises(crm.Forbidden):
            self.db.get_user(sales, other.id)
        self.assertEqual(self.db.get_user(manager, other.id), other)
        self.assertEqual(self.db.get_user(admin, other.id), other)
        self.assertEqual(self.db.get_user(self.system, other.id), other)

    def test_ids(self) -> None:
        user, _ = self.actor()
        self.assertEqual(self.db.get_user(self.system, user.id.upper()), user)
        self.assertEqual(self.db.get_user(self.system, uuid.UUID(user.id)), user)
        with self.assertRaises(crm.NotFound) as caught:
            self.db.get_user(self.system, str(uuid.uuid4()))
        self.assertIsInstance(caught.exception, KeyError)
        self.assertEqual(caught.exception.code, crm.Status.ENOTFOUND)
        self.assertInvalid("id", self.db.get_user, self.system, "not-a-uuid")
        self.assertInvalid("id", self.db.get_user, self.system, None)
        with self.assertRaises(TypeError):
            self.db.get_user(self.system, 42)

    def test_list_users(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        for _ in range(3):
            self.actor()
        everyone = self.db.list_users(admin, limit=100)
        self.assertIsInstance(everyone, crm.Page)
        self.assertEqual(everyone.total, len(everyone.items))
        self.assertGreaterEqual(everyone.total, 4)
        self.assertEqual((everyone.page, everyone.limit, everyone.total_pages), (1, 100, 1))
        created = [u.created_at for u in everyone]
        self.assertEqual(created, sorted(created))  # oldest first
        page2 = self.db.list_users(admin, page=2, limit=2)
        self.assertEqual(list(page2.items), list(everyone.items[2:4]))
        self.assertEqual(page2.total_pages, math.ceil(everyone.total / 2))
        self.assertEqual(len(page2), 2)
        self.assertEqual(page2[0], everyone.items[2])
        default = self.db.list_users(admin)
        self.assertEqual(default.limit, 20)
        beyond = self.db.list_users(admin, page=1000)
        self.assertEqual((len(beyond), beyond.total), (0, everyone.total))
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden):
                self.db.list_users(principal)
        self.assertInvalid("page", self.db.list_users, admin, page=0)
        self.assertInvalid("limit", self.db.list_users, admin, limit=0)
        self.assertInvalid("limit", self.db.list_users, admin, limit=101)
        self.assertInvalid("page", self.db.list_users, admin, page=2**63)
        with self.assertRaises(TypeError):
            self.db.list_users(admin, page="1")

    def test_update_user_changes_only_what_is_given(self) -> None:
        user, _ = self.actor(name="Before")
        renamed = self.db.update_user(self.system, user.id, name="After")
        self.assertEqual((renamed.name, renamed.email, renamed.role), ("After", user.email, user.role))
        self.assertGreaterEqual(renamed.updated_at, user.updated_at)
        self.assertEqual(renamed.created_at, user.created_at)
        new_email = self.email()
        moved = self.db.update_user(self.system, user.id, email=new_email.upper())
        self.assertEqual((moved.name, moved.email), ("After", new_email))
        untouched = self.db.update_user(self.system, user.id)  # nothing given: nothing changes
        self.assertEqual(dataclasses.replace(untouched, updated_at=moved.updated_at), moved)
        self.assertInvalid("name", self.db.update_user, self.system, user.id, name=None)
        self.assertInvalid("email", self.db.update_user, self.system, user.id, email="broken")
        taken, _ = self.actor()
        with self.assertRaises(crm.Conflict):
            self.db.update_user(self.system, user.id, email=taken.email)
        with self.assertRaises(crm.NotFound):
            self.db.update_user(self.system, str(uuid.uuid4()), name="Nobody")

    def test_who_may_update_whom(self) -> None:
        me, sales = self.actor(crm.Role.SALES)
        other, _ = self.actor(crm.Role.SALES)
        manager_user, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        self.assertEqual(self.db.update_user(sales, me.id, name="Self").name, "Self")
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(sales, me.id, role=crm.Role.ADMIN)
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(sales, other.id, name="Not mine")
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(manager, other.id, name="Not mine either")
        self.assertEqual(self.db.update_user(manager, manager_user.id, name="M").name, "M")
        self.assertIs(self.db.update_user(admin, other.id, role="MANAGER").role, crm.Role.MANAGER)

    def test_passwords(self) -> None:
        me, sales = self.actor()
        self.assertInvalid("current_password", self.db.update_user, sales, me.id, password="a new password")
        with self.assertRaises(crm.Unauthorized):
            self.db.update_user(sales, me.id, password="a new password", current_password="wrong password")
        self.assertInvalid("password", self.db.update_user, sales, me.id, password="short", current_password=PASSWORD)
        self.db.update_user(sales, me.id, password="a new password", current_password=PASSWORD)
        self.db.login(me.email, "a new password")
        self.db.update_user(self.system, me.id, password="set by the admin")  # no current password needed
        self.db.login(me.email, "set by the admin")
        with self.assertRaises(TypeError):
            self.db.update_user(sales, me.id, current_password=PASSWORD)

    def test_delete_user_keeps_their_leads_unowned_and_activities_authorless(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "Orphan to be")
        note = self.db.create_activity(sales, lead.id, crm.ActivityType.NOTE, body="by the user")
        self.assertIsNone(self.db.delete_user(self.system, user.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_user(self.system, user.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_user(self.system, user.id)
        self.assertIsNone(self.db.get_lead(self.system, lead.id).owner_id)
        self.assertIsNone(self.db.get_activity(self.system, note.id).created_by)

    def test_only_admins_delete_users(self) -> None:
        victim, _ = self.actor()
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden):
                self.db.delete_user(principal, victim.id)
        _, admin = self.actor(crm.Role.ADMIN)
        self.db.delete_user(admin, victim.id)


class TestLastAdmin(DatabaseCase):
    def test_the_last_admin_can_be_neither_deleted_nor_demoted(self) -> None:
        only, admin = self.actor(crm.Role.ADMIN)
        with self.assertRaises(crm.Conflict):
            self.db.delete_user(self.system, only.id)
        with self.assertRaises(crm.Conflict):
            self.db.update_user(admin, only.id, role=crm.Role.SALES)
        second, _ = self.actor(crm.Role.ADMIN)
        self.assertIs(self.db.update_user(admin, only.id, role=crm.Role.MANAGER).role, crm.Role.MANAGER)
        with self.assertRaises(crm.Conflict):
            self.db.delete_user(self.system, second.id)


# ---- Leads ---------------------------------------------------------------------------------------


class TestLeads(DatabaseCase):
    def test_create_with_defaults(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "Minimal")
        self.assertIsInstance(lead, crm.Lead)
        self.assertEqual((lead.title, lead.description, lead.source, lead.metadata), ("Minimal", None, None, None))
        self.assertIs(lead.status, crm.LeadStatus.NEW)
        self.assertEqual(lead.owner_id, user.id)  # the caller
        self.assertIs(lead.created_at.tzinfo, timezone.utc)
        self.assertEqual(lead.created_at, lead.updated_at)
        self.assertIsNone(self.db.create_lead(self.system, "By the host").owner_id)  # system: unowned

    def test_create_with_every_field(self) -> None:
        owner, _ = self.actor()
        metadata = {"employees": 40, "tags": ["a", "b"], "nested": {"x": None, "ok": True, "pi": 3.5}, "é": "ü"}
        lead = self.db.create_lead(self.system, "Full", description="All of it", status="QUALIFIED", source="web",
                                   owner_id=owner.id, metadata=metadata)
        self.assertEqual((lead.title, lead.description, lead.status, lead.source, lead.owner_id, lead.metadata),
                         ("Full", "All of it", crm.LeadStatus.QUALIFIED, "web", owner.id, metadata))
        self.assertEqual(self.db.get_lead(self.system, lead.id), lead)
        hash(lead)  # metadata is left out of the hash

    def test_unicode_round_trips(self) -> None:
        title = "Ünïcödé 漢字 🚀 ‮"
        lead = self.db.create_lead(self.system, title, description="ß" * 1000, metadata={"emoji": "🎉"})
        again = self.db.get_lead(self.system, lead.id)
        self.assertEqual((again.title, again.description, again.metadata), (title, "ß" * 1000, {"emoji": "🎉"}))

    def test_validation(self) -> None:
        self.assertInvalid("title", self.db.create_lead, self.system, "")
        self.assertInvalid("title", self.db.create_lead, self.system, "   ")
        self.assertInvalid("title", self.db.create_lead, self.system, None)
        self.assertInvalid("title", self.db.create_lead, self.system, "x" * 256)
        self.assertEqual(len(self.db.create_lead(self.system, "x" * 255).title), 255)
        self.assertInvalid("source", self.db.create_lead, self.system, "t", source="s" * 256)
        self.assertInvalid("owner_id", self.db.create_lead, self.system, "t", owner_id=str(uuid.uuid4()))
        self.assertInvalid("owner_id", self.db.create_lead, self.system, "t", owner_id="nope")

    def test_invalid_enum_values(self) -> None:
        error = self.assertInvalid("status", self.db.create_lead, self.system, "t", status="OPEN")
        self.assertIn("NEW", error.message)
        self.assertInvalid("status", self.db.create_lead, self.system, "t", status="new")  # exact names
        self.assertInvalid("status", self.db.create_lead, self.system, "t", status=None)
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, "t", status=1)
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, "t", status=crm.ActivityType.NOTE)
        self.assertInvalid("status", self.db.list_leads, self.system, status=["NEW", "WON"])

    def test_bad_metadata(self) -> None:
        for value in ([1, 2], "text", 3, True):
            with self.subTest(metadata=value):
                self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata=value)
        for value in ({"a": {1, 2}}, {"f": float("nan")}, {"o": object()}):
            with self.subTest(metadata=value):
                self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata=value)
        self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata={"s": "\udc80"})
        self.assertIsNone(self.db.create_lead(self.system, "t", metadata=None).metadata)
        self.assertEqual(self.db.create_lead(self.system, "t", metadata={}).metadata, {})

    def test_strings_that_c_cannot_take(self) -> None:
        error = self.assertInvalid("title", self.db.create_lead, self.system, "bad \ud800 surrogate")
        self.assertIn("UTF-8", error.message)
        self.assertIsInstance(error, ValueError)
        self.assertInvalid("title", self.db.create_lead, self.system, "nul\x00inside")
        self.assertInvalid("description", self.db.create_lead, self.system, "t", description="\udfff")
        self.assertInvalid("q", self.db.list_leads, self.system, q="\ud800")
        self.assertInvalid("id", self.db.get_lead, self.system, "\ud800")
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, b"bytes")
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, 42)

    def test_update_is_partial(self) -> None:
        owner, _ = self.actor()
        lead = self.db.create_lead(self.system, "Before", description="d", source="s", owner_id=owner.id,
                                   metadata={"k": 1})
        same = self.db.update_lead(self.system, lead.id)
        self.assertEqual((same.title, same.description, same.source, same.owner_id, same.metadata),
                         ("Before", "d", "s", owner.id, {"k": 1}))
        changed = self.db.update_lead(self.system, lead.id, title="After", status=crm.LeadStatus.CONTACTED)
        self.assertEqual((changed.title, changed.status, changed.description, changed.source, changed.owner_id,
                          changed.metadata), ("After", crm.LeadStatus.CONTACTED, "d", "s", owner.id, {"k": 1}))
        self.assertGreaterEqual(changed.updated_at, lead.updated_at)
        self.assertEqual(changed.created_at, lead.created_at)
        nulled = self.db.update_lead(self.system, lead.id, description=None, source=None, owner_id=None, metadata=None)
        self.assertEqual((nulled.title, nulled.description, nulled.source, nulled.owner_id, nulled.metadata),
                         ("After", None, None, None, None))
        self.assertEqual(self.db.get_lead(self.system, lead.id), nulled)
        self.assertInvalid("title", self.db.update_lead, self.system, lead.id, title=None)
        self.assertInvalid("status", self.db.update_lead, self.system, lead.id, status=None)
        self.assertInvalid("title", self.db.update_lead, self.system, lead.id, title=" ")
        self.assertInvalid("metadata", self.db.update_lead, self.system, lead.id, metadata=[1])
        with self.assertRaises(crm.NotFound):
            self.db.update_lead(self.system, str(uuid.uuid4()), title="x")
        self.assertIs(crm.UNSET, crm.Unset.UNSET)
        self.assertEqual(repr(crm.UNSET), "crm.UNSET")

    def test_delete_removes_the_lead_and_its_activities(self) -> None:
        lead = self.db.create_lead(self.system, "Doomed")
        call = self.db.create_activity(self.system, lead.id, "CALL")
        self.assertIsNone(self.db.delete_lead(self.system, lead.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_lead(self.system, lead.id)
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(self.system, call.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_lead(self.system, lead.id)

    def _leads(self, tag: str, specs: list[dict]) -> list[crm.Lead]:
        return [self.db.create_lead(self.system, spec.pop("title"), source=tag, **spec) for spec in specs]

    def test_list_filters(self) -> None:
        tag = self.unique("filters")
        owner, _ = self.actor()
        made = self._leads(tag, [
            {"title": "Alpha deal", "status": "NEW", "owner_id": owner.id},
            {"title": "Beta", "description": "talks about ALPHA too", "status": "CONTACTED"},
            {"title": "Gamma", "status": "QUALIFIED", "owner_id": owner.id},
            {"title": "Delta", "status": "CLOSED"},
        ])
        ids = lambda page: {lead.id for lead in page}  # noqa: E731
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag)), {lead.id for lead in made})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status="NEW")), {made[0].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=crm.LeadStatus.CLOSED)), {made[3].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=["NEW", crm.LeadStatus.QUALIFIED])),
                         {made[0].id, made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=[])), ids(made))  # no status filter
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, owner_id=owner.id)), {made[0].id, made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, owner_id=None)), {made[1].id, made[3].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, q="alpha")), {made[0].id, made[1].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, q="GAMM")), {made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag + "-none")), set())
        self.assertEqual(ids(self.db.list_leads(self.system, owner_id=uuid.UUID(owner.id))), {made[0].id, made[2].id})

    def test_list_sorting(self) -> None:
        tag = self.unique("sort")
        made = self._leads(tag, [{"title": "b", "status": "CLOSED"}, {"title": "a", "status": "CONTACTED"},
                                 {"title": "c", "status": "NEW"}])
        titles = lambda sort: [l.title for l in self.db.list_leads(self.system, source=tag, sort=sort)]  # noqa
        self.assertEqual(titles("title"), ["a", "b", "c"])
        self.assertEqual(titles("-title"), ["c", "b", "a"])
        self.assertEqual(titles("status"), ["c", "a", "b"])  # pipeline order
        self.assertEqual(titles("-status"), ["b", "a", "c"])
        by_creation = [l.id for l in sorted(made, key=lambda l: (l.created_at, l.id))]
        self.assertEqual([l.id for l in self.db.list_leads(self.system, source=tag, sort="createdAt")], by_creation)
        self.assertEqual([l.id for l in self.db.list_leads(self.system, source=tag)], by_creation[::-1])
        time.sleep(0.01)  # timestamps have milliseconds: make the update the newest for sure
        self.db.update_lead(self.system, made[0].id, description="touched")
        self.assertEqual(self.db.list_leads(self.system, source=tag, sort="-updatedAt")[0].id, made[0].id)
        self.assertInvalid("sort", self.db.list_leads, self.system, sort="owner")
        self.assertInvalid("sort", self.db.list_leads, self.system, sort="+title")

    def test_list_pagination(self) -> None:
        tag = self.unique("pages")
        made = self._leads(tag, [{"title": f"lead {i:02}"} for i in range(7)])
        seen = []
        for number in (1, 2, 3):
            page = self.db.list_leads(self.system, source=tag, sort="title", page=number, limit=3)
            self.assertEqual((page.page, page.limit, page.total, page.total_pages), (number, 3, 7, 3))
            seen += [lead.title for lead in page]
        self.assertEqual(seen, sorted(lead.title for lead in made))
        self.assertEqual(len(self.db.list_leads(self.system, source=tag, page=4, limit=3)), 0)
        self.assertInvalid("page", self.db.list_leads, self.system, page=0)
        self.assertInvalid("page", self.db.list_leads, self.system, page=-1)
        self.assertInvalid("limit", self.db.list_leads, self.system, limit=101)
        self.assertEqual(self.db.list_leads(self.system, source=tag, limit=100).limit, 100)

    def test_cursor_paging(self) -> None:
        tag = self.unique("cursor")
        made = self._leads(tag, [{"title": f"lead {i % 3}"} for i in range(8)])
        for sort in ("title", "-title", "createdAt", "-updatedAt", "status"):
            expected = [l.id for l in self.db.list_leads(self.system, source=tag, sort=sort, limit=100)]
            first = self.db.list_leads(self.system, source=tag, sort=sort, limit=3)
            self.assertEqual((first.page, first.total), (1, 8))
            walked, page = [l.id for l in first], first
            while page.next_cursor is not None:
                page = self.db.list_leads(self.system, source=tag, sort=sort, limit=3, cursor=page.next_cursor)
                self.assertEqual((page.page, page.total, page.total_pages), (None, None, None))
                walked += [l.id for l in page]
            self.assertEqual(walked, expected)
        counted = self.db.list_leads(self.system, source=tag, sort="status", limit=3, cursor=first.next_cursor,
                                     with_total=True)
        self.assertEqual((counted.total, counted.total_pages), (8, 3))
        self.assertEqual(sorted(l.id for l in self.db.iter_leads(self.system, source=tag, page_size=3)),
                         sorted(l.id for l in made))
        # Another sort, filter or list, a changed cursor, a page with a cursor: ValidationError.
        cursor = first.next_cursor
        self.assertInvalid("cursor", self.db.list_leads, self.system, source=tag, sort="-title", cursor=cursor)
        self.assertInvalid("cursor", self.db.list_leads, self.system, sort="title", cursor=cursor)
        self.assertInvalid("cursor", self.db.list_users, self.system, cursor=cursor)
        changed = cursor[:4] + ("A" if cursor[4] != "A" else "B") + cursor[5:]
        self.assertInvalid("cursor", self.db.list_leads, self.system, source=tag, sort="status", cursor=changed)
        self.assertInvalid("page", self.db.list_leads, self.system, source=tag, sort="status", cursor=cursor, page=2)
        _, sales = self.actor(crm.Role.SALES)
        self.assertInvalid("cursor", self.db.list_leads, sales, source=tag, sort="status", cursor=cursor)

    def test_create_leads_and_unicode_search(self) -> None:
        tag = self.unique("batch")
        made = self.db.create_leads(self.system, [
            {"title": "ärger", "source": tag}, {"title": "Σίσυφος", "source": tag, "status": "QUALIFIED"},
            {"title": "Straße", "source": tag, "description": "100% _sure_ \\o/"}])
        self.assertEqual([l.title for l in made], ["ärger", "Σίσυφος", "Straße"])
        self.assertEqual(made[1].status, crm.LeadStatus.QUALIFIED)
        found = lambda q: {l.title for l in self.db.list_leads(self.system, source=tag, q=q)}  # noqa: E731
        self.assertEqual(found("ÄRGER"), {"ärger"})
        self.assertEqual(found("ΣΊΣΥΦΟΣ"), {"Σίσυφος"})
        self.assertEqual(found("STRAẞE"), {"Straße"})
        self.assertEqual(found("0% _"), {"Straße"})
        self.assertEqual(found("%_"), set())
        self.assertEqual(found("\\"), {"Straße"})
        with self.assertRaises(crm.ValidationError) as caught:
            self.db.create_leads(self.system, [{"title": "fine", "source": tag}, {"title": " ", "source": tag}])
        self.assertIn("[1].title", [name for name, _ in caught.exception.errors])
        self.assertEqual(len(self.db.list_leads(self.system, source=tag)), 3)  # all or nothing
        self.assertEqual(self.db.create_leads(self.system, []), [])

    def test_role_scope(self) -> None:
        alice, sales_a = self.actor(crm.Role.SALES)
        bob, sales_b = self.actor(crm.Role.SALES)
        _, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        tag = self.unique("scope")
        mine = self.db.create_lead(sales_a, "Alice's", source=tag)
        theirs = self.db.create_lead(sales_b, "Bob's", source=tag)
        unowned = self.db.create_lead(admin, "Nobody's", source=tag, owner_id=None)
        self.assertEqual(mine.owner_id, alice.id)
        self.assertIsNone(unowned.owner_id)

        # SALES: their own leads only; everything else is "not found", exactly like a missing lead.
        self.assertEqual([l.id for l in self.db.list_leads(sales_a, source=tag)], [mine.id])
        for lead_id in (theirs.id, unowned.id):
            with self.assertRaises(crm.NotFound):
                self.db.get_lead(sales_a, lead_id)
            with self.assertRaises(crm.NotFound):
                self.db.update_lead(sales_a, lead_id, title="mine now")
            with self.assertRaises(crm.NotFound):
                self.db.delete_lead(sales_a, lead_id)
        self.assertEqual(self.db.list_leads(sales_a, source=tag, owner_id=bob.id).total, 0)
        with self.assertRaises(crm.Forbidden):
            self.db.create_lead(sales_a, "For Bob", owner_id=bob.id)
        with self.assertRaises(crm.Forbidden):
            self.db.create_lead(sales_a, "For nobody", owner_id=None)
        with self.assertRaises(crm.Forbidden):
            self.db.update_lead(sales_a, mine.id, owner_id=bob.id)
        self.assertEqual(self.db.create_lead(sales_a, "Explicitly mine", owner_id=alice.id).owner_id, alice.id)
        self.assertEqual(self.db.update_lead(sales_a, mine.id, status="CONTACTED").status, crm.LeadStatus.CONTACTED)

        # MANAGER and ADMIN: every lead; they may assign.
        for principal in (manager, admin):
            self.assertEqual({l.id for l in self.db.list_leads(principal, source=tag)},
                             {mine.id, theirs.id, unowned.id})
            self.assertEqual(self.db.get_lead(principal, theirs.id), theirs)
        self.assertEqual(self.db.update_lead(manager, unowned.id, owner_id=bob.id).owner_id, bob.id)
        self.assertEqual(self.db.create_lead(manager, "Managed", owner_id=None).owner_id, None)
        self.db.delete_lead(manager, theirs.id)
        self.assertEqual({l.id for l in self.db.list_leads(sales_b, source=tag)}, {unowned.id})


# ---- Activities ----------------------------------------------------------------------------------


class TestActivities(DatabaseCase):
    def test_create_get_update_delete(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "With activities")
        note = self.db.create_activity(sales, lead.id, crm.ActivityType.NOTE, body="first")
        self.assertIsInstance(note, crm.Activity)
        self.assertEqual((note.lead_id, note.type, note.body, note.created_by), (lead.id, crm.ActivityType.NOTE,
                                                                                "first", user.id))
        self.assertIs(note.created_at.tzinfo, timezone.utc)
        self.assertEqual(self.db.get_activity(sales, note.id), note)
        call = self.db.create_activity(sales, lead.id, "CALL")
        self.assertIsNone(call.body)

        changed = self.db.update_activity(sales, note.id, type="EMAIL")
        self.assertEqual((changed.type, changed.body), (crm.ActivityType.EMAIL, "first"))
        changed = self.db.update_activity(sales, note.id, body="second", lead_id=lead.id)  # restating the lead
        self.assertEqual((changed.type, changed.body), (crm.ActivityType.EMAIL, "second"))
        self.assertIsNone(self.db.update_activity(sales, note.id, body=None).body)
        self.assertGreaterEqual(changed.updated_at, note.updated_at)
        self.assertEqual(self.db.update_activity(sales, note.id).type, crm.ActivityType.EMAIL)

        self.assertIsNone(self.db.delete_activity(sales, note.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(sales, note.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_activity(sales, note.id)
        with self.assertRaises(crm.NotFound):
            self.db.update_activity(sales, note.id, body="gone")

    def test_the_system_principal_is_no_author(self) -> None:
        lead = self.db.create_lead(self.system, "Host's")
        self.assertIsNone(self.db.create_activity(self.system, lead.id, "NOTE").created_by)

    def test_validation(self) -> None:
        lead = self.db.create_lead(self.system, "Validated")
        other = self.db.create_lead(self.system, "Other")
        note = self.db.create_activity(self.system, lead.id, "NOTE")
        self.assertInvalid("type", self.db.create_activity, self.system, lead.id, "MEETING")
        self.assertInvalid("type", self.db.create_activity, self.system, lead.id, None)
        self.assertInvalid("type", self.db.update_activity, self.system, note.id, type="note")
        with self.assertRaises(TypeError):
            self.db.create_activity(self.system, lead.id, 0)
        self.assertInvalid("lead_id", self.db.create_activity, self.system, None, "NOTE")
        self.assertInvalid("lead_id", self.db.create_activity, self.system, "nope", "NOTE")
        self.assertInvalid("lead_id", self.db.update_activity, self.system, note.id, lead_id=other.id)
        self.assertInvalid("body", self.db.create_activity, self.system, lead.id, "NOTE", body="\x00")
        with self.assertRaises(crm.NotFound):
            self.db.create_activity(self.system, str(uuid.uuid4()), "NOTE")

    def test_list_newest_first_with_pages(self) -> None:
        lead = self.db.create_lead(self.system, "Busy")
        made = [self.db.create_activity(self.system, lead.id, "NOTE", body=str(i)) for i in range(5)]
        page = self.db.list_activities(self.system, lead.id)
        self.assertEqual((page.page, page.limit, page.total, page.total_pages), (1, 20, 5, 1))
        self.assertEqual([a.id for a in page], [a.id for a in sorted(made, key=lambda a: (a.created_at, a.id),
                                                                     reverse=True)])
        second = self.db.list_activities(self.system, lead.id, page=2, limit=2)
        self.assertEqual([a.id for a in second], [a.id for a in page.items[2:4]])
        self.assertEqual(second.total_pages, 3)
        self.assertInvalid("limit", self.db.list_activities, self.system, lead.id, limit=1000)
        with self.assertRaises(crm.NotFound):
            self.db.list_activities(self.system, str(uuid.uuid4()))

    def test_scope_follows_the_lead(self) -> None:
        _, owner = self.actor()
        _, stranger = self.actor()
        _, manager = self.actor(crm.Role.MANAGER)
        lead = self.db.create_lead(owner, "Private")
        call = self.db.create_activity(owner, lead.id, "CALL", body="secret")
        with self.assertRaises(crm.NotFound):
            self.db.create_activity(stranger, lead.id, "NOTE")
        with self.assertRaises(crm.NotFound):
            self.db.list_activities(stranger, lead.id)
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(stranger, call.id)
        with self.assertRaises(crm.NotFound):
            self.db.update_activity(stranger, call.id, body="mine")
        with self.assertRaises(crm.NotFound):
            self.db.delete_activity(stranger, call.id)
        self.assertEqual(self.db.get_activity(manager, call.id), call)
        self.assertEqual(self.db.list_activities(manager, lead.id).total, 1)
        self.db.create_activity(manager, lead.id, "EMAIL")


# ---- The JSON renderings and text timestamps of the C ABI ----------------------------------------


class TestJson(DatabaseCase):
    """crm_*_to_json and the RFC 3339 getters, which the Python API does not need (it builds its
    dataclasses from the typed getters), called through the ctypes table directly."""

    @staticmethod
    def rfc3339(stamp: datetime) -> str:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"

    def test_user_and_tokens(self) -> None:
        email = self.email()
        result = self.db.register(email, PASSWORD)

        def render(tokens):
            user = lib.crm_tokens_user(tokens)
            return (json.loads(_ffi.json_text(lib.crm_tokens_to_json, tokens)),
                    json.loads(_ffi.json_text(lib.crm_user_to_json, user)),
                    lib.crm_user_created_at(user).decode(), lib.crm_user_updated_at(user).decode())

        whole, user, created, updated = _ffi.fetch(
            lib.crm_auth_login, _ffi.crm_tokens, lib.crm_tokens_free, render, self.db, email.encode(),
            PASSWORD.encode())
        self.assertEqual(list(whole), ["user", "accessToken", "refreshToken"])
        self.assertEqual(whole["user"], user)
        self.assertEqual(user, {"id": result.user.id, "name": result.user.name, "email": email, "role": "SALES",
                                "createdAt": self.rfc3339(result.user.created_at),
                                "updatedAt": self.rfc3339(result.user.updated_at)})
        self.assertEqual((created, updated), (user["createdAt"], user["updatedAt"]))
        refreshed = _ffi.fetch(lib.crm_auth_refresh, _ffi.crm_tokens, lib.crm_tokens_free,
                               lambda t: json.loads(_ffi.json_text(lib.crm_tokens_to_json, t)), self.db,
                               whole["refreshToken"].encode())
        self.assertEqual(list(refreshed), ["accessToken", "refreshToken"])  # no user after a refresh

    def test_lead_activity_and_pages(self) -> None:
        lead = self.db.create_lead(self.system, "JSON", metadata={"n": [1, {"m": None}]}, source=self.unique("json"))
        note = self.db.create_activity(self.system, lead.id, "NOTE", body="b")

        def lead_json(p):
            return (json.loads(_ffi.json_text(lib.crm_lead_to_json, p)), lib.crm_lead_created_at(p).decode(),
                    lib.crm_lead_updated_at(p).decode())

        rendered, created, updated = _ffi.fetch(lib.crm_lead_get, _ffi.crm_lead, lib.crm_lead_free, lead_json,
                                                self.db, self.system, lead.id.encode())
        self.assertEqual(rendered, {"id": lead.id, "title": "JSON", "description": None, "status": "NEW",
                                    "source": lead.source, "ownerId": None, "metadata": {"n": [1, {"m": None}]},
                                    "createdAt": self.rfc3339(lead.created_at),
                                    "updatedAt": self.rfc3339(lead.updated_at)})
        self.assertEqual((created, updated), (rendered["createdAt"], rendered["updatedAt"]))

        def activity_json(p):
            return (json.loads(_ffi.json_text(lib.crm_activity_to_json, p)), lib.crm_activity_created_at(p).decode(),
                    lib.crm_activity_updated_at(p).decode())

        rendered, created, updated = _ffi.fetch(lib.crm_activity_get, _ffi.crm_activity, lib.crm_activity_free,
                                                activity_json, self.db, self.system, note.id.encode())
        self.assertEqual(rendered, {"id": note.id, "leadId": lead.id, "type": "NOTE", "body": "b", "createdBy": None,
                                    "createdAt": self.rfc3339(note.created_at),
                                    "updatedAt": self.rfc3339(note.updated_at)})
        self.assertEqual((created, updated), (rendered["createdAt"], rendered["updatedAt"]))

        as_json = lambda to_json: lambda p: json.loads(_ffi.json_text(to_json, p))  # noqa: E731
        page = _ffi.fetch(lib.crm_activity_list, _ffi.crm_activity_page, lib.crm_activity_page_free,
                          as_json(lib.crm_activity_page_to_json), self.db, self.system, lead.id.encode(), 1, 20)
        self.assertEqual(page, {"data": [rendered], "pagination": {"page": 1, "limit": 20, "total": 1,
                                                                    "totalPages": 1, "nextCursor": None}})
        which = _ffi.new(lib.crm_lead_filter_new, _ffi.crm_lead_filter)
        try:
            lib.crm_lead_filter_set_source(which, lead.source.encode())
            page = _ffi.fetch(lib.crm_lead_list, _ffi.crm_lead_page, lib.crm_lead_page_free,
                              as_json(lib.crm_lead_page_to_json), self.db, self.system, which, None, 1, 5)
        finally:
            lib.crm_lead_filter_free(which)
        self.assertEqual([item["id"] for item in page["data"]], [lead.id])
        self.assertEqual(page["pagination"], {"page": 1, "limit": 5, "total": 1, "totalPages": 1,
                                               "nextCursor": None})
        page = _ffi.fetch(lib.crm_user_list, _ffi.crm_user_page, lib.crm_user_page_free,
                          as_json(lib.crm_user_page_to_json), self.db, self.system, 1, 1)
        self.assertEqual(page["data"], [])
        self.assertEqual(page["pagination"], {"page": 1, "limit": 1, "total": 0, "totalPages": 0,
                                               "nextCursor": None})

    def test_to_json_of_null_is_invalid(self) -> None:
        out = ctypes.c_void_p()
        with self.assertRaises(crm.ValidationError):
            lib.crm_lead_to_json(ctypes.byref(out), None)
        self.assertIsNone(out.value)


# ---- Threads -------------------------------------------------------------------------------------


class TestThreads(DatabaseCase):
    pool_size = 8
    THREADS = 8
    PER_THREAD = 25

    def test_threads_share_one_database_and_principal(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        tag = self.unique("threads")
        created: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(self.THREADS)
        lock = threading.Lock()

        def work(n: int) -> None:
            try:
                start.wait(30)
                for i in range(self.PER_THREAD):
                    lead = self.db.create_lead(admin, f"thread {n} lead {i}", source=tag, metadata={"n": n, "i": i})
                    with lock:
                        created.append(lead.id)
                    if i % 5 == 0:  # mix reads in with the writes
                        self.db.list_leads(admin, source=tag, limit=5)
                        with self.assertRaises(crm.NotFound):
                            self.db.get_lead(admin, str(uuid.uuid4()))  # errors stay on their thread
            except BaseException as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertFalse(any(t.is_alive() for t in threads), "a thread hung")
        self.assertEqual(errors, [])
        expected = self.THREADS * self.PER_THREAD
        self.assertEqual(len(created), expected)
        self.assertEqual(len(set(created)), expected)
        self.assertEqual(self.db.list_leads(admin, source=tag, limit=1).total, expected)
        everything = set()
        for number in range(1, expected // 100 + 2):
            everything |= {lead.id for lead in self.db.list_leads(admin, source=tag, page=number, limit=100)}
        self.assertEqual(everything, set(created))

    def test_closing_while_other_threads_call_is_safe(self) -> None:
        db = open_database(self.scratch.url)
        stop_reasons: list[BaseException] = []
        started = threading.Barrier(5)

        def hammer() -> None:
            started.wait(30)
            try:
                while True:
                    db.ping()
                    db.list_leads(self.system, limit=1)
            except BaseException as e:
                stop_reasons.append(e)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        started.wait(30)
        threading.Event().wait(0.2)
        db.close()
        for t in threads:
            t.join(60)
        self.assertEqual(len(stop_reasons), 4)
        for reason in stop_reasons:
            self.assertIsInstance(reason, ValueError)
            self.assertIn("closed", str(reason))


# ---- Runner --------------------------------------------------------------------------------------


def main() -> int:
    print(f"crm {crm.__version__} from {Path(crm.__file__).parent}; libcrm {crm.library_version()} at "
          f"{crm.library_path}; backend {BACKEND}; Python {sys.version.split()[0]}", flush=True)
    program = unittest.main(module=__name__, exit=False, verbosity=2)
    result = program.result
    if result.testsRun == 0:
        print("FAILED: no test ran", file=sys.stderr)
        return 1
    if result.skipped:
        print(f"FAILED: {len(result.skipped)} test(s) skipped; this suite never skips (a PostgreSQL run "
              "without CRM_TEST_PG_URL must fail)", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
