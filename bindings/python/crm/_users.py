"""Users: list, get, create, update, delete (crm.Database methods)."""

from __future__ import annotations

from ctypes import byref

import uuid
from typing import Any

from . import _convert as cv
from ._ffi import CRM_PAGE_DEFAULT_LIMIT, crm_user, crm_user_fields, crm_user_page, fetch, lib, new
from ._models import UNSET, Page, Role, Unset, User
from ._principal import Principal, acting


class UserOperations:
    def list_users(self, principal: Principal, *, page: int = 1, limit: int = CRM_PAGE_DEFAULT_LIMIT,
                   cursor: str | None = None, with_total: bool = False) -> Page[User]:
        """One page of users, oldest first (ADMIN only: others get Forbidden). ``cursor``: a
        ``next_cursor`` of an earlier page (then ``page`` stays 1); ``with_total`` counts in
        cursor mode too."""
        request = cv.page_request(page, limit, cursor, with_total)
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_user_list, crm_user_page, lib.crm_user_page_free, cv.user_page, db, actor,
                         byref(request))

    def get_user(self, principal: Principal, id: str | uuid.UUID) -> User:
        """A user by id: ADMIN and MANAGER any, SALES only themselves (Forbidden otherwise)."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_user_get, crm_user, lib.crm_user_free, cv.user, db, actor, key)

    def create_user(self, principal: Principal, email: str, password: str, *, name: str | None = None,
                    role: Role | str = Role.SALES) -> User:
        """A user with any role (ADMIN and the system principal only); ``name`` None: the part of
        the email before '@'."""
        args = (cv.text(email, "email"), cv.text(password, "password"), cv.text(name, "name"),
                cv.enum_in(role, Role, "role"))
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_user_create, crm_user, lib.crm_user_free, cv.user, db, actor, *args)

    def update_user(self, principal: Principal, id: str | uuid.UUID, *, name: str | Unset = UNSET,
                    email: str | Unset = UNSET, role: Role | str | Unset = UNSET, password: str | Unset = UNSET,
                    current_password: str | None = None) -> User:
        """Changes the fields given (ADMIN: anyone, any field; others: themselves, not the role).
        Users changing their own password also give ``current_password``. Conflict for a taken
        email or for demoting the last ADMIN. A new password revokes the user's refresh tokens."""
        key = cv.id_in(id, "id")
        setters: list[tuple[Any, tuple]] = []
        if name is not UNSET:
            setters.append((lib.crm_user_fields_set_name, (cv.text(name, "name"),)))
        if email is not UNSET:
            setters.append((lib.crm_user_fields_set_email, (cv.text(email, "email"),)))
        if role is not UNSET:
            setters.append((lib.crm_user_fields_set_role, (cv.enum_in(role, Role, "role"),)))
        if password is not UNSET:
            setters.append((lib.crm_user_fields_set_password,
                            (cv.text(password, "password"), cv.text(current_password, "current_password"))))
        elif current_password is not None:
            raise TypeError("current_password is only used together with password")
        changes = new(lib.crm_user_fields_new, crm_user_fields)
        try:
            for setter, args in setters:
                setter(changes, *args)
            with self._using() as db, acting(principal) as actor:
                return fetch(lib.crm_user_update, crm_user, lib.crm_user_free, cv.user, db, actor, key, changes)
        finally:
            lib.crm_user_fields_free(changes)

    def delete_user(self, principal: Principal, id: str | uuid.UUID) -> None:
        """Deletes a user (ADMIN only; Conflict for the last ADMIN): their leads become unowned,
        their activities authorless, their tokens are revoked."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            lib.crm_user_delete(db, actor, key)
