"""Leads: create, get, update, delete, list with filters (crm.Database methods)."""

from __future__ import annotations

from contextlib import contextmanager
from ctypes import POINTER, byref, c_int
import uuid
from typing import Any, Iterable, Iterator, Mapping

from . import _convert as cv
from ._ffi import (CRM_PAGE_DEFAULT_LIMIT, CRM_PAGE_MAX_LIMIT, crm_lead, crm_lead_fields, crm_lead_filter, crm_lead_page, fetch, lib,
                   new)
from ._models import UNSET, Lead, LeadSort, LeadStatus, Page, Unset
from ._principal import Principal, acting


def _lead_fields(title: Any, description: Any, status: Any, source: Any, owner_id: Any, metadata: Any) -> Any:
    """A new crm_lead_fields with the fields not UNSET (the caller frees it)."""
    setters: list[tuple[Any, Any]] = []
    if title is not UNSET:
        setters.append((lib.crm_lead_fields_set_title, cv.text(title, "title")))
    if description is not UNSET:
        setters.append((lib.crm_lead_fields_set_description, cv.text(description, "description")))
    if status is not UNSET:
        setters.append((lib.crm_lead_fields_set_status, cv.enum_in(status, LeadStatus, "status")))
    if source is not UNSET:
        setters.append((lib.crm_lead_fields_set_source, cv.text(source, "source")))
    if owner_id is not UNSET:
        setters.append((lib.crm_lead_fields_set_owner_id, cv.id_in(owner_id, "owner_id")))
    if metadata is not UNSET:
        setters.append((lib.crm_lead_fields_set_metadata, cv.metadata_in(metadata)))
    fields = new(lib.crm_lead_fields_new, crm_lead_fields)
    try:
        for setter, value in setters:
            setter(fields, value)
    except BaseException:
        lib.crm_lead_fields_free(fields)
        raise
    return fields


