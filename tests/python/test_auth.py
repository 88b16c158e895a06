#!/usr/bin/env python3
"""Authentication: register, login, tokens, refresh, logout, login throttling.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import sys
import threading
import time

import crm
from support import PASSWORD, DatabaseCase, main, open_database
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- Authentication ----------------------------------------------------------------------------


class TestAuth(DatabaseCase):
    def test_register_creates_a_sales_user_and_logs_in(self) -> None:
        email = self.email()
        result = self.db.register("  " + email.upper() + " ", PASSWORD)
        self.assertIsInstance(result, crm.AuthResult)
        self.assertEqual(result.user.email, email)  # trimmed, lower case
        self.assertEqual(result.user.name, email.split("@")[0])
        self.assertIs(result.user.role, crm.Role.SALES)
        self.assertEqual(result.access_token, result.tokens.access_token)
        self.assertEqual(result.refresh_token, result.tokens.refresh_token)
        self.assertNotIn(result.access_token, repr(result))  # tokens are not printed
        principal = self.db.authenticate(result.access_token)
        self.assertEqual(principal.user_id, result.user.id)
        self.assertIs(principal.role, crm.Role.SALES)
        self.assertFalse(principal.is_system)
        self.assertEqual(self.db.me(principal), result.user)

    def test_register_with_a_name(self) -> None:
        result = self.db.register(self.email(), PASSWORD, name="Ada Lovelace")
        self.assertEqual(result.user.name, "Ada Lovelace")

    def test_register_twice_is_a_conflict(self) -> None:
        email = self.email()
        self.db.register(email, PASSWORD)
        with self.assertRaises(crm.Conflict) as caught:
            self.db.register(email.upper(), PASSWORD)
        self.assertEqual(caught.exception.code, crm.Status.ECONFLICT)
        self.assertIn(caught.exception.errors, ([], [("email", "is already taken")]))

    def test_register_validates(self) -> None:
        self.assertInvalid("email", self.db.register, "not an email", PASSWORD)
        self.assertInvalid("password", self.db.register, self.email(), "short")
        self.assertInvalid("password", self.db.register, self.email(), "x" * 1025)
        self.assertInvalid("email", self.db.register, None, PASSWORD)
        self.assertInvalid("password", self.db.register, self.email(), None)

    def test_login(self) -> None:
        email = self.email()
        registered = self.db.register(email, PASSWORD)
        login = self.db.login(email.upper(), PASSWORD)
        self.assertEqual(login.user, registered.user)
        self.assertNotEqual(login.refresh_token, registered.refresh_token)

    def test_bad_credentials_are_unauthorized_alike(self) -> None:
        email = self.email()
        self.db.register(email, PASSWORD)
        with self.assertRaises(crm.Unauthorized) as wrong_password:
            self.db.login(email, PASSWORD + "!")
        with self.assertRaises(crm.Unauthorized) as unknown_email:
            self.db.login(self.email(), PASSWORD)
        self.assertEqual(str(wrong_password.exception), str(unknown_email.exception))
        self.assertEqual(wrong_password.exception.code, crm.Status.EUNAUTHORIZED)

    def test_bad_access_tokens_are_unauthorized(self) -> None:
        registered = self.db.register(self.email(), PASSWORD)
        header, payload, signature = registered.access_token.split(".")
        forged = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
        for token in ("", "garbage", "a.b.c", forged, registered.refresh_token):
            with self.subTest(token=token[:20]), self.assertRaises(crm.Unauthorized):
                self.db.authenticate(token)
        self.assertInvalid("access_token", self.db.authenticate, None)

    def test_refresh_rotates_and_a_reused_token_revokes_every_token(self) -> None:
        email = self.email()
        first = self.db.register(email, PASSWORD)
        other_session = self.db.login(email, PASSWORD)

        second = self.db.refresh(first.refresh_token)
        self.assertIsInstance(second, crm.Tokens)
        self.assertNotEqual(second.refresh_token, first.refresh_token)
        self.assertEqual(self.db.authenticate(second.access_token).user_id, first.user.id)
        third = self.db.refresh(second.refresh_token)

        with self.assertRaises(crm.Unauthorized):  # theft: a spent token again
            self.db.refresh(first.refresh_token)
        for revoked in (third.refresh_token, other_session.refresh_token):
            with self.assertRaises(crm.Unauthorized):
                self.db.refresh(revoked)
        self.db.login(email, PASSWORD)  # logging in again still works

    def test_logout_revokes_the_refresh_token(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.assertIsNone(self.db.logout(login.refresh_token))
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)
        self.db.logout(login.refresh_token)  # again: fine
        self.db.logout("an unknown token")  # unknown: fine
        self.assertInvalid("refresh_token", self.db.logout, None)
        self.assertInvalid("refresh_token", self.db.refresh, None)

    def test_changing_the_password_revokes_refresh_tokens(self) -> None:
        email = self.email()
        login = self.db.register(email, PASSWORD)
        me = self.db.authenticate(login.access_token)
        self.db.update_user(me, login.user.id, password="a new password", current_password=PASSWORD)
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)
        with self.assertRaises(crm.Unauthorized):
            self.db.login(email, PASSWORD)
        self.db.login(email, "a new password")

    def test_a_deleted_user_token_is_refused_at_once(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.db.authenticate(login.access_token)
        self.db.delete_user(self.system, login.user.id)
        with self.assertRaises(crm.Unauthorized):
            self.db.authenticate(login.access_token)
        with self.assertRaises(crm.Unauthorized):
            self.db.refresh(login.refresh_token)

    def test_a_role_change_shows_in_the_next_authentication(self) -> None:
        login = self.db.register(self.email(), PASSWORD)
        self.db.update_user(self.system, login.user.id, role=crm.Role.MANAGER)
        self.assertIs(self.db.authenticate(login.access_token).role, crm.Role.MANAGER)

    def test_a_kept_principal_follows_demotion_and_deletion(self) -> None:
        # A principal the program keeps is checked against its user's row again once it is older
        # than a second (the default principal_max_age).
        manager, kept = self.actor(crm.Role.MANAGER)
        other, _ = self.actor(crm.Role.SALES)
        foreign = self.db.create_lead(self.system, "someone else's", owner_id=other.id)
        self.assertEqual(self.db.get_lead(kept, foreign.id).id, foreign.id)
        self.db.update_user(self.system, manager.id, role=crm.Role.SALES)
        time.sleep(1.1)
        with self.assertRaises(crm.NotFound):
            self.db.get_lead(kept, foreign.id)
        with self.assertRaises(crm.Forbidden):
            self.db.get_user(kept, other.id)
        self.db.delete_user(self.system, manager.id)
        with self.assertRaises(crm.Unauthorized):
            self.db.get_lead(kept, foreign.id)

    def test_me_of_the_system_principal(self) -> None:
        with self.assertRaises(crm.NotFound):
            self.db.me(self.system)  # the system principal is no user


class TestThrottle(DatabaseCase):
    """Login throttling through the binding: crm.Throttled with retry_after, counts in the database."""

    def test_too_many_failures_raise_throttled_with_retry_after(self) -> None:
        with open_database(self.scratch.url, login_max_failures=3, login_window_s=900) as db:
            email = self.email()
            db.register(email, PASSWORD)
            for _ in range(3):
                with self.assertRaises(crm.Unauthorized) as refused:
                    db.login(email, "wrong password", client_address="192.0.2.10")
                self.assertIsNone(refused.exception.retry_after)
            with self.assertRaises(crm.Throttled) as throttled:
                db.login(email, PASSWORD, client_address="192.0.2.11")  # the right password, another address
            error = throttled.exception
            self.assertEqual(error.code, crm.Status.ETHROTTLED)
            self.assertIsInstance(error.retry_after, int)
            self.assertTrue(1 <= error.retry_after <= 900, error.retry_after)
            # An unknown email is throttled alike, with the same message.
            unknown = self.email()
            for _ in range(3):
                with self.assertRaises(crm.Unauthorized):
                    db.login(unknown, PASSWORD)
            with self.assertRaises(crm.Throttled) as unknown_throttled:
                db.login(unknown, PASSWORD)
            self.assertEqual(str(unknown_throttled.exception), str(error))
            # The address that failed three times is throttled for any email.
            with self.assertRaises(crm.Throttled):
                db.login(self.email(), PASSWORD, client_address="192.0.2.10")
            self.assertInvalid("client_address", db.login, email, PASSWORD, client_address="a\x00b")
        # Another handle on the same database (a restart) sees the same counts.
        with open_database(self.scratch.url, login_max_failures=3, login_window_s=900) as again:
            with self.assertRaises(crm.Throttled):
                again.login(email, PASSWORD)

    def test_busy_hashing_is_unavailable_with_retry_after(self) -> None:
        # One hashing slot, no queue, a cost that keeps a hash in its slot a while: logins from
        # two threads at once; the one that finds the slot taken is refused at once.
        options = {"max_concurrent_hashes": 1, "max_queued_hashes": 0, "password_opslimit": 3,
                   "password_memlimit": 16 * 1024 * 1024, "login_max_failures": 0}
        with open_database(self.scratch.url, **options) as db:
            stop = threading.Event()

            def hold() -> None:
                while not stop.is_set():
                    try:
                        db.login("holder@example.com", PASSWORD)
                    except crm.Error:
                        pass

            holder = threading.Thread(target=hold)
            holder.start()
            busy = None
            try:
                for _ in range(500):
                    try:
                        db.login("someone@example.com", PASSWORD)
                    except crm.Unavailable as e:
                        busy = e
                        break
                    except crm.Unauthorized:
                        pass
            finally:
                stop.set()
                holder.join()
            self.assertIsNotNone(busy)
            self.assertEqual(busy.retry_after, 1)
            self.assertEqual(str(busy), "password hashing is busy")


if __name__ == "__main__":
    sys.exit(main(__name__))
