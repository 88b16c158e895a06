"""crm.Database: a database and the CRM service over it (crm_db)."""

from __future__ import annotations

from ctypes import POINTER, byref, c_int

from . import _convert as cv
from . import _errors
from ._activities import ActivityOperations
from ._auth import AuthOperations
from ._ffi import CRM_BACKEND_POSTGRESQL, CRM_DB_OPTIONS_VERSION, crm_db, crm_db_options, lib
from ._handle import Handle
from ._leads import LeadOperations
from ._models import Backend, JwtAlgorithm
from ._users import UserOperations

# crm_db_options fields set from keyword arguments: (name, bits, signed).
_INTEGER_OPTIONS = (
    ("pool_size", 32, False),
    ("lease_timeout_ms", 32, False),
    ("access_token_ttl_s", 64, True),
    ("refresh_token_ttl_s", 64, True),
    ("leeway_s", 64, True),
    ("password_opslimit", 64, False),
    ("password_memlimit", 64, False),
    ("max_concurrent_hashes", 32, False),
    ("max_queued_hashes", 32, True),
    ("login_max_failures", 32, False),
    ("login_window_s", 64, True),
)


class Database(Handle, AuthOperations, UserOperations, LeadOperations, ActivityOperations):
    """An open database and the service over it. Thread-safe: share one among threads (it holds a
    connection pool); every call releases the GIL while the library works.

    Every operation takes the acting :class:`crm.Principal` first. Results are frozen dataclasses;
    failures raise :class:`crm.Error` subclasses.
    """

    _free = staticmethod(lib.crm_db_free)

    #: The highest migration this library knows (compare with :attr:`schema_version`).
    latest_schema_version: int = lib.crm_db_latest_schema_version()

    @classmethod
    def open(cls, url: str, *, jwt_secret: str | None = None, pool_size: int | None = None,
             lease_timeout_ms: int | None = None,
             jwt_algorithm: JwtAlgorithm | str | None = None, access_token_ttl_s: int | None = None,
             refresh_token_ttl_s: int | None = None, leeway_s: int | None = None,
             password_opslimit: int | None = None, password_memlimit: int | None = None,
             max_concurrent_hashes: int | None = None, max_queued_hashes: int | None = None,
             login_max_failures: int | None = None, login_window_s: int | None = None) -> Database:
        """Opens ``url`` ("sqlite:PATH", "sqlite::memory:" or "postgresql://user:pass@host:port/db")
        and starts the service over it. Does not change the schema: call :meth:`migrate`.

        The keyword arguments are the fields of crm_db_options; None keeps the library's default
        (pool_size: the number of cores, at least 2; lease_timeout_ms 10000; HS256; access tokens
        900 s, refresh tokens 604800 s; leeway 5 s; Argon2id at libsodium's INTERACTIVE cost;
        max_concurrent_hashes: the number of cores; max_queued_hashes -1: twice that; at most
        login_max_failures 10 failed logins per email or client address within login_window_s 900
        seconds, 0 failures disabling throttling).

        ``jwt_secret`` (at least 32 bytes) signs access tokens. Without one (None, the default,
        or "") the database works for everything but tokens: :meth:`register`, :meth:`login`,
        :meth:`refresh` and :meth:`authenticate` raise a ValidationError on "jwt_secret" (a
        script that acts as :meth:`Principal.system` needs none). A malformed URL is a
        ValidationError, an unreachable server Unavailable.
        """
        options = crm_db_options()
        lib.crm_db_options_init(byref(options), CRM_DB_OPTIONS_VERSION)
        options.jwt_secret = cv.text(jwt_secret, "jwt_secret")
        given = locals()
        for name, bits, signed in _INTEGER_OPTIONS:
            if given[name] is not None:
                setattr(options, name, cv.integer(given[name], name, bits, signed))
        if jwt_algorithm is not None:
            options.jwt_algorithm = cv.enum_in(jwt_algorithm, JwtAlgorithm, "jwt_algorithm")
        where = cv.text(url, "url")
        out = POINTER(crm_db)()
        lib.crm_db_open(byref(out), where, byref(options))
        return cls(out)

    def migrate(self) -> None:
        """Applies every migration not applied yet; idempotent."""
        with self._using() as db:
            lib.crm_db_migrate(db)

    @property
    def schema_version(self) -> int:
        """The highest migration applied (0 for an empty database)."""
        out = c_int()
        with self._using() as db:
            lib.crm_db_schema_version(byref(out), db)
        return out.value

    def ping(self) -> bool:
        """True when a connection answers now, False when the database cannot be reached."""
        with self._using() as db:
            try:
                lib.crm_db_ping(db)
            except _errors.Unavailable:
                return False
        return True

    @property
    def backend(self) -> Backend:
        with self._using() as db:
            value = lib.crm_db_backend(db)
        return Backend.POSTGRESQL if value == CRM_BACKEND_POSTGRESQL else Backend.SQLITE

    def __repr__(self) -> str:
        return "<crm.Database closed>" if self.closed else f"<crm.Database {self.backend.value}>"
