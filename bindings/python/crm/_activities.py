"""Activities: create, get, update, delete, list a lead's (crm.Database methods). An activity is in
a caller's scope exactly when its lead is."""

from __future__ import annotations

from ctypes import byref

import uuid
from typing import Any

from . import _convert as cv
from ._ffi import CRM_PAGE_DEFAULT_LIMIT, crm_activity, crm_activity_fields, crm_activity_page, fetch, lib, new
from ._models import UNSET, Activity, ActivityType, Page, Unset
from ._principal import Principal, acting


class ActivityOperations:
    def create_activity(self, principal: Principal, lead_id: str | uuid.UUID, type: ActivityType | str, *,
                        body: str | None = None) -> Activity:
        """Adds an activity to a lead; its author is the caller (none for the system principal).
        NotFound when the lead is outside the caller's scope."""
        args = cv.id_in(lead_id, "lead_id"), cv.enum_in(type, ActivityType, "type"), cv.text(body, "body")
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_activity_create, crm_activity, lib.crm_activity_free, cv.activity, db, actor, *args)

    def get_activity(self, principal: Principal, id: str | uuid.UUID) -> Activity:
        """An activity by id; NotFound when its lead is outside the caller's scope."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_activity_get, crm_activity, lib.crm_activity_free, cv.activity, db, actor, key)

    def update_activity(self, principal: Principal, id: str | uuid.UUID, *, type: ActivityType | str | Unset = UNSET,
                        body: str | None | Unset = UNSET, lead_id: str | uuid.UUID | Unset = UNSET) -> Activity:
        """Changes the fields given (``body`` None: null). ``lead_id`` may restate the activity's
        lead but not change it (ValidationError)."""
        key = cv.id_in(id, "id")
        setters: list[tuple[Any, Any]] = []
        if type is not UNSET:
            setters.append((lib.crm_activity_fields_set_type, cv.enum_in(type, ActivityType, "type")))
        if body is not UNSET:
            setters.append((lib.crm_activity_fields_set_body, cv.text(body, "body")))
        if lead_id is not UNSET:
            setters.append((lib.crm_activity_fields_set_lead_id, cv.id_in(lead_id, "lead_id")))
        changes = new(lib.crm_activity_fields_new, crm_activity_fields)
        try:
            for setter, value in setters:
                setter(changes, value)
            with self._using() as db, acting(principal) as actor:
                return fetch(lib.crm_activity_update, crm_activity, lib.crm_activity_free, cv.activity,
                             db, actor, key, changes)
        finally:
            lib.crm_activity_fields_free(changes)

    def delete_activity(self, principal: Principal, id: str | uuid.UUID) -> None:
        """Deletes an activity; NotFound when its lead is outside the caller's scope."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            lib.crm_activity_delete(db, actor, key)

    def list_activities(self, principal: Principal, lead_id: str | uuid.UUID, *, page: int = 1,
                        limit: int = CRM_PAGE_DEFAULT_LIMIT, cursor: str | None = None,
                        with_total: bool = False) -> Page[Activity]:
        """One page of a lead's activities, newest first; NotFound when the lead is outside the
        caller's scope. ``cursor`` and ``with_total`` as for :meth:`list_leads`."""
        key = cv.id_in(lead_id, "lead_id")
        request = cv.page_request(page, limit, cursor, with_total)
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_activity_list, crm_activity_page, lib.crm_activity_page_free, cv.activity_page,
                         db, actor, key, byref(request))
