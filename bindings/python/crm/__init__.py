"""libcrm for Python: an embeddable CRM core (users, leads, activities, authentication).

    import crm
    with crm.Database.open("sqlite:crm.db") as db:   # jwt_secret=... to log users in
        db.migrate()
        system = crm.Principal.system()
        lead = db.create_lead(system, "ACME", metadata={"size": 40})

The shared library is found through ``CRM_LIBRARY``, beside this package (where the wheel that
the CMake build makes carries it), or on the system (see ``crm._lib``). Every operation takes the
acting principal first and returns frozen dataclasses; failures raise subclasses of
:class:`crm.Error`.
"""

from ._errors import (Conflict, Error, Forbidden, InternalError, NotFound, OutOfMemory, Status, Throttled,
                      Unauthorized, Unavailable, ValidationError)
from ._lib import path as library_path
from ._version import __version__
from ._ffi import lib as _c
from ._models import (UNSET, Activity, ActivityType, AuthResult, Backend, JwtAlgorithm, Lead, LeadSort, LeadStatus,
                      Page, Role, Tokens, Unset, User)
from ._principal import Principal
from ._database import Database


# Public types say they are crm's (crm.Conflict, not crm._errors.Conflict) in reprs, tracebacks,
# help() and pickles; the private modules they live in are an implementation detail.
for _obj in (Conflict, Error, Forbidden, InternalError, NotFound, OutOfMemory, Status, Throttled, Unauthorized,
             Unavailable, ValidationError, Activity, ActivityType, AuthResult, Backend, JwtAlgorithm, Lead, LeadSort,
             LeadStatus, Page, Role, Tokens, Unset, User, Principal, Database):
    _obj.__module__ = __name__
del _obj


def library_version() -> str:
    """The loaded libcrm's version, "MAJOR.MINOR.PATCH"."""
    return _c.crm_version().decode()


__all__ = [
    "__version__", "library_version", "library_path",
    "Database", "Principal",
    "User", "Lead", "Activity", "Page", "Tokens", "AuthResult",
    "Role", "LeadStatus", "ActivityType", "JwtAlgorithm", "Backend", "LeadSort", "UNSET", "Unset",
    "Error", "NotFound", "Conflict", "ValidationError", "Unauthorized", "Forbidden", "Unavailable",
    "InternalError", "OutOfMemory", "Throttled", "Status",
]
