"""Exceptions: one per crm_status_t, all derived from crm.Error, each also derived from the built-in
exception a Python caller would expect (NotFound is a KeyError, ValidationError a ValueError, ...)."""

from __future__ import annotations

import enum
from typing import Iterable

__all__ = [
    "Status", "Error", "NotFound", "Conflict", "ValidationError", "Unauthorized", "Forbidden",
    "Unavailable", "InternalError", "OutOfMemory", "Throttled",
]


class Status(enum.IntEnum):
    """crm_status_t: what every fallible C function returns (a frozen set, values only appended)."""

    OK = 0
    ENOTFOUND = -1
    ECONFLICT = -2
    EINVALID = -3
    EUNAUTHORIZED = -4
    EFORBIDDEN = -5
    EUNAVAILABLE = -6
    EINTERNAL = -7
    ENOMEM = -8
    ETHROTTLED = -9


class Error(Exception):
    """A libcrm failure.

    ``code``: the crm_status_t (a :class:`Status`, or a plain int for a status this binding does not
    know); ``message``: one line ("title is required"); ``errors``: the offending fields as a list
    of ``(field, message)`` pairs, field names spelled as this binding's keyword arguments
    ("owner_id"). Every :class:`ValidationError` has them; other errors may (a Conflict names the
    taken "email"). ``retry_after``: seconds to wait before trying again (an int), set for
    :class:`Throttled` and for the :class:`Unavailable` of busy password hashing, else None.
    """

    status: Status | None = None  # the status a subclass stands for

    def __init__(self, message: str, *, code: int | None = None, errors: Iterable[tuple[str, str]] = (),
                 retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.status
        self.errors = list(errors)
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = f", errors={self.errors!r}" if self.errors else ""
        if self.retry_after is not None:
            extra += f", retry_after={self.retry_after!r}"
        return f"{type(self).__name__}({self.message!r}{extra})"


class NotFound(Error, KeyError):
    """No such object in the caller's scope (CRM_ENOTFOUND)."""
    status = Status.ENOTFOUND


class Conflict(Error):
    """A unique value is taken, or the last ADMIN would go (CRM_ECONFLICT)."""
    status = Status.ECONFLICT


class ValidationError(Error, ValueError):
    """An argument fails validation (CRM_EINVALID); ``errors`` names each offending field."""
    status = Status.EINVALID


class Unauthorized(Error):
    """Bad credentials or a bad, expired or revoked token (CRM_EUNAUTHORIZED)."""
    status = Status.EUNAUTHORIZED


class Forbidden(Error, PermissionError):
    """The caller's role may not do this (CRM_EFORBIDDEN)."""
    status = Status.EFORBIDDEN


class Unavailable(Error, ConnectionError):
    """The database cannot be reached (CRM_EUNAVAILABLE)."""
    status = Status.EUNAVAILABLE


class InternalError(Error):
    """A bug or an unexpected database state (CRM_EINTERNAL)."""
    status = Status.EINTERNAL


class OutOfMemory(Error, MemoryError):
    """The library ran out of memory (CRM_ENOMEM)."""
    status = Status.ENOMEM


class Throttled(Error):
    """Too many failed logins for this email or client address (CRM_ETHROTTLED): every login for
    it fails until the window passes, in ``retry_after`` seconds."""
    status = Status.ETHROTTLED


_BY_STATUS: dict[int, type[Error]] = {
    cls.status: cls
    for cls in (NotFound, Conflict, ValidationError, Unauthorized, Forbidden, Unavailable, InternalError, OutOfMemory,
                Throttled)
}


def from_status(code: int, message: str, errors: Iterable[tuple[str, str]] = (), *,
                retry_after: int | None = None) -> Error:
    """The exception for a crm_status_t (crm.Error itself for a status this binding does not know)."""
    try:
        code = Status(code)
    except ValueError:
        pass
    return _BY_STATUS.get(code, Error)(message, code=code, errors=errors, retry_after=retry_after)


def invalid(field: str, problem: str) -> ValidationError:
    """A ValidationError for one argument, shaped like the library's own ("title must not be NULL")."""
    return ValidationError(f"{field} {problem}", errors=[(field, problem)])
