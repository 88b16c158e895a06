#!/usr/bin/env python3
"""Users: create, get, list, update, delete, and the last ADMIN.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import uuid
from datetime import timedelta, timezone

import crm
from support import PASSWORD, DatabaseCase, main, utc_now
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- Users ---------------------------------------------------------------------------------------


class TestUsers(DatabaseCase):
    def test_create_user_with_each_role(self) -> None:
        for role in crm.Role:
            email = self.email()
            user = self.db.create_user(self.system, email, PASSWORD, name="N", role=role)
            self.assertIsInstance(user, crm.User)
            self.assertEqual((user.email, user.name, user.role), (email, "N", role))
            uuid.UUID(user.id)
            self.assertEqual(user.id, user.id.lower())
            for stamp in (user.created_at, user.updated_at):
                self.assertIs(stamp.tzinfo, timezone.utc)
                self.assertLess(abs(utc_now() - stamp), timedelta(minutes=5))
        by_name = self.db.create_user(self.system, self.email(), PASSWORD, role="MANAGER")
        self.assertIs(by_name.role, crm.Role.MANAGER)
        self.assertIs(self.db.create_user(self.system, self.email(), PASSWORD).role, crm.Role.SALES)

    def test_users_are_frozen_dataclasses(self) -> None:
        user = self.db.create_user(self.system, self.email(), PASSWORD)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            user.name = "changed"
        self.assertEqual(hash(user), hash(dataclasses.replace(user)))

    def test_who_may_create_users(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        self.db.create_user(admin, self.email(), PASSWORD, role=crm.Role.ADMIN)
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden) as caught:
                self.db.create_user(principal, self.email(), PASSWORD)
            self.assertIsInstance(caught.exception, PermissionError)
            self.assertEqual(caught.exception.code, crm.Status.EFORBIDDEN)

    def test_create_user_validates(self) -> None:
        self.assertInvalid("email", self.db.create_user, self.system, "nope", PASSWORD)
        self.assertInvalid("password", self.db.create_user, self.system, self.email(), "short")
        self.assertInvalid("role", self.db.create_user, self.system, self.email(), PASSWORD, role="OWNER")
        self.assertInvalid("role", self.db.create_user, self.system, self.email(), PASSWORD, role=None)
        with self.assertRaises(TypeError):
            self.db.create_user(self.system, self.email(), PASSWORD, role=0)
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        with self.assertRaises(crm.Conflict):
            self.db.create_user(self.system, email.upper(), PASSWORD)

    def test_get_user_by_role(self) -> None:
        sales_user, sales = self.actor(crm.Role.SALES)
        other, _ = self.actor(crm.Role.SALES)
        _, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        self.assertEqual(self.db.get_user(sales, sales_user.id), sales_user)
        with self.assertRaises(crm.Forbidden):
            self.db.get_user(sales, other.id)
        self.assertEqual(self.db.get_user(manager, other.id), other)
        self.assertEqual(self.db.get_user(admin, other.id), other)
        self.assertEqual(self.db.get_user(self.system, other.id), other)

    def test_ids(self) -> None:
        user, _ = self.actor()
        self.assertEqual(self.db.get_user(self.system, user.id.upper()), user)
        self.assertEqual(self.db.get_user(self.system, uuid.UUID(user.id)), user)
        with self.assertRaises(crm.NotFound) as caught:
            self.db.get_user(self.system, str(uuid.uuid4()))
        self.assertIsInstance(caught.exception, KeyError)
        self.assertEqual(caught.exception.code, crm.Status.ENOTFOUND)
        self.assertInvalid("id", self.db.get_user, self.system, "not-a-uuid")
        self.assertInvalid("id", self.db.get_user, self.system, None)
        with self.assertRaises(TypeError):
            self.db.get_user(self.system, 42)

    def test_list_users(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        for _ in range(3):
            self.actor()
        everyone = self.db.list_users(admin, limit=100)
        self.assertIsInstance(everyone, crm.Page)
        self.assertEqual(everyone.total, len(everyone.items))
        self.assertGreaterEqual(everyone.total, 4)
        self.assertEqual((everyone.page, everyone.limit, everyone.total_pages), (1, 100, 1))
        created = [u.created_at for u in everyone]
        self.assertEqual(created, sorted(created))  # oldest first
        page2 = self.db.list_users(admin, page=2, limit=2)
        self.assertEqual(list(page2.items), list(everyone.items[2:4]))
        self.assertEqual(page2.total_pages, math.ceil(everyone.total / 2))
        self.assertEqual(len(page2), 2)
        self.assertEqual(page2[0], everyone.items[2])
        default = self.db.list_users(admin)
        self.assertEqual(default.limit, 20)
        beyond = self.db.list_users(admin, page=1000)
        self.assertEqual((len(beyond), beyond.total), (0, everyone.total))
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden):
                self.db.list_users(principal)
        self.assertInvalid("page", self.db.list_users, admin, page=0)
        self.assertInvalid("limit", self.db.list_users, admin, limit=0)
        self.assertInvalid("limit", self.db.list_users, admin, limit=101)
        self.assertInvalid("page", self.db.list_users, admin, page=2**63)
        with self.assertRaises(TypeError):
            self.db.list_users(admin, page="1")

    def test_update_user_changes_only_what_is_given(self) -> None:
        user, _ = self.actor(name="Before")
        renamed = self.db.update_user(self.system, user.id, name="After")
        self.assertEqual((renamed.name, renamed.email, renamed.role), ("After", user.email, user.role))
        self.assertGreaterEqual(renamed.updated_at, user.updated_at)
        self.assertEqual(renamed.created_at, user.created_at)
        new_email = self.email()
        moved = self.db.update_user(self.system, user.id, email=new_email.upper())
        self.assertEqual((moved.name, moved.email), ("After", new_email))
        untouched = self.db.update_user(self.system, user.id)  # nothing given: nothing changes
        self.assertEqual(dataclasses.replace(untouched, updated_at=moved.updated_at), moved)
        self.assertInvalid("name", self.db.update_user, self.system, user.id, name=None)
        self.assertInvalid("email", self.db.update_user, self.system, user.id, email="broken")
        taken, _ = self.actor()
        with self.assertRaises(crm.Conflict):
            self.db.update_user(self.system, user.id, email=taken.email)
        with self.assertRaises(crm.NotFound):
            self.db.update_user(self.system, str(uuid.uuid4()), name="Nobody")

    def test_who_may_update_whom(self) -> None:
        me, sales = self.actor(crm.Role.SALES)
        other, _ = self.actor(crm.Role.SALES)
        manager_user, manager = self.actor(crm.Role.MANAGER)
        _, admin = self.actor(crm.Role.ADMIN)
        self.assertEqual(self.db.update_user(sales, me.id, name="Self").name, "Self")
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(sales, me.id, role=crm.Role.ADMIN)
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(sales, other.id, name="Not mine")
        with self.assertRaises(crm.Forbidden):
            self.db.update_user(manager, other.id, name="Not mine either")
        self.assertEqual(self.db.update_user(manager, manager_user.id, name="M").name, "M")
        self.assertIs(self.db.update_user(admin, other.id, role="MANAGER").role, crm.Role.MANAGER)

    def test_passwords(self) -> None:
        me, sales = self.actor()
        self.assertInvalid("current_password", self.db.update_user, sales, me.id, password="a new password")
        with self.assertRaises(crm.Unauthorized):
            self.db.update_user(sales, me.id, password="a new password", current_password="wrong password")
        self.assertInvalid("password", self.db.update_user, sales, me.id, password="short", current_password=PASSWORD)
        self.db.update_user(sales, me.id, password="a new password", current_password=PASSWORD)
        self.db.login(me.email, "a new password")
        self.db.update_user(self.system, me.id, password="set by the admin")  # no current password needed
        self.db.login(me.email, "set by the admin")
        with self.assertRaises(TypeError):
            self.db.update_user(sales, me.id, current_password=PASSWORD)

    def test_delete_user_keeps_their_leads_unowned_and_activities_authorless(self) -> None:
        user, sales = self.actor()
        lead = self.db.create_lead(sales, "Orphan to be")
        note = self.db.create_activity(sales, lead.id, crm.ActivityType.NOTE, body="by the user")
        self.assertIsNone(self.db.delete_user(self.system, user.id))
        with self.assertRaises(crm.NotFound):
            self.db.get_user(self.system, user.id)
        with self.assertRaises(crm.NotFound):
            self.db.delete_user(self.system, user.id)
        self.assertIsNone(self.db.get_lead(self.system, lead.id).owner_id)
        self.assertIsNone(self.db.get_activity(self.system, note.id).created_by)

    def test_only_admins_delete_users(self) -> None:
        victim, _ = self.actor()
        for role in (crm.Role.MANAGER, crm.Role.SALES):
            _, principal = self.actor(role)
            with self.assertRaises(crm.Forbidden):
                self.db.delete_user(principal, victim.id)
        _, admin = self.actor(crm.Role.ADMIN)
        self.db.delete_user(admin, victim.id)


class TestLastAdmin(DatabaseCase):
    def test_the_last_admin_can_be_neither_deleted_nor_demoted(self) -> None:
        only, admin = self.actor(crm.Role.ADMIN)
        with self.assertRaises(crm.Conflict):
            self.db.delete_user(self.system, only.id)
        with self.assertRaises(crm.Conflict):
            self.db.update_user(admin, only.id, role=crm.Role.SALES)
        second, _ = self.actor(crm.Role.ADMIN)
        self.assertIs(self.db.update_user(admin, only.id, role=crm.Role.MANAGER).role, crm.Role.MANAGER)
        with self.assertRaises(crm.Conflict):
            self.db.delete_user(self.system, second.id)


if __name__ == "__main__":
    sys.exit(main(__name__))
