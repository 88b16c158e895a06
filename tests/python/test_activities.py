#!/usr/bin/env python3
"""Activities: create, get, update, delete, list a lead's.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import sys
import uuid
from datetime import timezone

import crm
from support import DatabaseCase, main
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- Activities ----------------------------------------------------------------------------------


class TestActivities(DatabaseCase):
    def test_create_get_update_delete(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "With activities")
        note = self.db.create_activity(sales, lead.id, crm.ActivityType.NOTE, body="first")
        self.assertIsInstance(note, crm.Activity)
        self.assertEqual((note.lead_id, note.type, note.body, note.created_by), (lead.id, crm.ActivityType.NOTE,
                                                                                "first", user.id))
        self.assertIs(note.created_at.tzinfo, timezone.utc)
        self.assertEqual(self.db.get_activity(sales, note.id), note)
        call = self.db.create_activity(sales, lead.id, "CALL")
        self.assertIsNone(call.body)

        changed = self.db.update_activity(sales, note.id, type="EMAIL")
        self.assertEqual((changed.type, changed.body), (crm.ActivityType.EMAIL, "first"))
        changed = self.db.update_activity(sales, note.id, body="second", lead_id=lead.id)  # restating the lead
        self.assertEqual((changed.type, changed.body), (crm.ActivityType.EMAIL, "second"))
        self.assertIsNone(self.db.update_activity(sales, note.id, body=None).body)
        self.assertGreaterEqual(changed.updated_at, note.updated_at)
        self.assertEqual(self.db.update_activity(sales, note.id).type, crm.ActivityType.EMAIL)

        self.assertIsNone(self.db.delete_activity(sales, note.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(sales, note.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_activity(sales, note.id)
        with self.assertRaises(crm.NotFound):
            self.db.update_activity(sales, note.id, body="gone")

    def test_the_system_principal_is_no_author(self) -> None:
        lead = self.db.create_lead(self.system, "Host's")
        self.assertIsNone(self.db.create_activity(self.system, lead.id, "NOTE").created_by)

    def test_validation(self) -> None:
        lead = self.db.create_lead(self.system, "Validated")
        other = self.db.create_lead(self.system, "Other")
        note = self.db.create_activity(self.system, lead.id, "NOTE")
        self.assertInvalid("type", self.db.create_activity, self.system, lead.id, "MEETING")
        self.assertInvalid("type", self.db.create_activity, self.system, lead.id, None)
        self.assertInvalid("type", self.db.update_activity, self.system, note.id, type="note")
        with self.assertRaises(TypeError):
            self.db.create_activity(self.system, lead.id, 0)
        self.assertInvalid("lead_id", self.db.create_activity, self.system, None, "NOTE")
        self.assertInvalid("lead_id", self.db.create_activity, self.system, "nope", "NOTE")
        self.assertInvalid("lead_id", self.db.update_activity, self.system, note.id, lead_id=other.id)
        self.assertInvalid("body", self.db.create_activity, self.system, lead.id, "NOTE", body="\x00")
        with self.assertRaises(crm.NotFound):
            self.db.create_activity(self.system, str(uuid.uuid4()), "NOTE")

    def test_list_newest_first_with_pages(self) -> None:
        lead = self.db.create_lead(self.system, "Busy")
        made = [self.db.create_activity(self.system, lead.id, "NOTE", body=str(i)) for i in range(5)]
        page = self.db.list_activities(self.system, lead.id)
        self.assertEqual((page.page, page.limit, page.total, page.total_pages), (1, 20, 5, 1))
        self.assertEqual([a.id for a in page], [a.id for a in sorted(made, key=lambda a: (a.created_at, a.id),
                                                                     reverse=True)])
        second = self.db.list_activities(self.system, lead.id, page=2, limit=2)
        self.assertEqual([a.id for a in second], [a.id for a in page.items[2:4]])
        self.assertEqual(second.total_pages, 3)
        self.assertInvalid("limit", self.db.list_activities, self.system, lead.id, limit=1000)
        with self.assertRaises(crm.NotFound):
            self.db.list_activities(self.system, str(uuid.uuid4()))

    def test_scope_follows_the_lead(self) -> None:
        _, owner = self.actor()
        _, stranger = self.actor()
        _, manager = self.actor(crm.Role.MANAGER)
        lead = self.db.create_lead(owner, "Private")
        call = self.db.create_activity(owner, lead.id, "CALL", body="secret")
        with self.assertRaises(crm.NotFound):
            self.db.create_activity(stranger, lead.id, "NOTE")
        with self.assertRaises(crm.NotFound):
            self.db.list_activities(stranger, lead.id)
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(stranger, call.id)
        with self.assertRaises(crm.NotFound):
            self.db.update_activity(stranger, call.id, body="mine")
        with self.assertRaises(crm.NotFound):
            self.db.delete_activity(stranger, call.id)
        self.assertEqual(self.db.get_activity(manager, call.id), call)
        self.assertEqual(self.db.list_activities(manager, lead.id).total, 1)
        self.db.create_activity(manager, lead.id, "EMAIL")


if __name__ == "__main__":
    sys.exit(main(__name__))
