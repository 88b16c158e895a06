"""The C ABI (capi/crm.h) in ctypes: one table of (name, argtypes, restype, errcheck), applied once.

Every function of crm.h is declared here, with its exact signature: each handle is its own
incomplete Structure, so passing a lead where a user is expected is a ctypes.ArgumentError rather
than a crash. Functions returning a crm_status_t get ``check`` as errcheck, which turns a failure
into the matching crm.Error (read from crm_error_last() on the calling thread, right after the
call). Library-allocated ``char *`` results (the *_to_json functions) come through ``char **out``
declared as ``POINTER(c_void_p)``: ``take_string`` copies them with string_at and frees them with
crm_free (a c_char_p would lose the pointer and leak).
"""

from __future__ import annotations

import re
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int, c_int64, c_size_t, c_uint, c_uint64,
                    c_void_p, string_at)
from typing import Any, Callable, TypeVar

from . import _errors
from ._lib import lib

# ---- Constants of crm.h (tests/python checks them against the header) ------------------------

CRM_DB_OPTIONS_VERSION = 2
CRM_PAGE_DEFAULT_LIMIT = 20
CRM_PAGE_MAX_LIMIT = 100
CRM_PAGE_REQUEST_VERSION = 1
CRM_BACKEND_SQLITE = 0
CRM_BACKEND_POSTGRESQL = 1
CRM_SORT_DESCENDING = 0
CRM_SORT_ASCENDING = 1

# ---- Types ----------------------------------------------------------------------------------

c_enum = c_int    # every crm_* enum (an int in the C ABI on the platforms we build for)
c_status = c_int  # crm_status_t, returned by every function that can fail


class crm_error(Structure): pass            # noqa: E701 (opaque handles: never dereferenced)
class crm_db(Structure): pass               # noqa: E701
class crm_principal(Structure): pass        # noqa: E701
class crm_tokens(Structure): pass           # noqa: E701
class crm_user(Structure): pass             # noqa: E701
class crm_lead(Structure): pass             # noqa: E701
class crm_activity(Structure): pass         # noqa: E701
class crm_user_page(Structure): pass        # noqa: E701
class crm_lead_page(Structure): pass        # noqa: E701
class crm_activity_page(Structure): pass    # noqa: E701
class crm_user_fields(Structure): pass      # noqa: E701
class crm_lead_fields(Structure): pass      # noqa: E701
class crm_activity_fields(Structure): pass  # noqa: E701
class crm_lead_filter(Structure): pass      # noqa: E701


class crm_page_request(Structure):
    """struct crm_page_request, version 1 (fields are only ever appended)."""

    _fields_ = [
        ("version", c_uint),
        ("page", c_int64),
        ("limit", c_int64),
        ("cursor", c_char_p),
        ("with_total", c_int),
    ]


class crm_db_options(Structure):
    """struct crm_db_options, version 2 (fields are only ever appended)."""

    _fields_ = [
        ("version", c_uint),
        ("pool_size", c_uint),
        ("lease_timeout_ms", c_uint),
        ("jwt_secret", c_char_p),
        ("jwt_algorithm", c_enum),
        ("access_token_ttl_s", c_int64),
        ("refresh_token_ttl_s", c_int64),
        ("leeway_s", c_int64),
        ("password_opslimit", c_uint64),
        ("password_memlimit", c_uint64),
        ("max_concurrent_hashes", c_uint),
        ("max_queued_hashes", c_int),
        ("login_max_failures", c_uint),
        ("login_window_s", c_int64),
    ]


def _p(t: Any) -> Any:
    return POINTER(t)


def _out(t: Any) -> Any:
    """`T **out`: where a new handle is written."""
    return POINTER(POINTER(t))


_owned_text = POINTER(c_void_p)  # `char **out`: library-allocated text, released with crm_free


# ---- Errors ---------------------------------------------------------------------------------

def python_name(field: str) -> str:
    """A field name as the Python caller spells it: the core names fields as the HTTP contract
    does ("ownerId"), the C ABI its parameters ("owner_id", "opts.jwt_secret"); here both become
    the keyword argument's snake_case name ("owner_id", "jwt_secret")."""
    if field.startswith("opts."):
        field = field[len("opts."):]
    return _CAMEL_HUMP.sub(r"\1_\2", field).lower()


