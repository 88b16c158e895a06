"""Authentication: register, login, refresh, logout, authenticate, me (crm.Database methods)."""

from __future__ import annotations

from ctypes import POINTER, byref

from . import _convert as cv
from ._ffi import crm_principal, crm_tokens, crm_user, fetch, lib
from ._models import AuthResult, Tokens, User
from ._principal import Principal, acting


class AuthOperations:
    def register(self, email: str, password: str, *, name: str | None = None) -> AuthResult:
        """Creates a SALES user (``name`` None: the part of the email before '@') and logs them in.
        Conflict when the email is taken (case-insensitively)."""
        args = cv.text(email, "email"), cv.text(password, "password"), cv.text(name, "name")
        with self._using() as db:
            return fetch(lib.crm_auth_register, crm_tokens, lib.crm_tokens_free, cv.auth_result, db, *args)

    def login(self, email: str, password: str, *, client_address: str | None = None) -> AuthResult:
        """New tokens for these credentials; an unknown email and a wrong password are the same
        Unauthorized.

        Failed logins are counted per email and, when ``client_address`` (the peer's IP address)
        is given, per address: past the limit every login for it raises :class:`crm.Throttled`
        (the right password included) until the window passes, ``retry_after`` seconds later.
        Busy password hashing raises :class:`crm.Unavailable` with ``retry_after`` set."""
        args = cv.text(email, "email"), cv.text(password, "password")
        with self._using() as db:
            if client_address is None:
                return fetch(lib.crm_auth_login, crm_tokens, lib.crm_tokens_free, cv.auth_result, db, *args)
            address = cv.text(client_address, "client_address")
            return fetch(lib.crm_auth_login_from, crm_tokens, lib.crm_tokens_free, cv.auth_result, db, *args, address)

    def refresh(self, refresh_token: str) -> Tokens:
        """Rotates a refresh token: the one given is spent. Presenting a spent token again is
        Unauthorized and revokes every refresh token of that user."""
        token = cv.text(refresh_token, "refresh_token")
        with self._using() as db:
            return fetch(lib.crm_auth_refresh, crm_tokens, lib.crm_tokens_free, cv.tokens, db, token)

    def logout(self, refresh_token: str) -> None:
        """Revokes a refresh token; an unknown token is not an error."""
        token = cv.text(refresh_token, "refresh_token")
        with self._using() as db:
            lib.crm_auth_logout(db, token)

    def authenticate(self, access_token: str) -> Principal:
        """The principal an access token stands for, checked against the user's current row:
        Unauthorized for a bad or expired token or a deleted user."""
        token = cv.text(access_token, "access_token")
        out = POINTER(crm_principal)()
        with self._using() as db:
            lib.crm_auth_authenticate(byref(out), db, token)
        return Principal(out)

    def me(self, principal: Principal) -> User:
        """The acting user's current row."""
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_auth_me, crm_user, lib.crm_user_free, cv.user, db, actor)
