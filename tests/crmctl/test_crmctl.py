"""crmctl end to end, on the backend named by CRM_TEST_BACKEND (sqlite or postgresql).

Environment: CRMCTL (the binary), CRM_SERVER (crm-server, optional: the server test needs it),
CRM_LIBRARY + PYTHONPATH (the Python binding, used to check what crmctl wrote), CRM_TEST_PG_URL
(PostgreSQL runs: required; the run fails without it, it never skips).
"""
import csv
import io
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import crm

BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
CRMCTL = os.environ["CRMCTL"]
SECRET = "crmctl-tests-secret-crmctl-tests-secret"


class Scratch:
    """A new database on the backend under test, and crmctl runs against it."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="crmctl-")
        if BACKEND == "sqlite":
            self.url = f"sqlite:{self.dir}/crm.db"
        else:
            base = os.environ.get("CRM_TEST_PG_URL")
            if not base:
                raise RuntimeError("CRM_TEST_PG_URL is not set: run through scripts/with-postgres.sh")
            self.base, self.name = base, "crmctl_" + secrets.token_hex(6)
            self._psql(f"CREATE DATABASE {self.name}")
            self.url = urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="/" + self.name))
        self.run("migrate")

    def _psql(self, sql: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.base, "-c", sql],
                       check=True, capture_output=True, env=env, timeout=120)

    def drop(self) -> None:
        if BACKEND == "postgresql":
            self._psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, *args: str, stdin: str = "", check_code: int | None = 0) -> subprocess.CompletedProcess:
        env = {**os.environ, "CRM_DATABASE_URL": self.url, "CRM_PASSWORD_COST": "min"}
        done = subprocess.run([CRMCTL, *args], input=stdin, capture_output=True, text=True, env=env, timeout=600)
        if check_code is not None and done.returncode != check_code:
            raise AssertionError(f"crmctl {' '.join(args)} exited {done.returncode}, not {check_code}:\n"
                                 f"{done.stdout}\n{done.stderr}")
        return done

    def file(self, name: str, text: str, encoding: str = "utf-8") -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(text)
        return path

    def binding(self) -> crm.Database:
        return crm.Database.open(self.url, jwt_secret=SECRET, password_opslimit=1, password_memlimit=8192)

    def leads(self) -> list[dict]:
        out = self.run("export-leads", "--format", "jsonl").stdout
        return [json.loads(line) for line in out.splitlines()]


def content(lead: dict) -> tuple:
    """What an import restores: everything but the id and the timestamps."""
    return (lead["title"], lead["description"], lead["status"], lead["source"], lead["ownerId"],
            json.dumps(lead["metadata"], sort_keys=True))


class CrmctlTest(unittest.TestCase):
    def setUp(self) -> None:
        self.db = Scratch()
        self.addCleanup(self.db.drop)

    def admin(self, email: str = "admin@example.com", password: str = "admin-password") -> None:
        self.db.run("create-user", "--email", email, "--role", "ADMIN", "--name", "Ada", stdin=password + "\n")

    # -- the command line --------------------------------------------------------------------

    def test_help_and_usage_errors(self) -> None:
        overview = self.db.run("--help").stdout
        for command in ("migrate", "create-user", "set-role", "reset-password", "list-users",
                        "import-leads", "export-leads"):
            self.assertIn(command, overview)
            self.assertIn("usage: crmctl " + command, self.db.run(command, "--help").stdout)
        self.assertIn("exit codes", overview)
        self.assertIn("unknown command", self.db.run("frobnicate", check_code=2).stderr)
        self.assertIn("unknown option --nope", self.db.run("list-users", "--nope", "x", check_code=2).stderr)
        self.db.run(check_code=2)
        self.assertIn("--email is required", self.db.run("set-role", "--role", "SALES", check_code=2).stderr)

    def test_migrate_is_idempotent(self) -> None:
        self.assertEqual(self.db.run("migrate").stdout.strip(), "schema version 1")

    # -- users -------------------------------------------------------------------------------

    def test_users_created_listed_promoted_and_reset(self) -> None:
        self.admin()
        self.db.run("create-user", "--email", "Sam@Example.com", "--role", "SALES", stdin="sam-password\r\n")
        listed = [json.loads(line) for line in self.db.run("list-users", "--format", "jsonl").stdout.splitlines()]
        self.assertEqual([(u["email"], u["role"]) for u in listed],
                         [("admin@example.com", "ADMIN"), ("sam@example.com", "SALES")])
        self.assertNotIn("password", json.dumps(listed))
        self.assertIn("sam@example.com", self.db.run("list-users").stdout)

        self.db.run("set-role", "--email", "sam@example.com", "--role", "MANAGER")
        self.db.run("reset-password", "--email", "sam@example.com", stdin="new-sam-password\n")
        with self.db.binding() as db:
            self.assertEqual(db.login("sam@example.com", "new-sam-password").user.role, crm.Role.MANAGER)
            with self.assertRaises(crm.Unauthorized):
                db.login("sam@example.com", "sam-password")

        # Refusals: a taken email, the last ADMIN, an unknown user, a weak password.
        self.assertIn("already taken", self.db.run("create-user", "--email", "SAM@example.com", "--role", "SALES",
                                                   stdin="password123\n", check_code=3).stderr)
        self.assertIn("last ADMIN", self.db.run("set-role", "--email", "admin@example.com", "--role", "SALES",
                                                check_code=3).stderr)
        self.db.run("reset-password", "--email", "nobody@example.com", stdin="password123\n", check_code=3)
        self.assertIn("password", self.db.run("create-user", "--email", "w@example.com", "--role", "SALES",
                                              stdin="short\n", check_code=3).stderr)

    def test_passwords_never_come_from_the_command_line(self) -> None:
        done = self.db.run("create-user", "--email", "x@example.com", "--role", "SALES", "--password",
                           "password123", check_code=2)
        self.assertIn("unknown option --password", done.stderr)
        self.db.run("create-user", "--email", "x@example.com", "--role", "SALES", check_code=2)  # empty stdin
        self.assertEqual(self.db.run("list-users", "--format", "jsonl").stdout, "")

    # -- import and export ----------------------------------------------------------------------

    def test_import_keeps_every_value_verbatim(self) -> None:
        self.admin()
        rows = [
            ["title", "description", "status", "source", "ownerEmail", "metadata"],
            ["Quoted, with comma", 'say "hi"\nsecond line', "CONTACTED", "web", "admin@example.com",
             '{"nested": {"list": [1, 2.5, "x"]}, "big": 12345678901234567890}'],
            ["'; DROP TABLE \"Leads\"; --", "100% _off_ back\\slash", "CLOSED", "fair", "", ""],
            ["ünïcödé 漢字 🚀", "  padded  ", "", "", "", "{}"],
        ]
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(rows)  # CRLF, as spreadsheets write it
        path = self.db.file("leads.csv", "\ufeff" + text.getvalue())  # with a byte order mark
        done = self.db.run("import-leads", path)
        self.assertIn("imported 3 leads, rejected 0 rows", done.stdout)
        leads = sorted(self.db.leads(), key=lambda lead: lead["title"])
        by_title = {lead["title"]: lead for lead in leads}
        self.assertEqual(by_title["Quoted, with comma"]["description"], 'say "hi"\nsecond line')
        self.assertEqual(by_title["Quoted, with comma"]["metadata"]["big"], 12345678901234567890)
        self.assertEqual(by_title["Quoted, with comma"]["status"], "CONTACTED")
        self.assertIsNotNone(by_title["Quoted, with comma"]["ownerId"])
        self.assertEqual(by_title["'; DROP TABLE \"Leads\"; --"]["description"], "100% _off_ back\\slash")
        self.assertIsNone(by_title["'; DROP TABLE \"Leads\"; --"]["ownerId"])
        self.assertEqual(by_title["ünïcödé 漢字 🚀"]["description"], "  padded  ")
        self.assertEqual(by_title["ünïcödé 漢字 🚀"]["status"], "NEW")

    def test_rejected_rows_are_reported_with_their_line_numbers(self) -> None:
        path = self.db.file("bad.csv", (
            "title,description,status,ownerId,metadata\n"        # line 1
            "good one,\"two\nlines\",NEW,,\n"                     # lines 2-3
            ",no title,NEW,,\n"                                  # line 4
            "bad status,,MAYBE,,\n"                              # line 5
            "bad owner,,,not-a-uuid,\n"                          # line 6
            "bad metadata,,,,[1]\n"                              # line 7
            "too,many,fields,here,x,y\n"                         # line 8
            "good two,,QUALIFIED,,\n"))                          # line 9
        done = self.db.run("import-leads", path, check_code=1)
        self.assertIn("imported 2 leads, rejected 5 rows", done.stdout)
        lines = {int(m.group(1)): m.group(2) for m in re.finditer(r"bad\.csv:(\d+): (.*)", done.stdout)}
        self.assertEqual(sorted(lines), [4, 5, 6, 7, 8])
        self.assertIn("title is required", lines[4])
        self.assertIn("status", lines[5])
        self.assertIn("ownerId", lines[6])
        self.assertIn("metadata", lines[7])
        self.assertIn("fields", lines[8])
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), ["good one", "good two"])

    def test_bad_headers_are_usage_errors(self) -> None:
        self.assertIn("unknown column", self.db.run("import-leads", self.db.file("a.csv", "title,colour\nx,red\n"),
                                                    check_code=2).stderr)
        self.assertIn("no title column", self.db.run("import-leads", self.db.file("b.csv", "description\nx\n"),
                                                     check_code=2).stderr)
        self.db.run("import-leads", os.path.join(self.db.dir, "missing.csv"), check_code=2)
        self.assertEqual(self.db.leads(), [])

    def test_a_batch_the_database_refuses_leaves_nothing_half_imported(self) -> None:
        # Row 2 names an owner that does not exist: only the database can tell, so its whole batch
        # is rolled back; then each row of that batch is retried alone. The result: every good row
        # exactly once, the bad one reported.
        ghost = "01a00000-0000-7000-8000-000000000000"
        path = self.db.file("batch.csv", "title,ownerId\n" + "".join(
            f"row {i},{ghost if i == 2 else ''}\n" for i in range(1, 8)))
        done = self.db.run("import-leads", path, "--batch-size", "3", check_code=1)
        self.assertIn("imported 6 leads, rejected 1 rows", done.stdout)
        self.assertRegex(done.stdout, r"batch\.csv:3: ownerId must be an existing user")
        titles = sorted(lead["title"] for lead in self.db.leads())
        self.assertEqual(titles, sorted(f"row {i}" for i in range(1, 8) if i != 2))

    def test_an_export_imports_back_to_the_same_leads(self) -> None:
        self.admin()
        self.db.run("create-user", "--email", "sam@example.com", "--role", "SALES", stdin="sam-password\n")
        path = self.db.file("in.csv", (
            "title,description,status,source,ownerEmail,metadata\n"
            "a,first,NEW,web,admin@example.com,\"{\"\"k\"\": [1, {\"\"deep\"\": true}]}\"\n"
            "b,,CLOSED,,sam@example.com,\n"
            "\"c, with comma\",\"quote \"\" and\nnewline\",QUALIFIED,fair,,{}\n"))
        self.db.run("import-leads", path)
        before = sorted(content(lead) for lead in self.db.leads())
        exported = os.path.join(self.db.dir, "export.csv")
        self.db.run("export-leads", "--format", "csv", "--output", exported)
        with self.db.binding() as db:
            for lead in db.list_leads(crm.Principal.system(), limit=100).items:
                db.delete_lead(crm.Principal.system(), lead.id)
        self.assertEqual(self.db.leads(), [])
        self.assertIn("imported 3 leads, rejected 0 rows", self.db.run("import-leads", exported).stdout)
        self.assertEqual(sorted(content(lead) for lead in self.db.leads()), before)

    @unittest.skipUnless(BACKEND == "sqlite", "memory is the importer's, not the backend's: measured once")
    def test_import_runs_in_bounded_memory(self) -> None:
        # Peak resident memory of an import of 20,000 rows and of 200,000 rows: streaming and
        # batching keep it flat, where reading the file whole would grow it tenfold.
        def peak_kib(rows: int) -> int:
            path = os.path.join(self.db.dir, f"{rows}.csv")
            with open(path, "w") as f:
                f.write("title,description,status,source,metadata\n")
                for i in range(rows):
                    f.write(f"lead {i},\"a description long enough to weigh something: {'x' * 200}\",NEW,web,"
                            f"\"{{\"\"n\"\": {i}}}\"\n")
            probe = ("import resource, subprocess, sys; "
                     "done = subprocess.run(sys.argv[1:], capture_output=True); "
                     "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            env = {**os.environ, "CRM_DATABASE_URL": self.db.url}
            out = subprocess.run([sys.executable, "-c", probe, CRMCTL, "import-leads", path],
                                 capture_output=True, text=True, env=env, check=True, timeout=900).stdout.split()
            self.assertEqual(out[0], "0")
            return int(out[1])

        small, large = peak_kib(20_000), peak_kib(200_000)
        print(f"\npeak RSS: 20,000 rows {small} KiB, 200,000 rows {large} KiB", file=sys.stderr)
        self.assertLess(large, small * 1.5 + 4096)
        if not os.environ.get("CRM_SANITIZED"):  # ASan's shadow memory and quarantine add ~350 MiB
            self.assertLess(large, 64 * 1024)
        self.assertEqual(len(self.db.leads()), 220_000)

    @unittest.skipUnless(os.environ.get("CRM_SERVER"), "the server is not built (CRM_BUILD_EXAMPLES=OFF)")
    def test_imported_leads_are_served_by_the_http_server(self) -> None:
        self.admin()
        self.db.run("import-leads", self.db.file("in.csv", "title,source\nfrom crmctl,csv\nanother,csv\n"))
        env = {**os.environ, "CRM_DATABASE_URL": self.db.url, "CRM_JWT_SECRET": SECRET, "PORT": "0",
               "CRM_PASSWORD_COST": "min"}
        server = subprocess.Popen([os.environ["CRM_SERVER"]], cwd=self.db.dir, env=env, stderr=subprocess.PIPE,
                                  text=True)
        self.addCleanup(server.stderr.close)
        self.addCleanup(server.wait, 30)
        self.addCleanup(server.terminate)
        address = None
        while address is None:
            line = server.stderr.readline()
            self.assertTrue(line, "the server ended before listening")
            match = re.search(r"listening on (http://\S+)", line)
            address = match and match.group(1)

        def call(method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
            request = urllib.request.Request(address + path, method=method,
                                             data=json.dumps(body).encode() if body is not None else None)
            request.add_header("Content-Type", "application/json")
            if token:
                request.add_header("Authorization", "Bearer " + token)
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())

        token = call("POST", "/api/auth/login", {"email": "admin@example.com", "password": "admin-password"})["accessToken"]
        page = call("GET", "/api/leads?source=csv&sort=title", token=token)
        self.assertEqual(page["pagination"]["total"], 2)
        self.assertEqual([lead["title"] for lead in page["data"]], ["another", "from crmctl"])




if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    print(f"{ran - len(result.failures) - len(result.errors)} passed, {len(result.failures) + len(result.errors)} failed")
    sys.exit(0 if result.wasSuccessful() and ran > 0 else 1)
