"""crm.Principal: who is acting. Every operation takes one first."""

from __future__ import annotations

from ctypes import POINTER, byref

from ._convert import enum_out
from ._ffi import borrowed, crm_principal, lib
from ._handle import Handle
from ._models import Role


class Principal(Handle):
    """The acting user (from :meth:`crm.Database.authenticate`) or the host application itself
    (:meth:`system`). Its ``user_id``, ``role`` and ``is_system`` are read once, when it is made.
    Every call checks a principal older than ``principal_max_age`` (default one second) against
    its user's current row, so a principal kept for hours acts with the role the user has now,
    and raises :class:`crm.Unauthorized` once the user is deleted."""

    _free = staticmethod(lib.crm_principal_free)

    def __init__(self, ptr: object) -> None:
        super().__init__(ptr)
        self.user_id: str | None = borrowed(lib.crm_principal_user_id(ptr))
        self.role: Role = enum_out(lib.crm_principal_role(ptr), Role)
        self.is_system: bool = bool(lib.crm_principal_is_system(ptr))

    @classmethod
    def system(cls) -> Principal:
        """The trusted host application: may do everything, owns nothing (its leads are unowned,
        its activities have no author). Never implied: pass it explicitly."""
        out = POINTER(crm_principal)()
        lib.crm_principal_system(byref(out))
        return cls(out)

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        who = "system" if self.is_system else f"user={self.user_id} role={self.role.value}"
        return f"<crm.Principal {who}{state}>"


class _NoPrincipal:
    """Passes NULL for a missing principal: the library reports "actor must not be NULL"."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_PRINCIPAL = _NoPrincipal()


def acting(principal: Principal | None):  # -> a context manager giving the crm_principal *
    """`with acting(principal) as actor:` the principal stays open during the call."""
    if principal is None:
        return _NO_PRINCIPAL
    if not isinstance(principal, Principal):
        raise TypeError(f"principal must be a crm.Principal, not {type(principal).__name__}")
    return principal._using()
