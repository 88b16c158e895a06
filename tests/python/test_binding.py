#!/usr/bin/env python3
"""The package and its ctypes table, checked against crm.h; loading; handles; errors.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

import crm
from crm import _ffi
from crm._ffi import lib
from support import SECRET, main, ScratchDatabase
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


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
        self.assertEqual({k[len("CRM_"):]: v for k, v in self.header.enums["crm_status_t"].items()},
                         {s.name: s.value for s in crm.Status})
        # The *_INVALID values are what C getters return for NULL; Python never sees them.
        def valid(c_enum: str) -> dict:
            return {k: v for k, v in self.header.enums[c_enum].items() if not k.endswith("_INVALID")}
        self.assertEqual(valid("crm_backend_t"),
                         {"CRM_BACKEND_SQLITE": _ffi.CRM_BACKEND_SQLITE,
                          "CRM_BACKEND_POSTGRESQL": _ffi.CRM_BACKEND_POSTGRESQL})
        self.assertEqual(self.header.enums["crm_sort_direction_t"],
                         {"CRM_SORT_DESCENDING": _ffi.CRM_SORT_DESCENDING,
                          "CRM_SORT_ASCENDING": _ffi.CRM_SORT_ASCENDING})
        for c_enum, prefix, cls in (("crm_role_t", "CRM_ROLE_", crm.Role), ("crm_lead_status_t", "CRM_LEAD_", crm.LeadStatus),
                                    ("crm_activity_type_t", "CRM_ACTIVITY_", crm.ActivityType),
                                    ("crm_jwt_algorithm_t", "CRM_JWT_", crm.JwtAlgorithm),
                                    ("crm_backend_t", "CRM_BACKEND_", crm.Backend),
                                    ("crm_lead_sort_t", "CRM_LEAD_SORT_", crm.LeadSort)):
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
        self.assertEqual(lib.crm_lead_status(None), -1)  # CRM_LEAD_STATUS_INVALID
        self.assertEqual(lib.crm_activity_type(None), -1)  # CRM_ACTIVITY_TYPE_INVALID
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


if __name__ == "__main__":
    sys.exit(main(__name__))
