"""What the operations return: enums with the wire names as values, and frozen dataclasses."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Iterator, TypeVar

__all__ = [
    "UNSET", "Unset", "Role", "LeadStatus", "ActivityType", "JwtAlgorithm", "Backend", "LeadSort",
    "User", "Lead", "Activity", "Page", "Tokens", "AuthResult",
]


class Unset(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "crm.UNSET"


#: "Not given": a keyword argument left at UNSET leaves that field alone (or at its default),
#: while ``None`` sets the field to null.
UNSET = Unset.UNSET


if sys.version_info >= (3, 11):
    StrEnum = enum.StrEnum
else:  # Python 3.10: what enum.StrEnum does for members with explicit values
    class StrEnum(str, enum.Enum):
        def __str__(self) -> str:
            return str(self.value)


# The enums are StrEnums: a member is its wire name (Role.ADMIN == "ADMIN", f"{Role.ADMIN}" is
# "ADMIN"), so results compare equal to the strings a caller or a JSON document holds.
class Role(StrEnum):
    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    SALES = "SALES"


class LeadStatus(StrEnum):
    """A lead's place in the pipeline, in pipeline order."""

    NEW = "NEW"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    CLOSED = "CLOSED"


class ActivityType(StrEnum):
    NOTE = "NOTE"
    CALL = "CALL"
    EMAIL = "EMAIL"


class JwtAlgorithm(StrEnum):
    HS256 = "HS256"
    HS384 = "HS384"
    HS512 = "HS512"


class LeadSort(StrEnum):
    """The column a lead list is ordered by (ties broken by id); its wire name is the HTTP API's."""

    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"
    TITLE = "title"
    STATUS = "status"  # pipeline order


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    role: Role
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    title: str
    description: str | None
    status: LeadStatus
    source: str | None
    owner_id: str | None
    metadata: dict[str, Any] | None = field(hash=False)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    lead_id: str
    type: ActivityType
    body: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: ``items`` and where it stands (``page`` from 1, None in cursor mode;
    ``limit``; the ``total`` of matching rows over all pages and ``total_pages``, None in cursor
    mode unless ``with_total=True`` asked for them; ``next_cursor``, to pass as ``cursor=`` for the
    rows after this page, None on the last page)."""

    items: tuple[T, ...]
    page: int | None
    limit: int
    total: int | None
    total_pages: int | None
    next_cursor: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> T:
        return self.items[i]


@dataclass(frozen=True, slots=True)
class Tokens:
    """An access token (a JWS, sent as ``Authorization: Bearer``) and an opaque refresh token."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AuthResult:
    """What register and login return: the user and their new tokens."""

    user: User
    tokens: Tokens

    @property
    def access_token(self) -> str:
        return self.tokens.access_token

    @property
    def refresh_token(self) -> str:
        return self.tokens.refresh_token
