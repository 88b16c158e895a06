"""Conversions between Python values and the C ABI's: arguments in, handles out.

Arguments are only converted here (type, UTF-8, range of the C type); every rule about their
values is the library's, which reports it as a ValidationError like any other.
"""

from __future__ import annotations

import enum
import json
import operator
import uuid
from ctypes import byref, c_int
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, TypeVar

from . import _errors
from ._ffi import (CRM_PAGE_REQUEST_VERSION, CRM_SORT_ASCENDING, CRM_SORT_DESCENDING, borrowed, crm_page_request,
                   lib)
from ._models import (Activity, ActivityType, AuthResult, JwtAlgorithm, Lead, LeadSort, LeadStatus, Page, Role, Tokens,
                      User)

E = TypeVar("E", Role, LeadStatus, ActivityType, JwtAlgorithm, LeadSort)
T = TypeVar("T")

# ---- Enums: the C values come from the library's own name tables ----------------------------


def _enum_table(name_of: Callable[[int], bytes | None], cls: type[E]) -> tuple[dict[E, int], dict[int, E]]:
    to_c: dict[E, int] = {}
    from_c: dict[int, E] = {}
    for value in range(256):
        name = name_of(value)
        if name is None:
            break
        try:
            member = cls(name.decode())
        except ValueError:  # a value added to a newer library: unknown here, reported when met
            continue
        to_c[member] = value
        from_c[value] = member
    if len(to_c) != len(cls):
        missing = ", ".join(m.value for m in cls if m not in to_c)
        raise ImportError(f"crm: the loaded libcrm does not know {cls.__name__} {missing}: "
                          "it does not match this binding")
    return to_c, from_c


_ENUMS: dict[type, tuple[dict, dict, Any]] = {}
for _cls, _name_of, _parse in (
    (Role, lib.crm_role_name, lib.crm_role_parse),
    (LeadStatus, lib.crm_lead_status_name, lib.crm_lead_status_parse),
    (ActivityType, lib.crm_activity_type_name, lib.crm_activity_type_parse),
    (JwtAlgorithm, lib.crm_jwt_algorithm_name, lib.crm_jwt_algorithm_parse),
    (LeadSort, lib.crm_lead_sort_name, lib.crm_lead_sort_parse),
):
    _ENUMS[_cls] = (*_enum_table(_name_of, _cls), _parse)


def enum_in(value: Any, cls: type[E], field: str) -> int:
    """The C value of `value`: a member of `cls`, or its wire name ("NEW"), parsed by the library."""
    to_c, _, parse = _ENUMS[cls]
    if isinstance(value, cls):
        return to_c[value]
    if value is None:
        raise _errors.invalid(field, "must not be null")
    # A member of another enum is a str too (they are StrEnums), but passing one is a slip of the
    # caller's, not a name to parse.
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        out = c_int()
        try:
            parse(byref(out), text(value, field))
        except _errors.ValidationError as e:
            # The library names its parameter ("name"); the caller knows this one as `field`.
            problems = [problem for _, problem in e.errors] or [e.message]
            raise _errors.ValidationError(f"{field} {problems[0]}", errors=[(field, p) for p in problems]) from None
        return out.value
    raise TypeError(f"{field} must be a {cls.__name__} or its name, not {type(value).__name__}")


def enum_out(value: int, cls: type[E]) -> E:
    try:
        return _ENUMS[cls][1][value]
    except KeyError:
        raise _errors.InternalError(
            f"the library returned {cls.__name__} value {value}, unknown to this binding") from None


# ---- Scalars ---------------------------------------------------------------------------------