_CAMEL_HUMP = re.compile(r"([a-z0-9])([A-Z])")


def last_error(status: int) -> _errors.Error:
    """The exception for `status`, with the details crm_error_last() holds on this thread."""
    error = lib.crm_error_last()
    message = (lib.crm_error_message(error) or b"").decode("utf-8", "replace")
    fields = []
    for i in range(lib.crm_error_field_count(error)):
        name = (lib.crm_error_field_name(error, i) or b"").decode("utf-8", "replace")
        problem = (lib.crm_error_field_message(error, i) or b"").decode("utf-8", "replace")
        fields.append((python_name(name), problem))
        if message.startswith(name + " "):  # "ownerId must be ..." -> "owner_id must be ..."
            message = python_name(name) + message[len(name):]
    if not message:
        message = (lib.crm_status_name(status) or b"unknown status %d" % status).decode()
    retry_after = lib.crm_error_retry_after(error)
    return _errors.from_status(status, message, fields, retry_after=retry_after if retry_after > 0 else None)


def check(result: int, func: Any, args: tuple) -> int:
    """errcheck of every function returning a crm_status_t: CRM_OK passes, anything else raises."""
    if result == 0:
        return result
    raise last_error(result)


# ---- The table ------------------------------------------------------------------------------

_S = c_status
_T = c_char_p  # `const char *`: input text, or borrowed output text (copied into bytes)

# int (*crm_lead_visitor)(const crm_lead *lead, void *context)
crm_lead_visitor = CFUNCTYPE(c_int, _p(crm_lead), c_void_p)

