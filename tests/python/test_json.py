#!/usr/bin/env python3
"""The JSON renderings and text timestamps of the C ABI.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import ctypes
import json
import sys
from datetime import datetime

import crm
from crm import _ffi
from crm._ffi import lib
from support import PASSWORD, DatabaseCase, main
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- The JSON renderings and text timestamps of the C ABI ----------------------------------------


class TestJson(DatabaseCase):
    """crm_*_to_json and the RFC 3339 getters, which the Python API does not need (it builds its
    dataclasses from the typed getters), called through the ctypes table directly."""

    @staticmethod
    def rfc3339(stamp: datetime) -> str:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"

    def test_user_and_tokens(self) -> None:
        email = self.email()
        result = self.db.register(email, PASSWORD)

        def render(tokens):
            user = lib.crm_tokens_user(tokens)
            return (json.loads(_ffi.json_text(lib.crm_tokens_to_json, tokens)),
                    json.loads(_ffi.json_text(lib.crm_user_to_json, user)),
                    lib.crm_user_created_at(user).decode(), lib.crm_user_updated_at(user).decode())

        whole, user, created, updated = _ffi.fetch(
            lib.crm_auth_login, _ffi.crm_tokens, lib.crm_tokens_free, render, self.db, email.encode(),
            PASSWORD.encode())
        self.assertEqual(list(whole), ["user", "accessToken", "refreshToken"])
        self.assertEqual(whole["user"], user)
        self.assertEqual(user, {"id": result.user.id, "name": result.user.name, "email": email, "role": "SALES",
                                "createdAt": self.rfc3339(result.user.created_at),
                                "updatedAt": self.rfc3339(result.user.updated_at)})
        self.assertEqual((created, updated), (user["createdAt"], user["updatedAt"]))
        refreshed = _ffi.fetch(lib.crm_auth_refresh, _ffi.crm_tokens, lib.crm_tokens_free,
                               lambda t: json.loads(_ffi.json_text(lib.crm_tokens_to_json, t)), self.db,
                               whole["refreshToken"].encode())
        self.assertEqual(list(refreshed), ["accessToken", "refreshToken"])  # no user after a refresh

    def test_lead_activity_and_pages(self) -> None:
        lead = self.db.create_lead(self.system, "JSON", metadata={"n": [1, {"m": None}]}, source=self.unique("json"))
        note = self.db.create_activity(self.system, lead.id, "NOTE", body="b")

        def lead_json(p):
            return (json.loads(_ffi.json_text(lib.crm_lead_to_json, p)), lib.crm_lead_created_at(p).decode(),
                    lib.crm_lead_updated_at(p).decode())

        rendered, created, updated = _ffi.fetch(lib.crm_lead_get, _ffi.crm_lead, lib.crm_lead_free, lead_json,
                                                self.db, self.system, lead.id.encode())
        self.assertEqual(rendered, {"id": lead.id, "title": "JSON", "description": None, "status": "NEW",
                                    "source": lead.source, "ownerId": None, "metadata": {"n": [1, {"m": None}]},
                                    "createdAt": self.rfc3339(lead.created_at),
                                    "updatedAt": self.rfc3339(lead.updated_at)})
        self.assertEqual((created, updated), (rendered["createdAt"], rendered["updatedAt"]))

        def activity_json(p):
            return (json.loads(_ffi.json_text(lib.crm_activity_to_json, p)), lib.crm_activity_created_at(p).decode(),
                    lib.crm_activity_updated_at(p).decode())

        rendered, created, updated = _ffi.fetch(lib.crm_activity_get, _ffi.crm_activity, lib.crm_activity_free,
                                                activity_json, self.db, self.system, note.id.encode())
        self.assertEqual(rendered, {"id": note.id, "leadId": lead.id, "type": "NOTE", "body": "b", "createdBy": None,
                                    "createdAt": self.rfc3339(note.created_at),
                                    "updatedAt": self.rfc3339(note.updated_at)})
        self.assertEqual((created, updated), (rendered["createdAt"], rendered["updatedAt"]))

        as_json = lambda to_json: lambda p: json.loads(_ffi.json_text(to_json, p))  # noqa: E731
        pages = lambda page, limit: ctypes.byref(  # noqa: E731
            _ffi.crm_page_request(_ffi.CRM_PAGE_REQUEST_VERSION, page, limit, None, 0))
        page = _ffi.fetch(lib.crm_activity_list, _ffi.crm_activity_page, lib.crm_activity_page_free,
                          as_json(lib.crm_activity_page_to_json), self.db, self.system, lead.id.encode(), pages(1, 20))
        self.assertEqual(page, {"data": [rendered], "pagination": {"page": 1, "limit": 20, "total": 1,
                                                                    "totalPages": 1, "nextCursor": None}})
        which = _ffi.new(lib.crm_lead_filter_new, _ffi.crm_lead_filter)
        try:
            lib.crm_lead_filter_set_source(which, lead.source.encode())
            page = _ffi.fetch(lib.crm_lead_list, _ffi.crm_lead_page, lib.crm_lead_page_free,
                              as_json(lib.crm_lead_page_to_json), self.db, self.system, which,
                              0, _ffi.CRM_SORT_DESCENDING, pages(1, 5))  # 0: CRM_LEAD_SORT_CREATED_AT
        finally:
            lib.crm_lead_filter_free(which)
        self.assertEqual([item["id"] for item in page["data"]], [lead.id])
        self.assertEqual(page["pagination"], {"page": 1, "limit": 5, "total": 1, "totalPages": 1,
                                               "nextCursor": None})
        page = _ffi.fetch(lib.crm_user_list, _ffi.crm_user_page, lib.crm_user_page_free,
                          as_json(lib.crm_user_page_to_json), self.db, self.system, pages(1, 1))
        self.assertEqual(page["data"], [])
        self.assertEqual(page["pagination"], {"page": 1, "limit": 1, "total": 0, "totalPages": 0,
                                               "nextCursor": None})

    def test_to_json_of_null_is_invalid(self) -> None:
        out = ctypes.c_void_p()
        with self.assertRaises(crm.ValidationError):
            lib.crm_lead_to_json(ctypes.byref(out), None)
        self.assertIsNone(out.value)


if __name__ == "__main__":
    sys.exit(main(__name__))