class LeadOperations:
    def create_lead(self, principal: Principal, title: str, *, description: str | None | Unset = UNSET,
                    status: LeadStatus | str | Unset = UNSET, source: str | None | Unset = UNSET,
                    owner_id: str | uuid.UUID | None | Unset = UNSET,
                    metadata: dict[str, Any] | None | Unset = UNSET) -> Lead:
        """A new lead. ``status`` defaults to NEW; ``owner_id`` left out means the caller (unowned
        for the system principal), None means unowned (ADMIN and MANAGER only); SALES may own only
        their own leads (Forbidden). ``metadata``: a dict (stored as JSON) or None."""
        fields = _lead_fields(title, description, status, source, owner_id, metadata)
        try:
            with self._using() as db, acting(principal) as actor:
                return fetch(lib.crm_lead_create, crm_lead, lib.crm_lead_free, cv.lead, db, actor, fields)
        finally:
            lib.crm_lead_fields_free(fields)

    def get_lead(self, principal: Principal, id: str | uuid.UUID) -> Lead:
        """A lead by id; NotFound outside the caller's scope."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_lead_get, crm_lead, lib.crm_lead_free, cv.lead, db, actor, key)

    def update_lead(self, principal: Principal, id: str | uuid.UUID, *, title: str | Unset = UNSET,
                    description: str | None | Unset = UNSET, status: LeadStatus | str | Unset = UNSET,
                    source: str | None | Unset = UNSET, owner_id: str | uuid.UUID | None | Unset = UNSET,
                    metadata: dict[str, Any] | None | Unset = UNSET) -> Lead:
        """Changes the fields given (left out: as they are; None: null where the field allows it),
        with the rules of :meth:`create_lead`."""
        key = cv.id_in(id, "id")
        changes = _lead_fields(title, description, status, source, owner_id, metadata)
        try:
            with self._using() as db, acting(principal) as actor:
                return fetch(lib.crm_lead_update, crm_lead, lib.crm_lead_free, cv.lead, db, actor, key, changes)
        finally:
            lib.crm_lead_fields_free(changes)

    def delete_lead(self, principal: Principal, id: str | uuid.UUID) -> None:
        """Deletes a lead and its activities; NotFound outside the caller's scope."""
        key = cv.id_in(id, "id")
        with self._using() as db, acting(principal) as actor:
            lib.crm_lead_delete(db, actor, key)

    def list_leads(self, principal: Principal, *, status: LeadStatus | str | Iterable[LeadStatus | str] | None = None,
                   owner_id: str | uuid.UUID | None | Unset = UNSET, source: str | None = None,
                   q: str | None = None, sort: LeadSort | str | None = None,
                   page: int = 1, limit: int = CRM_PAGE_DEFAULT_LIMIT, cursor: str | None = None,
                   with_total: bool = False) -> Page[Lead]:
        """One page of the leads in the caller's scope (SALES: their own).

        Filters: ``status`` one status or several; ``owner_id`` a user's id, or None for unowned
        leads (left out: any owner); ``source`` exactly; ``q`` a case-insensitive substring of the
        title or description. ``status``, ``source`` and ``q`` left at None do not filter.
        ``sort``: a :class:`LeadSort` or its name, "createdAt", "updatedAt", "title" or "status"
        (pipeline order), ascending; with a leading "-" descending; None means "-createdAt"; ties
        are broken by id.

        Paging: ``page`` and ``limit`` (``total`` always counted), or ``cursor``, the
        ``next_cursor`` of an earlier page with the same filters and sort (``page`` stays 1;
        ``total`` is None unless ``with_total``). A cursor of another list, sort, filter or
        scope, or a changed one, is a ValidationError.
        """
        request = cv.page_request(page, limit, cursor, with_total)
        key, direction = cv.lead_sort(sort)
        with self._lead_filter(status, owner_id, source, q) as which, self._using() as db, acting(principal) as actor:
            return fetch(lib.crm_lead_list, crm_lead_page, lib.crm_lead_page_free, cv.lead_page,
                         db, actor, which, key, direction, byref(request))

    def iter_leads(self, principal: Principal, *,
                   status: LeadStatus | str | Iterable[LeadStatus | str] | None = None,
                   owner_id: str | uuid.UUID | None | Unset = UNSET, source: str | None = None,
                   q: str | None = None, sort: LeadSort | str | None = None,
                   page_size: int = CRM_PAGE_MAX_LIMIT) -> Iterator[Lead]:
        """Every lead that :meth:`list_leads` would return with these filters and sort, one
        page of ``page_size`` at a time by cursor: each lead that exists throughout comes once,
        whatever is inserted or deleted meanwhile, and no connection is held between pages."""
        cursor: str | None = None
        while True:
            page = self.list_leads(principal, status=status, owner_id=owner_id, source=source, q=q, sort=sort,
                                   limit=page_size, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def create_leads(self, principal: Principal, leads: Iterable[Mapping[str, Any]]) -> list[Lead]:
        """Creates every lead in one transaction, or none. Each element is a mapping of
        :meth:`create_lead`'s arguments (``title`` required); a lead that fails validation raises
        ValidationError with fields named "[index].field"."""
        handles: list[Any] = []
        try:
            for i, lead in enumerate(leads):
                known = {"title", "description", "status", "source", "owner_id", "metadata"}
                unknown = set(lead) - known
                if unknown:
                    raise TypeError(f"create_leads: lead {i} has unknown fields {sorted(unknown)}")
                if "title" not in lead:
                    raise TypeError(f"create_leads: lead {i} has no title")
                handles.append(_lead_fields(lead["title"], lead.get("description", UNSET), lead.get("status", UNSET),
                                            lead.get("source", UNSET), lead.get("owner_id", UNSET),
                                            lead.get("metadata", UNSET)))
            array = (POINTER(crm_lead_fields) * max(len(handles), 1))(*handles)
            with self._using() as db, acting(principal) as actor:
                page = fetch(lib.crm_lead_create_many, crm_lead_page, lib.crm_lead_page_free, cv.lead_page,
                             db, actor, array, len(handles))
            return list(page.items)
        finally:
            for h in handles:
                lib.crm_lead_fields_free(h)

    @contextmanager
    def _lead_filter(self, status: Any, owner_id: Any, source: Any, q: Any) -> Iterator[Any]:
        """A crm_lead_filter for these arguments, freed afterwards."""
        statuses = None if status is None else cv.each(status, lambda s: cv.enum_in(s, LeadStatus, "status"))
        owner = UNSET if owner_id is UNSET else cv.id_in(owner_id, "owner_id")
        source_text, q_text = cv.text(source, "source"), cv.text(q, "q")
        which = new(lib.crm_lead_filter_new, crm_lead_filter)
        try:
            if statuses is not None:
                lib.crm_lead_filter_set_statuses(which, (c_int * len(statuses))(*statuses), len(statuses))
            if owner is not UNSET:
                lib.crm_lead_filter_set_owner_id(which, owner)
            if source_text is not None:
                lib.crm_lead_filter_set_source(which, source_text)
            if q_text is not None:
                lib.crm_lead_filter_set_query(which, q_text)
            yield which
        finally:
            lib.crm_lead_filter_free(which)