_TABLE: tuple[tuple[str, list, Any, Callable | None], ...] = (
    # Version
    ("crm_version", [], _T, None),
    ("crm_version_number", [], c_int, None),
    # Status and errors
    ("crm_status_name", [c_int], _T, None),
    ("crm_error_last", [], _p(crm_error), None),
    ("crm_error_code", [_p(crm_error)], c_int, None),
    ("crm_error_message", [_p(crm_error)], _T, None),
    ("crm_error_field_count", [_p(crm_error)], c_size_t, None),
    ("crm_error_field_name", [_p(crm_error), c_size_t], _T, None),
    ("crm_error_field_message", [_p(crm_error), c_size_t], _T, None),
    ("crm_error_retry_after", [_p(crm_error)], c_int64, None),
    ("crm_free", [c_void_p], None, None),
    # Enums
    ("crm_role_name", [c_enum], _T, None),
    ("crm_lead_status_name", [c_enum], _T, None),
    ("crm_activity_type_name", [c_enum], _T, None),
    ("crm_jwt_algorithm_name", [c_enum], _T, None),
    ("crm_lead_sort_name", [c_enum], _T, None),
    ("crm_role_parse", [_p(c_enum), _T], _S, check),
    ("crm_lead_status_parse", [_p(c_enum), _T], _S, check),
    ("crm_activity_type_parse", [_p(c_enum), _T], _S, check),
    ("crm_jwt_algorithm_parse", [_p(c_enum), _T], _S, check),
    ("crm_lead_sort_parse", [_p(c_enum), _T], _S, check),
    # Database
    ("crm_db_options_init", [_p(crm_db_options), c_uint], _S, check),
    ("crm_db_open", [_out(crm_db), _T, _p(crm_db_options)], _S, check),
    ("crm_db_migrate", [_p(crm_db)], _S, check),
    ("crm_db_schema_version", [_p(c_int), _p(crm_db)], _S, check),
    ("crm_db_latest_schema_version", [], c_int, None),
    ("crm_db_ping", [_p(crm_db)], _S, check),
    ("crm_db_backend", [_p(crm_db)], c_enum, None),
    ("crm_db_free", [_p(crm_db)], None, None),
    # Principals and authentication
    ("crm_principal_system", [_out(crm_principal)], _S, check),
    ("crm_principal_user_id", [_p(crm_principal)], _T, None),
    ("crm_principal_role", [_p(crm_principal)], c_enum, None),
    ("crm_principal_is_system", [_p(crm_principal)], c_int, None),
    ("crm_principal_free", [_p(crm_principal)], None, None),
    ("crm_auth_register", [_out(crm_tokens), _p(crm_db), _T, _T, _T], _S, check),
    ("crm_auth_login", [_out(crm_tokens), _p(crm_db), _T, _T], _S, check),
    ("crm_auth_login_from", [_out(crm_tokens), _p(crm_db), _T, _T, _T], _S, check),
    ("crm_auth_refresh", [_out(crm_tokens), _p(crm_db), _T], _S, check),
    ("crm_auth_logout", [_p(crm_db), _T], _S, check),
    ("crm_auth_authenticate", [_out(crm_principal), _p(crm_db), _T], _S, check),
    ("crm_auth_me", [_out(crm_user), _p(crm_db), _p(crm_principal)], _S, check),
    ("crm_tokens_access_token", [_p(crm_tokens)], _T, None),
    ("crm_tokens_refresh_token", [_p(crm_tokens)], _T, None),
    ("crm_tokens_user", [_p(crm_tokens)], _p(crm_user), None),
    ("crm_tokens_to_json", [_owned_text, _p(crm_tokens)], _S, check),
    ("crm_tokens_free", [_p(crm_tokens)], None, None),
    # Users
    ("crm_page_request_init", [_p(crm_page_request)], _S, check),
    ("crm_user_list", [_out(crm_user_page), _p(crm_db), _p(crm_principal), _p(crm_page_request)], _S, check),
    ("crm_user_get", [_out(crm_user), _p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_user_create", [_out(crm_user), _p(crm_db), _p(crm_principal), _T, _T, _T, c_enum], _S, check),
    ("crm_user_update", [_out(crm_user), _p(crm_db), _p(crm_principal), _T, _p(crm_user_fields)], _S, check),
    ("crm_user_delete", [_p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_user_id", [_p(crm_user)], _T, None),
    ("crm_user_name", [_p(crm_user)], _T, None),
    ("crm_user_email", [_p(crm_user)], _T, None),
    ("crm_user_created_at", [_p(crm_user)], _T, None),
    ("crm_user_updated_at", [_p(crm_user)], _T, None),
    ("crm_user_role", [_p(crm_user)], c_enum, None),
    ("crm_user_created_at_ms", [_p(crm_user)], c_int64, None),
    ("crm_user_updated_at_ms", [_p(crm_user)], c_int64, None),
    ("crm_user_to_json", [_owned_text, _p(crm_user)], _S, check),
    ("crm_user_free", [_p(crm_user)], None, None),
    ("crm_user_page_count", [_p(crm_user_page)], c_size_t, None),
    ("crm_user_page_at", [_p(crm_user_page), c_size_t], _p(crm_user), None),
    ("crm_user_page_number", [_p(crm_user_page)], c_int64, None),
    ("crm_user_page_limit", [_p(crm_user_page)], c_int64, None),
    ("crm_user_page_total", [_p(crm_user_page)], c_int64, None),
    ("crm_user_page_total_pages", [_p(crm_user_page)], c_int64, None),
    ("crm_user_page_to_json", [_owned_text, _p(crm_user_page)], _S, check),
    ("crm_user_page_next_cursor", [_p(crm_user_page)], _T, None),
    ("crm_user_page_free", [_p(crm_user_page)], None, None),
    ("crm_user_fields_new", [_out(crm_user_fields)], _S, check),
    ("crm_user_fields_set_name", [_p(crm_user_fields), _T], _S, check),
    ("crm_user_fields_set_email", [_p(crm_user_fields), _T], _S, check),
    ("crm_user_fields_set_role", [_p(crm_user_fields), c_enum], _S, check),
    ("crm_user_fields_set_password", [_p(crm_user_fields), _T, _T], _S, check),
    ("crm_user_fields_free", [_p(crm_user_fields)], None, None),
    # Leads
    ("crm_lead_create", [_out(crm_lead), _p(crm_db), _p(crm_principal), _p(crm_lead_fields)], _S, check),
    ("crm_lead_get", [_out(crm_lead), _p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_lead_update", [_out(crm_lead), _p(crm_db), _p(crm_principal), _T, _p(crm_lead_fields)], _S, check),
    ("crm_lead_delete", [_p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_lead_list", [_out(crm_lead_page), _p(crm_db), _p(crm_principal), _p(crm_lead_filter), c_enum, c_enum,
                       _p(crm_page_request)], _S, check),
    ("crm_lead_id", [_p(crm_lead)], _T, None),
    ("crm_lead_title", [_p(crm_lead)], _T, None),
    ("crm_lead_description", [_p(crm_lead)], _T, None),
    ("crm_lead_source", [_p(crm_lead)], _T, None),
    ("crm_lead_owner_id", [_p(crm_lead)], _T, None),
    ("crm_lead_metadata", [_p(crm_lead)], _T, None),
    ("crm_lead_created_at", [_p(crm_lead)], _T, None),
    ("crm_lead_updated_at", [_p(crm_lead)], _T, None),
    ("crm_lead_status", [_p(crm_lead)], c_enum, None),
    ("crm_lead_created_at_ms", [_p(crm_lead)], c_int64, None),
    ("crm_lead_updated_at_ms", [_p(crm_lead)], c_int64, None),
    ("crm_lead_to_json", [_owned_text, _p(crm_lead)], _S, check),
    ("crm_lead_free", [_p(crm_lead)], None, None),
    ("crm_lead_page_count", [_p(crm_lead_page)], c_size_t, None),
    ("crm_lead_page_at", [_p(crm_lead_page), c_size_t], _p(crm_lead), None),
    ("crm_lead_page_number", [_p(crm_lead_page)], c_int64, None),
    ("crm_lead_page_limit", [_p(crm_lead_page)], c_int64, None),
    ("crm_lead_page_total", [_p(crm_lead_page)], c_int64, None),
    ("crm_lead_page_total_pages", [_p(crm_lead_page)], c_int64, None),
    ("crm_lead_page_to_json", [_owned_text, _p(crm_lead_page)], _S, check),
    ("crm_lead_page_next_cursor", [_p(crm_lead_page)], _T, None),
    ("crm_lead_page_free", [_p(crm_lead_page)], None, None),
    ("crm_lead_for_each", [_p(crm_db), _p(crm_principal), _p(crm_lead_filter), crm_lead_visitor, c_void_p], _S, check),
    ("crm_lead_create_many", [_out(crm_lead_page), _p(crm_db), _p(crm_principal), _p(_p(crm_lead_fields)), c_size_t],
     _S, check),
    ("crm_lead_fields_new", [_out(crm_lead_fields)], _S, check),
    ("crm_lead_fields_set_title", [_p(crm_lead_fields), _T], _S, check),
    ("crm_lead_fields_set_description", [_p(crm_lead_fields), _T], _S, check),
    ("crm_lead_fields_set_status", [_p(crm_lead_fields), c_enum], _S, check),
    ("crm_lead_fields_set_source", [_p(crm_lead_fields), _T], _S, check),
    ("crm_lead_fields_set_owner_id", [_p(crm_lead_fields), _T], _S, check),
    ("crm_lead_fields_set_metadata", [_p(crm_lead_fields), _T], _S, check),
    ("crm_lead_fields_free", [_p(crm_lead_fields)], None, None),
    ("crm_lead_filter_new", [_out(crm_lead_filter)], _S, check),
    ("crm_lead_filter_set_statuses", [_p(crm_lead_filter), _p(c_enum), c_size_t], _S, check),
    ("crm_lead_filter_set_owner_id", [_p(crm_lead_filter), _T], _S, check),
    ("crm_lead_filter_set_source", [_p(crm_lead_filter), _T], _S, check),
    ("crm_lead_filter_set_query", [_p(crm_lead_filter), _T], _S, check),
    ("crm_lead_filter_free", [_p(crm_lead_filter)], None, None),
    # Activities
    ("crm_activity_create", [_out(crm_activity), _p(crm_db), _p(crm_principal), _T, c_enum, _T], _S, check),
    ("crm_activity_get", [_out(crm_activity), _p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_activity_update", [_out(crm_activity), _p(crm_db), _p(crm_principal), _T, _p(crm_activity_fields)],
     _S, check),
    ("crm_activity_delete", [_p(crm_db), _p(crm_principal), _T], _S, check),
    ("crm_activity_list", [_out(crm_activity_page), _p(crm_db), _p(crm_principal), _T, _p(crm_page_request)],
     _S, check),
    ("crm_activity_id", [_p(crm_activity)], _T, None),
    ("crm_activity_lead_id", [_p(crm_activity)], _T, None),
    ("crm_activity_body", [_p(crm_activity)], _T, None),
    ("crm_activity_created_by", [_p(crm_activity)], _T, None),
    ("crm_activity_created_at", [_p(crm_activity)], _T, None),
    ("crm_activity_updated_at", [_p(crm_activity)], _T, None),
    ("crm_activity_type", [_p(crm_activity)], c_enum, None),
    ("crm_activity_created_at_ms", [_p(crm_activity)], c_int64, None),
    ("crm_activity_updated_at_ms", [_p(crm_activity)], c_int64, None),
    ("crm_activity_to_json", [_owned_text, _p(crm_activity)], _S, check),
    ("crm_activity_free", [_p(crm_activity)], None, None),
    ("crm_activity_page_count", [_p(crm_activity_page)], c_size_t, None),
    ("crm_activity_page_at", [_p(crm_activity_page), c_size_t], _p(crm_activity), None),
    ("crm_activity_page_number", [_p(crm_activity_page)], c_int64, None),
    ("crm_activity_page_limit", [_p(crm_activity_page)], c_int64, None),
    ("crm_activity_page_total", [_p(crm_activity_page)], c_int64, None),
    ("crm_activity_page_total_pages", [_p(crm_activity_page)], c_int64, None),
    ("crm_activity_page_to_json", [_owned_text, _p(crm_activity_page)], _S, check),
    ("crm_activity_page_next_cursor", [_p(crm_activity_page)], _T, None),
    ("crm_activity_page_free", [_p(crm_activity_page)], None, None),
    ("crm_activity_fields_new", [_out(crm_activity_fields)], _S, check),
    ("crm_activity_fields_set_type", [_p(crm_activity_fields), c_enum], _S, check),
    ("crm_activity_fields_set_body", [_p(crm_activity_fields), _T], _S, check),
    ("crm_activity_fields_set_lead_id", [_p(crm_activity_fields), _T], _S, check),
    ("crm_activity_fields_free", [_p(crm_activity_fields)], None, None),
)


def _apply() -> None:
    missing = []
    for name, argtypes, restype, errcheck in _TABLE:
        try:
            function = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        function.argtypes = argtypes
        function.restype = restype
        if errcheck is not None:
            function.errcheck = errcheck
    if missing:
        from ._lib import path
        raise ImportError(f"crm: {path} lacks {', '.join(missing)}: it is older than this binding's crm.h")


_apply()


# ---- Helpers ----------------------------------------------------------------------------------

H = TypeVar("H")
R = TypeVar("R")


def fetch(function: Any, handle_type: type, free: Callable[[Any], None], convert: Callable[[Any], R], *args: Any) -> R:
    """Calls `function(&out, *args)`, converts the new handle with `convert` and frees it."""
    out = POINTER(handle_type)()
    function(byref(out), *args)
    try:
        return convert(out)
    finally:
        free(out)


def new(function: Any, handle_type: type) -> Any:
    """A new handle from `function(&out)` (a crm_*_new): the caller frees it."""
    out = POINTER(handle_type)()
    function(byref(out))
    return out


def take_string(out: c_void_p) -> str:
    """The text a `char **out` received: copied, then released with crm_free."""
    try:
        return string_at(out.value).decode("utf-8") if out.value else ""
    finally:
        lib.crm_free(out)


def json_text(function: Any, handle: Any) -> str:
    """The JSON text a crm_*_to_json(char **out, handle) renders."""
    out = c_void_p()
    function(byref(out), handle)
    return take_string(out)


def borrowed(value: bytes | None) -> str | None:
    """A borrowed `const char *` getter result as str (None for NULL)."""
    return None if value is None else value.decode("utf-8")
