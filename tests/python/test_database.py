#!/usr/bin/env python3
"""Opening, migrating and configuring a database; one database shared by threads.

Run by CTest once per backend (tests/python/CMakeLists.txt); see support.py for the environment.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from datetime import timedelta

import crm
from support import (BACKEND, FAST_HASHING, PASSWORD, DatabaseCase, main, open_database, ScratchDatabase,
                    utc_now)
from support import setUpModule  # noqa: F401  (unittest calls it: the backend check)


# ---- Database --------------------------------------------------------------------------------


class TestDatabase(DatabaseCase):
    def test_migrate_is_idempotent_and_reaches_the_latest_version(self) -> None:
        self.assertEqual(self.db.schema_version, crm.Database.latest_schema_version)
        self.assertGreater(crm.Database.latest_schema_version, 0)
        self.db.migrate()
        self.assertEqual(self.db.schema_version, self.db.latest_schema_version)

    def test_a_new_database_has_schema_version_0(self) -> None:
        scratch = ScratchDatabase()
        try:
            with open_database(scratch.url) as db:
                self.assertEqual(db.schema_version, 0)
        finally:
            scratch.drop()

    def test_ping_and_backend(self) -> None:
        self.assertIs(self.db.ping(), True)
        self.assertIs(self.db.backend, crm.Backend(BACKEND))
        self.assertIn(BACKEND, repr(self.db))

    def test_a_malformed_url_is_invalid(self) -> None:
        self.assertInvalid("url", open_database, "mysql://localhost/crm")
        self.assertInvalid("url", open_database, None)
        with self.assertRaises(TypeError):
            open_database(b"sqlite::memory:")

    def test_an_unreachable_server_is_unavailable(self) -> None:
        with self.assertRaises(crm.Unavailable) as caught:
            open_database("postgresql://crm:crm@127.0.0.1:1/crm", lease_timeout_ms=2000)
        self.assertIsInstance(caught.exception, ConnectionError)
        self.assertEqual(caught.exception.code, crm.Status.EUNAVAILABLE)

    def test_a_short_jwt_secret_is_refused(self) -> None:
        self.assertInvalid("jwt_secret", open_database, "sqlite::memory:", jwt_secret="too short")
        self.assertInvalid("jwt_secret", open_database, "sqlite::memory:", jwt_secret="x" * 31)

    def test_without_a_jwt_secret_everything_but_tokens_works(self) -> None:
        # A script acting as the system principal need not invent a secret; token operations
        # say what is missing instead.
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        tokens = self.db.login(email, PASSWORD)
        for secret in (None, ""):
            settings = {} if secret is None else {"jwt_secret": secret}
            with crm.Database.open(self.scratch.url, **FAST_HASHING, **settings) as plain:
                with self.subTest(jwt_secret=secret):
                    lead = plain.create_lead(self.system, "no tokens here")
                    plain.create_lead(self.system, "nor here")
                    self.assertEqual(plain.get_lead(self.system, lead.id).title, "no tokens here")
                    first = plain.list_leads(self.system, limit=1)
                    self.assertIsNotNone(first.next_cursor)
                    self.assertEqual(len(plain.list_leads(self.system, cursor=first.next_cursor, limit=1)), 1)
                    for call in (lambda: plain.login(email, PASSWORD),
                                 lambda: plain.login(email, "wrong password", client_address="10.0.0.1"),
                                 lambda: plain.register(self.email(), PASSWORD),
                                 lambda: plain.refresh(tokens.refresh_token),
                                 lambda: plain.authenticate(tokens.access_token)):
                        error = self.assertInvalid("jwt_secret", call)
                        self.assertIn("jwt_secret is required to issue or verify tokens", error.message)
                    plain.logout("not a token")  # needs no secret: unknown tokens are ignored
        self.db.refresh(tokens.refresh_token)  # the refused refresh did not spend it

    def test_options_are_checked(self) -> None:
        self.assertInvalid("pool_size", open_database, "sqlite::memory:", pool_size=-1)
        self.assertInvalid("password_memlimit", open_database, "sqlite::memory:", password_memlimit=2**64)
        self.assertInvalid("access_token_ttl", open_database, "sqlite::memory:", access_token_ttl_s=0)
        self.assertInvalid("jwt_algorithm", open_database, "sqlite::memory:", jwt_algorithm="RS256")
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", pool_size="4")
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", leeway_s=1.5)
        with self.assertRaises(TypeError):
            open_database("sqlite::memory:", jwt_algorithm=256)

    def test_tokens_signed_with_another_algorithm(self) -> None:
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        for algorithm in ("HS384", crm.JwtAlgorithm.HS512):
            with self.subTest(algorithm=algorithm), open_database(self.scratch.url, jwt_algorithm=algorithm) as db:
                login = db.login(email, PASSWORD)
                header = json.loads(_b64(login.access_token.split(".")[0]))
                self.assertEqual(header["alg"], crm.JwtAlgorithm(algorithm).value)
                self.assertEqual(db.authenticate(login.access_token).user_id, login.user.id)
                with self.assertRaises(crm.Unauthorized):  # the default HS256 handle refuses it
                    self.db.authenticate(login.access_token)

    def test_an_expired_access_token_is_refused(self) -> None:
        email = self.email()
        self.db.create_user(self.system, email, PASSWORD)
        with open_database(self.scratch.url, access_token_ttl_s=1, leeway_s=0) as db:
            login = db.login(email, PASSWORD)
            db.authenticate(login.access_token)
            deadline = utc_now() + timedelta(seconds=10)
            while utc_now() < deadline:
                try:
                    db.authenticate(login.access_token)
                except crm.Unauthorized:
                    break
                threading.Event().wait(0.25)
            else:
                self.fail("the access token did not expire")

    def test_closed_database(self) -> None:
        db = open_database(self.scratch.url)
        db.close()
        db.close()
        self.assertTrue(db.closed)
        self.assertIn("closed", repr(db))
        with self.assertRaises(ValueError):
            db.ping()
        with self.assertRaises(ValueError):
            db.create_lead(self.system, "after close")

    def test_a_closed_principal_cannot_act(self) -> None:
        principal = crm.Principal.system()
        principal.close()
        with self.assertRaises(ValueError):
            self.db.create_lead(principal, "closed principal")

    def test_the_principal_must_be_a_principal(self) -> None:
        self.assertInvalid("actor", self.db.create_lead, None, "no principal")
        with self.assertRaises(TypeError):
            self.db.create_lead("ADMIN", "not a principal")


def _b64(segment: str) -> bytes:
    import base64
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# ---- Threads -------------------------------------------------------------------------------------


class TestThreads(DatabaseCase):
    pool_size = 8
    THREADS = 8
    PER_THREAD = 25

    def test_threads_share_one_database_and_principal(self) -> None:
        _, admin = self.actor(crm.Role.ADMIN)
        tag = self.unique("threads")
        created: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(self.THREADS)
        lock = threading.Lock()

        def work(n: int) -> None:
            try:
                start.wait(30)
                for i in range(self.PER_THREAD):
                    lead = self.db.create_lead(admin, f"thread {n} lead {i}", source=tag, metadata={"n": n, "i": i})
                    with lock:
                        created.append(lead.id)
                    if i % 5 == 0:  # mix reads in with the writes
                        self.db.list_leads(admin, source=tag, limit=5)
                        with self.assertRaises(crm.NotFound):
                            self.db.get_lead(admin, str(uuid.uuid4()))  # errors stay on their thread
            except BaseException as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertFalse(any(t.is_alive() for t in threads), "a thread hung")
        self.assertEqual(errors, [])
        expected = self.THREADS * self.PER_THREAD
        self.assertEqual(len(created), expected)
        self.assertEqual(len(set(created)), expected)
        self.assertEqual(self.db.list_leads(admin, source=tag, limit=1).total, expected)
        everything = set()
        for number in range(1, expected // 100 + 2):
            everything |= {lead.id for lead in self.db.list_leads(admin, source=tag, page=number, limit=100)}
        self.assertEqual(everything, set(created))

    def test_closing_while_other_threads_call_is_safe(self) -> None:
        db = open_database(self.scratch.url)
        stop_reasons: list[BaseException] = []
        started = threading.Barrier(5)

        def hammer() -> None:
            started.wait(30)
            try:
                while True:
                    db.ping()
                    db.list_leads(self.system, limit=1)
            except BaseException as e:
                stop_reasons.append(e)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        started.wait(30)
        threading.Event().wait(0.2)
        db.close()
        for t in threads:
            t.join(60)
        self.assertEqual(len(stop_reasons), 4)
        for reason in stop_reasons:
            self.assertIsInstance(reason, ValueError)
            self.assertIn("closed", str(reason))


if __name__ == "__main__":
    sys.exit(main(__name__))
