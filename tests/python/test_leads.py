#!/usr/bin/env python3
"""Leads: create, get, update, delete, lists with filters, sorts, pages and cursors.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import timezone

import crm
from support import DatabaseCase, main
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- Leads ---------------------------------------------------------------------------------------


class TestLeads(DatabaseCase):
    def test_create_with_defaults(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "Minimal")
        self.assertIsInstance(lead, crm.Lead)
        self.assertEqual((lead.title, lead.description, lead.source, lead.metadata), ("Minimal", None, None, None))
        self.assertIs(lead.status, crm.LeadStatus.NEW)
        self.assertEqual(lead.owner_id, user.id)  # the caller
        self.assertIs(lead.created_at.tzinfo, timezone.utc)
        self.assertEqual(lead.created_at, lead.updated_at)
        self.assertIsNone(self.db.create_lead(self.system, "By the host").owner_id)  # system: unowned

    def test_create_with_every_field(self) -> None:
        owner, _ = self.actor()
        metadata = {"employees": 40, "tags": ["a", "b"], "nested": {"x": None, "ok": True, "pi": 3.5}, "é": "ü"}
        lead = self.db.create_lead(self.system, "Full", description="All of it", status="QUALIFIED", source="web",
                                   owner_id=owner.id, metadata=metadata)
        self.assertEqual((lead.title, lead.description, lead.status, lead.source, lead.owner_id, lead.metadata),
                         ("Full", "All of it", crm.LeadStatus.QUALIFIED, "web", owner.id, metadata))
        self.assertEqual(self.db.get_lead(self.system, lead.id), lead)
        hash(lead)  # metadata is left out of the hash

    def test_unicode_round_trips(self) -> None:
        title = "Ünïcödé 漢字 🚀 ‮"
        lead = self.db.create_lead(self.system, title, description="ß" * 1000, metadata={"emoji": "🎉"})
        again = self.db.get_lead(self.system, lead.id)
        self.assertEqual((again.title, again.description, again.metadata), (title, "ß" * 1000, {"emoji": "🎉"}))

    def test_validation(self) -> None:
        self.assertInvalid("title", self.db.create_lead, self.system, "")
        self.assertInvalid("title", self.db.create_lead, self.system, "   ")
        self.assertInvalid("title", self.db.create_lead, self.system, None)
        self.assertInvalid("title", self.db.create_lead, self.system, "x" * 256)
        self.assertEqual(len(self.db.create_lead(self.system, "x" * 255).title), 255)
        self.assertInvalid("source", self.db.create_lead, self.system, "t", source="s" * 256)
        self.assertInvalid("owner_id", self.db.create_lead, self.system, "t", owner_id=str(uuid.uuid4()))
        self.assertInvalid("owner_id", self.db.create_lead, self.system, "t", owner_id="nope")

    def test_invalid_enum_values(self) -> None:
        error = self.assertInvalid("status", self.db.create_lead, self.system, "t", status="OPEN")
        self.assertIn("NEW", error.message)
        self.assertInvalid("status", self.db.create_lead, self.system, "t", status="new")  # exact names
        self.assertInvalid("status", self.db.create_lead, self.system, "t", status=None)
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, "t", status=1)
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, "t", status=crm.ActivityType.NOTE)
        self.assertInvalid("status", self.db.list_leads, self.system, status=["NEW", "WON"])

    def test_bad_metadata(self) -> None:
        for value in ([1, 2], "text", 3, True):
            with self.subTest(metadata=value):
                self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata=value)
        for value in ({"a": {1, 2}}, {"f": float("nan")}, {"o": object()}):
            with self.subTest(metadata=value):
                self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata=value)
        self.assertInvalid("metadata", self.db.create_lead, self.system, "t", metadata={"s": "\udc80"})
        self.assertIsNone(self.db.create_lead(self.system, "t", metadata=None).metadata)
        self.assertEqual(self.db.create_lead(self.system, "t", metadata={}).metadata, {})

    def test_strings_that_c_cannot_take(self) -> None:
        error = self.assertInvalid("title", self.db.create_lead, self.system, "bad \ud800 surrogate")
        self.assertIn("UTF-8", error.message)
        self.assertIsInstance(error, ValueError)
        self.assertInvalid("title", self.db.create_lead, self.system, "nul\x00inside")
        self.assertInvalid("description", self.db.create_lead, self.system, "t", description="\udfff")
        self.assertInvalid("q", self.db.list_leads, self.system, q="\ud800")
        self.assertInvalid("id", self.db.get_lead, self.system, "\ud800")
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, b"bytes")
        with self.assertRaises(TypeError):
            self.db.create_lead(self.system, 42)

    def test_update_is_partial(self) -> None:
        owner, _ = self.actor()
        lead = self.db.create_lead(self.system, "Before", description="d", source="s", owner_id=owner.id,
                                   metadata={"k": 1})
        same = self.db.update_lead(self.system, lead.id)
        self.assertEqual((same.title, same.description, same.source, same.owner_id, same.metadata),
                         ("Before", "d", "s", owner.id, {"k": 1}))
        changed = self.db.update_lead(self.system, lead.id, title="After", status=crm.LeadStatus.CONTACTED)
        self.assertEqual((changed.title, changed.status, changed.description, changed.source, changed.owner_id,
                          changed.metadata), ("After", crm.LeadStatus.CONTACTED, "d", "s", owner.id, {"k": 1}))
        self.assertGreaterEqual(changed.updated_at, lead.updated_at)
        self.assertEqual(changed.created_at, lead.created_at)
        nulled = self.db.update_lead(self.system, lead.id, description=None, source=None, owner_id=None, metadata=None)
        self.assertEqual((nulled.title, nulled.description, nulled.source, nulled.owner_id, nulled.metadata),
                         ("After", None, None, None, None))
        self.assertEqual(self.db.get_lead(self.system, lead.id), nulled)
        self.assertInvalid("title", self.db.update_lead, self.system, lead.id, title=None)
        self.assertInvalid("status", self.db.update_lead, self.system, lead.id, status=None)
        self.assertInvalid("title", self.db.update_lead, self.system, lead.id, title=" ")
        self.assertInvalid("metadata", self.db.update_lead, self.system, lead.id, metadata=[1])
        with self.assertRaises(crm.NotFound):
            self.db.update_lead(self.system, str(uuid.uuid4()), title="x")
        self.assertIs(crm.UNSET, crm.Unset.UNSET)
        self.assertEqual(repr(crm.UNSET), "crm.UNSET")

    def test_delete_removes_the_lead_and_its_activities(self) -> None:
        lead = self.db.create_lead(self.system, "Doomed")
        call = self.db.create_activity(self.system, lead.id, "CALL")
        self.assertIsNone(self.db.delete_lead(self.system, lead.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_lead(self.system, lead.id)
        with self.assertRaises(crm.NotFound):
            self.db.get_activity(self.system, call.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_lead(self.system, lead.id)

    def _leads(self, tag: str, specs: list[dict]) -> list[crm.Lead]:
        return [self.db.create_lead(self.system, spec.pop("title"), source=tag, **spec) for spec in specs]

    def test_list_filters(self) -> None:
        tag = self.unique("filters")
        owner, _ = self.actor()
        made = self._leads(tag, [
            {"title": "Alpha deal", "status": "NEW", "owner_id": owner.id},
            {"title": "Beta", "description": "talks about ALPHA too", "status": "CONTACTED"},
            {"title": "Gamma", "status": "QUALIFIED", "owner_id": owner.id},
            {"title": "Delta", "status": "CLOSED"},
        ])
        ids = lambda page: {lead.id for lead in page}  # noqa: E731
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag)), {lead.id for lead in made})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status="NEW")), {made[0].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=crm.LeadStatus.CLOSED)), {made[3].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=["NEW", crm.LeadStatus.QUALIFIED])),
                         {made[0].id, made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, status=[])), ids(made))  # no status filter
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, owner_id=owner.id)), {made[0].id, made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, owner_id=None)), {made[1].id, made[3].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, q="alpha")), {made[0].id, made[1].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag, q="GAMM")), {made[2].id})
        self.assertEqual(ids(self.db.list_leads(self.system, source=tag + "-none")), set())
        self.assertEqual(ids(self.db.list_leads(self.system, owner_id=uuid.UUID(owner.id))), {made[0].id, made[2].id})

    def test_list_sorting(self) -> None:
        tag = self.unique("sort")
        made = self._leads(tag, [{"title": "b", "status": "CLOSED"}, {"title": "a", "status": "CONTACTED"},
                                 {"title": "c", "status": "NEW"}])
        titles = lambda sort: [l.title for l in self.db.list_leads(self.system, source=tag, sort=sort)]  # noqa
        self.assertEqual(titles("title"), ["a", "b", "c"])
        self.assertEqual(titles("-title"), ["c", "b", "a"])
        self.assertEqual(titles("status"), ["c", "a", "b"])  # pipeline order
        self.assertEqual(titles("-status"), ["b", "a", "c"])
        by_creation = [l.id for l in sorted(made, key=lambda l: (l.created_at, l.id))]
        self.assertEqual([l.id for l in self.db.list_leads(self.system, source=tag, sort="createdAt")], by_creation)
        self.assertEqual([l.id for l in self.db.list_leads(self.system, source=tag)], by_creation[::-1])
        time.sleep(0.01)  # timestamps have milliseconds: make the update the newest for sure
        self.db.update_lead(self.system, made[0].id, description="touched")
        self.assertEqual(self.db.list_leads(self.system, source=tag, sort="-updatedAt")[0].id, made[0].id)
        self.assertInvalid("sort", self.db.list_leads, self.system, sort="owner")
        self.assertInvalid("sort", self.db.list_leads, self.system, sort="+title")

    def test_list_pagination(self) -> None:
        tag = self.unique("pages")
        made = self._leads(tag, [{"title": f"lead {i:02}"} for i in range(7)])
        seen = []
        for number in (1, 2, 3):
            page = self.db.list_leads(self.system, source=tag, sort="title", page=number, limit=3)
            self.assertEqual((page.page, page.limit, page.total, page.total_pages), (number, 3, 7, 3))
            seen += [lead.title for lead in page]
        self.assertEqual(seen, sorted(lead.title for lead in made))
        self.assertEqual(len(self.db.list_leads(self.system, source=tag, page=4, limit=3)), 0)
        self.assertInvalid("page", self.db.list_leads, self.system, page=0)
        self.assertInvalid("page", self.db.list_leads, self.system, page=-1)
        self.assertInvalid("limit", self.db.list_leads, self.system, limit=101)
        self.assertEqual(self.db.list_leads(self.system, source=tag, limit=100).limit, 100)

    def test_cursor_paging(self) -> None:
        tag = self.unique("cursor")
        made = self._leads(tag, [{"title": f"lead {i % 3}"} for i in range(8)])
        for sort in ("title", "-title", "createdAt", "-updatedAt", "status"):
            expected = [l.id for l in self.db.list_leads(self.system, source=tag, sort=sort, limit=100)]
            first = self.db.list_leads(self.system, source=tag, sort=sort, limit=3)
            self.assertEqual((first.page, first.total), (1, 8))
            walked, page = [l.id for l in first], first
            while page.next_cursor is not None:
                page = self.db.list_leads(self.system, source=tag, sort=sort, limit=3, cursor=page.next_cursor)
                self.assertEqual((page.page, page.total, page.total_pages), (None, None, None))
                walked += [l.id for l in page]
            self.assertEqual(walked, expected)
        counted = self.db.list_leads(self.system, source=tag, sort="status", limit=3, cursor=first.next_cursor,
                                     with_total=True)
        self.assertEqual((counted.total, counted.total_pages), (8, 3))
        self.assertEqual(sorted(l.id for l in self.db.iter_leads(self.system, source=tag, page_size=3)),
                         sorted(l.id for l in made))
        # Another sort, filter or list, a changed cursor, a page with a cursor: ValidationError.
        cursor = first.next_cursor
        self.assertInvalid("cursor", self.db.list_leads, self.system, source=tag, sort="-title", cursor=cursor)
        self.assertInvalid("cursor", self.db.list_leads, self.system, sort="title", cursor=cursor)
        self.assertInvalid("cursor", self.db.list_users, self.system, cursor=cursor)
        changed = cursor[:4] + ("A" if cursor[4] != "A" else "B") + cursor[5:]
        self.assertInvalid("cursor", self.db.list_leads, self.system, source=tag, sort="status", cursor=changed)
        self.assertInvalid("page", self.db.list_leads, self.system, source=tag, sort="status", cursor=cursor, page=2)
        _, sales = self.actor(crm.Role.SALES)
        self.assertInvalid("cursor", self.db.list_leads, sales, source=tag, sort="status", cursor=cursor)

    def test_create_leads_and_unicode_search(self) -> None:
        tag = self.unique("batch")
        made = self.db.create_leads(self.system, [
            {"title": "ärger", "source": tag}, {"title": "Σίσυφος", "source": tag, "status": "QUALIFIED"},
            {"title": "Straße", "source": tag, "description": "100% _sure_ \\o/"}])
        self.assertEqual([l.title for l in made], ["ärger", "Σίσυφος", "Straße"])
        self.assertEqual(made[1].status, crm.LeadStatus.QUALIFIED)
        found = lambda q: {l.title for l in self.db.list_leads(self.system, source=tag, q=q)}  # noqa: E731
        self.assertEqual(found("ÄRGER"), {"ärger"})
        self.assertEqual(found("ΣΊΣΥΦΟΣ"), {"Σίσυφος"})
        self.assertEqual(found("STRAẞE"), {"Straße"})
        self.assertEqual(found("0% _"), {"Straße"})
        self.assertEqual(found("%_"), set())
        self.assertEqual(found("\\"), {"Straße"})
        with self.assertRaises(crm.ValidationError) as caught:
            self.db.create_leads(self.system, [{"title": "fine", "source": tag}, {"title": " ", "source": tag}])
        self.assertIn("[1].title", [name for name, _ in caught.exception.errors])
        self.assertEqual(len(self.db.list_leads(self.system, source=tag)), 3)  # all or nothing
        self.assertEqual(self.db.create_leads(self.system, []), [])

    def test_role_scope(self) -> None:
        alice, sales_a = self.actor(crm.Role.SALES)
        bob, sales_b = self.actor(crm.Role.SALES)
        _, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        tag = self.unique("scope")
        mine = self.db.create_lead(sales_a, "Alice's", source=tag)
        theirs = self.db.create_lead(sales_b, "Bob's", source=tag)
        unowned = self.db.create_lead(admin, "Nobody's", source=tag, owner_id=None)
        self.assertEqual(mine.owner_id, alice.id)
        self.assertIsNone(unowned.owner_id)

        # SALES: their own leads only; everything else is "not found", exactly like a missing lead.
        self.assertEqual([l.id for l in self.db.list_leads(sales_a, source=tag)], [mine.id])
        for lead_id in (theirs.id, unowned.id):
            with self.assertRaises(crm.NotFound):
                self.db.get_lead(sales_a, lead_id)
            with self.assertRaises(crm.NotFound):
                self.db.update_lead(sales_a, lead_id, title="mine now")
            with self.assertRaises(crm.NotFound):
                self.db.delete_lead(sales_a, lead_id)
        self.assertEqual(self.db.list_leads(sales_a, source=tag, owner_id=bob.id).total, 0)
        with self.assertRaises(crm.Forbidden):
            self.db.create_lead(sales_a, "For Bob", owner_id=bob.id)
        with self.assertRaises(crm.Forbidden):
            self.db.create_lead(sales_a, "For nobody", owner_id=None)
        with self.assertRaises(crm.Forbidden):
            self.db.update_lead(sales_a, mine.id, owner_id=bob.id)
        self.assertEqual(self.db.create_lead(sales_a, "Explicitly mine", owner_id=alice.id).owner_id, alice.id)
        self.assertEqual(self.db.update_lead(sales_a, mine.id, status="CONTACTED").status, crm.LeadStatus.CONTACTED)

        # MANAGER and ADMIN: every lead; they may assign.
        for principal in (manager, admin):
            self.assertEqual({l.id for l in self.db.list_leads(principal, source=tag)},
                             {mine.id, theirs.id, unowned.id})
            self.assertEqual(self.db.get_lead(principal, theirs.id), theirs)
        self.assertEqual(self.db.update_lead(manager, unowned.id, owner_id=bob.id).owner_id, bob.id)
        self.assertEqual(self.db.create_lead(manager, "Managed", owner_id=None).owner_id, None)
        self.db.delete_lead(manager, theirs.id)
        self.assertEqual({l.id for l in self.db.list_leads(sales_b, source=tag)}, {unowned.id})


if __name__ == "__main__":
    sys.exit(main(__name__))