def text(value: Any, field: str) -> bytes | None:
    """A `const char *` argument: str as UTF-8, None as NULL (the library says where NULL is wrong)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    if "\x00" in value:  # C strings end at NUL: the rest would be cut off silently
        raise _errors.invalid(field, "must not contain U+0000")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as e:  # lone surrogates
        raise _errors.invalid(field, "must be valid UTF-8") from e


def id_in(value: Any, field: str) -> bytes | None:
    """An id: a str (canonical UUID text, either case) or a uuid.UUID."""
    if isinstance(value, uuid.UUID):
        value = str(value)
    return text(value, field)


def integer(value: Any, field: str, bits: int, signed: bool) -> int:
    """An int that fits the C type (ctypes would silently wrap one that does not)."""
    if isinstance(value, bool):
        raise TypeError(f"{field} must be an int, not bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{field} must be an int, not {type(value).__name__}") from None
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not low <= value <= high:
        raise _errors.invalid(field, f"must be from {low} to {high}")
    return value


def int64(value: Any, field: str) -> int:
    return integer(value, field, 64, signed=True)


def metadata_in(value: Any) -> bytes | None:
    """Lead metadata: any JSON-serialisable value as JSON text (the library accepts only an object
    or null), None as null."""
    if value is None:
        return None
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise _errors.invalid("metadata", f"must be JSON-serialisable ({e})") from e
    return text(encoded, "metadata")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def timestamp(ms: int) -> datetime:
    """Milliseconds since the Unix epoch as an aware datetime in UTC (exact: no float on the way)."""
    return _EPOCH + timedelta(milliseconds=ms)


# ---- Handles out -------------------------------------------------------------------------------


def user(p: Any) -> User:
    return User(
        id=borrowed(lib.crm_user_id(p)),
        name=borrowed(lib.crm_user_name(p)),
        email=borrowed(lib.crm_user_email(p)),
        role=enum_out(lib.crm_user_role(p), Role),
        created_at=timestamp(lib.crm_user_created_at_ms(p)),
        updated_at=timestamp(lib.crm_user_updated_at_ms(p)),
    )


def lead(p: Any) -> Lead:
    metadata = borrowed(lib.crm_lead_metadata(p))
    return Lead(
        id=borrowed(lib.crm_lead_id(p)),
        title=borrowed(lib.crm_lead_title(p)),
        description=borrowed(lib.crm_lead_description(p)),
        status=enum_out(lib.crm_lead_status(p), LeadStatus),
        source=borrowed(lib.crm_lead_source(p)),
        owner_id=borrowed(lib.crm_lead_owner_id(p)),
        metadata=None if metadata is None else json.loads(metadata),
        created_at=timestamp(lib.crm_lead_created_at_ms(p)),
        updated_at=timestamp(lib.crm_lead_updated_at_ms(p)),
    )


def activity(p: Any) -> Activity:
    return Activity(
        id=borrowed(lib.crm_activity_id(p)),
        lead_id=borrowed(lib.crm_activity_lead_id(p)),
        type=enum_out(lib.crm_activity_type(p), ActivityType),
        body=borrowed(lib.crm_activity_body(p)),
        created_by=borrowed(lib.crm_activity_created_by(p)),
        created_at=timestamp(lib.crm_activity_created_at_ms(p)),
        updated_at=timestamp(lib.crm_activity_updated_at_ms(p)),
    )


def tokens(p: Any) -> Tokens:
    return Tokens(access_token=borrowed(lib.crm_tokens_access_token(p)),
                  refresh_token=borrowed(lib.crm_tokens_refresh_token(p)))


def auth_result(p: Any) -> AuthResult:
    return AuthResult(user=user(lib.crm_tokens_user(p)), tokens=tokens(p))


def _page_of(prefix: str, item: Callable[[Any], T]) -> Callable[[Any], Page[T]]:
    count, at = getattr(lib, prefix + "_count"), getattr(lib, prefix + "_at")
    number, limit = getattr(lib, prefix + "_number"), getattr(lib, prefix + "_limit")
    total, total_pages = getattr(lib, prefix + "_total"), getattr(lib, prefix + "_total_pages")
    next_cursor = getattr(lib, prefix + "_next_cursor")

    def convert(p: Any) -> Page[T]:
        # The C ABI says "not counted" with -1 and "cursor mode" with page 0: None here.
        n, t, pages, cursor = number(p), total(p), total_pages(p), next_cursor(p)
        return Page(items=tuple(item(at(p, i)) for i in range(count(p))),
                    page=n if n > 0 else None, limit=limit(p), total=t if t >= 0 else None,
                    total_pages=pages if pages >= 0 else None,
                    next_cursor=cursor.decode("ascii") if cursor is not None else None)

    return convert


user_page = _page_of("crm_user_page", user)
lead_page = _page_of("crm_lead_page", lead)
activity_page = _page_of("crm_activity_page", activity)


def each(values: Any, convert: Callable[[Any], T]) -> list[T]:
    """One value or an iterable of them (a str counts as one value)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = [values]
    return [convert(v) for v in values]


def lead_sort(sort: Any) -> tuple[int, int]:
    """crm_lead_list()'s (crm_lead_sort_t, crm_sort_direction_t) for `sort`: None is the library's
    default (newest first); a LeadSort or its name ascending; the name after "-" descending, as
    the HTTP API's ``sort`` parameter reads. The library parses the name."""
    if sort is None:
        return enum_in(LeadSort.CREATED_AT, LeadSort, "sort"), CRM_SORT_DESCENDING
    if isinstance(sort, str) and not isinstance(sort, enum.Enum) and sort.startswith("-"):
        return enum_in(sort[1:], LeadSort, "sort"), CRM_SORT_DESCENDING
    return enum_in(sort, LeadSort, "sort"), CRM_SORT_ASCENDING


def page_request(page: Any, limit: Any, cursor: Any, with_total: Any) -> Any:
    """A crm_page_request for the crm_*_list functions."""
    return crm_page_request(CRM_PAGE_REQUEST_VERSION, int64(page, "page"), int64(limit, "limit"),
                            text(cursor, "cursor"), 1 if with_total else 0)
