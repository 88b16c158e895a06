"""crmctl end to end, on the backend named by CRM_TEST_BACKEND (sqlite or postgresql).

Every test gets a new database: a file in a temporary folder on SQLite; on PostgreSQL a database
created with psql through CRM_TEST_PG_URL (a role that may CREATE DATABASE) and dropped after.
A PostgreSQL run without CRM_TEST_PG_URL fails; it never skips.

Environment: CRMCTL (the binary), CRM_LIBRARY + PYTHONPATH (the Python binding, used to log in and
to delete leads, which crmctl cannot), CRM_SERVER (crm-server, optional: only the server test needs
it), CRM_TEST_PG_URL (PostgreSQL runs).
"""
import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: scratch_db
from scratch_db import BACKENDS, ScratchDatabase, pg_url, psql  # noqa: E402

BACKEND = os.environ.get("CRM_TEST_BACKEND", "sqlite")
if BACKEND not in BACKENDS:
    sys.exit(f"CRM_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")
if BACKEND == "postgresql":
    try:
        pg_url()
    except RuntimeError as e:
        sys.exit(f"FAIL: CRM_TEST_BACKEND=postgresql: {e}")

import crm  # noqa: E402  (the binding; after the checks above, whose messages matter more)

CRMCTL = os.environ["CRMCTL"]
SECRET = "crmctl-tests-secret-crmctl-tests-secret"
GHOST = "01a00000-0000-7000-8000-000000000000"  # a well-formed id that names no user
MIB = 1024 * 1024


class Scratch(ScratchDatabase):
    """A new database on the backend under test, and crmctl runs against it."""

    def __init__(self, migrate: bool = True) -> None:
        super().__init__(BACKEND, "crmctl")
        if migrate:
            self.run("migrate")

    def env(self) -> dict:
        return {**os.environ, "CRM_DATABASE_URL": self.url, "CRM_PASSWORD_COST": "min"}

    def run(self, *args: str, stdin: str = "", check_code: int | None = 0,
            binary: bool = False) -> subprocess.CompletedProcess:
        """Runs crmctl; `binary`: stdout and stderr as bytes, line ends untouched."""
        done = subprocess.run([CRMCTL, *args], input=stdin.encode() if binary else stdin, capture_output=True,
                              text=not binary, env=self.env(), timeout=900)
        if check_code is not None and done.returncode != check_code:
            raise AssertionError(f"crmctl {' '.join(args)} exited {done.returncode}, not {check_code}:\n"
                                 f"stdout: {done.stdout[:3000]}\nstderr: {done.stderr[:3000]}")
        return done

    def file(self, name: str, text: str, encoding: str = "utf-8") -> str:
        with open(self.path(name), "w", encoding=encoding, newline="") as f:
            f.write(text)
        return self.path(name)

    def binding(self) -> "crm.Database":
        return crm.Database.open(self.url, jwt_secret=SECRET, password_opslimit=1, password_memlimit=8192)

    def leads(self) -> list[dict]:
        out = self.run("export-leads", "--format", "jsonl").stdout
        return [json.loads(line) for line in out.splitlines()]

    def users(self) -> list[dict]:
        return [json.loads(line) for line in self.run("list-users", "--format", "jsonl").stdout.splitlines()]

    def delete_all_leads(self) -> None:
        with self.binding() as db:
            system = crm.Principal.system()
            while page := db.list_leads(system, limit=100).items:
                for lead in page:
                    db.delete_lead(system, lead.id)


def content(lead: dict) -> tuple:
    """What an import restores: everything but the id and the timestamps."""
    return (lead["title"], lead["description"], lead["status"], lead["source"], lead["ownerId"],
            json.dumps(lead["metadata"], sort_keys=True))


def rejected_lines(stdout: str, name: str) -> dict[int, str]:
    """{line: reason} from an import report."""
    return {int(m.group(1)): m.group(2) for m in re.finditer(re.escape(name) + r":(\d+): (.*)", stdout)}


def csv_text(rows: list[list[str]], terminator: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator).writerows(rows)
    return out.getvalue()


def read_until(fd: int, needle: bytes, seen: bytearray, timeout: float = 60) -> None:
    """Reads a pty master into `seen` until `needle` appears in it."""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {needle!r}; got {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the other side is closed
                chunk = b""
            if not chunk:
                raise AssertionError(f"the terminal closed before {needle!r}; got {bytes(seen)!r}")
            seen += chunk


def drain(fd: int, seen: bytearray) -> None:
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return
        seen += chunk


class CrmctlTest(unittest.TestCase):
    maxDiff = None

    def setUp(self) -> None:
        self.db = Scratch()
        self.addCleanup(self.db.drop)

    def admin(self, email: str = "admin@example.com", password: str = "admin-password") -> str:
        self.db.run("create-user", "--email", email, "--role", "ADMIN", "--name", "Ada", stdin=password + "\n")
        return next(u["id"] for u in self.db.users() if u["email"] == email)

    # -- the command line --------------------------------------------------------------------------

    def test_help_for_the_tool_and_every_command(self) -> None:
        overview = self.db.run("--help").stdout
        self.assertIn("exit codes", overview)
        for code in ("0  done", "1  import-leads", "2  usage error", "3  failure"):
            self.assertIn(code, overview)
        self.assertIn("CRM_DATABASE_URL", overview)
        for command in ("migrate", "create-user", "set-role", "reset-password", "list-users",
                        "import-leads", "export-leads"):
            self.assertIn(command, overview)
            for flag in ("--help", "-h"):
                done = self.db.run(command, flag)
                self.assertIn("usage: crmctl [--database URL] " + command, done.stdout)
                self.assertEqual(done.stderr, "")
        import_help = self.db.run("import-leads", "--help").stdout
        for words in ("exit codes", "--batch-size", "--owner-email", "ownerEmail", "split in halves", "rows/s",
                      "--delimiter", "--max-errors", "--dry-run"):
            self.assertIn(words, import_help)
        self.assertRegex(self.db.run("--version").stdout, r"^crmctl \d+\.\d+\.\d+ \(libcrm \d+\.\d+\.\d+\)\n$")

    def test_usage_errors_exit_2(self) -> None:
        # CLI11's messages, then the command's usage line and where to read more.
        def usage(*args: str, says: str) -> None:
            done = self.db.run(*args, check_code=2)
            self.assertIn(says, done.stderr)
            self.assertIn("--help for more information", done.stderr)
            self.assertEqual(done.stdout, "")

        self.assertIn("commands:", self.db.run(check_code=2).stderr)  # no command: the overview
        usage("frobnicate", says='unknown command "frobnicate"')
        usage("list-users", "--nope", "x", says="unknown option --nope")
        usage("list-users", "-x", says="unknown option -x")
        usage("list-users", "extra", says="takes no arguments")
        usage("list-users", "--format", "xml", says="--format: xml not in {table,jsonl}")
        usage("list-users", "--format", says="--format: 1 required")
        usage("set-role", "--role", "SALES", says="--email is required")
        usage("set-role", "--email", "a@example.com", "--role", "OWNER", says="--role: OWNER not in {ADMIN,MANAGER,SALES}")
        usage("set-role", "--email", "a@example.com", "--email", "b@example.com", "--role", "SALES",
              says="--email: At Most 1 required but received 2")
        usage("set-role", "--email", "", "--role", "SALES", says="--email: must not be empty")
        usage("create-user", "--email", "a@example.com", "--role", "SALES", "--password-stdin=yes",
              says="password-stdin was given a disallowed flag override")
        usage("import-leads", says="FILE.csv is required")
        usage("import-leads", "a.csv", "b.csv", says='import-leads takes one argument; unexpected "b.csv"')
        usage("import-leads", os.path.join(self.db.dir, "missing.csv"), says="cannot open")
        usage("import-leads", self.db.dir, says="is a directory")
        for bad in ("0", "-1", "10x", "100001", ""):
            usage("import-leads", self.db.file("ok.csv", "title\nx\n"), "--batch-size", bad,
                  says=f"--batch-size: Value {bad} not in range 1 to 100000")
        usage("import-leads", "ok.csv", "--max-errors", "0", says="--max-errors: Value 0 not in range 1 to 1000000000")
        usage("export-leads", "--format", "xml", says="--format: xml not in {csv,jsonl}")
        usage("--database", "mysql://localhost/crm", "list-users", says="--database")
        # The usage line names the command; --database may come after it too.
        done = self.db.run("list-users", "--nope", check_code=2)
        self.assertIn("usage: crmctl [--database URL] list-users [--format table|jsonl]\n"
                      "Run crmctl list-users --help for more information.\n", done.stderr)
        self.db.run("list-users", "--database", self.db.url)
        self.assertEqual(self.db.leads(), [])

    def test_failures_exit_3(self) -> None:
        fresh = Scratch(migrate=False)
        self.addCleanup(fresh.drop)
        done = fresh.run("list-users", check_code=3)
        if BACKEND == "sqlite":
            # A mistyped path names the missing file and does not leave an empty database behind.
            self.assertIn("no such file", done.stderr)
            self.assertFalse(os.path.exists(fresh.path("crm.db")))
            fresh.run("export-leads", check_code=3)
            self.assertFalse(os.path.exists(fresh.path("crm.db")))
        else:
            self.assertIn("not migrated", done.stderr)
            self.assertIn("crmctl migrate", done.stderr)
        latest = crm.Database.latest_schema_version  # the library crmctl links
        self.assertEqual(fresh.run("migrate").stdout, f"schema version {latest} (was 0)\n")
        fresh.run("list-users")

        # A database that exists but is not migrated says so, on either backend.
        empty = Scratch(migrate=False)
        self.addCleanup(empty.drop)
        if BACKEND == "sqlite":
            open(empty.path("crm.db"), "wb").close()
        done = empty.run("list-users", check_code=3)
        self.assertIn("not migrated (schema version 0 of", done.stderr)

        # The cause of a failed connection is named.
        if BACKEND == "postgresql":
            wrong = urllib.parse.urlsplit(fresh.url)
            wrong = wrong._replace(netloc=f"{wrong.username}:wrong-password-7@{wrong.hostname}:{wrong.port}")
            done = self.db.run("--database", urllib.parse.urlunsplit(wrong), "list-users", check_code=3)
            self.assertIn("password authentication failed", done.stderr)
            self.assertNotIn("wrong-password-7", done.stderr)
            missing = urllib.parse.urlunsplit(urllib.parse.urlsplit(fresh.url)._replace(path="/no_such_db_xyz"))
            done = self.db.run("--database", missing, "list-users", check_code=3)
            self.assertIn('database "no_such_db_xyz" does not exist', done.stderr)

        done = self.db.run("--database", "postgresql://crm:very-secret@127.0.0.1:1/none", "list-users", check_code=3)
        self.assertIn("cannot open postgresql://crm:***@127.0.0.1:1/none", done.stderr)
        self.assertIn("Connection refused", done.stderr)
        self.assertNotIn("very-secret", done.stderr)

        # An output that cannot be written is a failure (as --help says), not a usage error: the
        # command line was right, so no usage line; and nothing is left behind.
        for output in (os.path.join(self.db.dir, "no", "such", "dir.csv"), self.db.dir):
            done = self.db.run("export-leads", "--output", output, check_code=3)
            self.assertIn(f"crmctl: cannot write {output}: ", done.stderr)
            self.assertNotIn("usage:", done.stderr)
            self.assertEqual(done.stdout, "")

    def test_migrate_is_idempotent(self) -> None:
        latest = crm.Database.latest_schema_version
        self.assertEqual(self.db.run("migrate").stdout, f"schema version {latest}\n")
        self.assertEqual(self.db.run("migrate").stdout, f"schema version {latest}\n")

    # -- users -------------------------------------------------------------------------------------

    def test_users_created_listed_promoted_and_reset(self) -> None:
        self.admin()
        self.db.run("create-user", "--email", "Sam@Example.com", "--role", "SALES", stdin="sam-password\r\n")
        self.db.run("create-user", "--email", "max@example.com", "--role", "MANAGER", "--name", "Max Müller",
                    "--password-stdin", stdin="max-password\nignored second line\n")
        listed = self.db.users()
        self.assertEqual([(u["email"], u["role"], u["name"]) for u in listed],
                         [("admin@example.com", "ADMIN", "Ada"), ("sam@example.com", "SALES", "sam"),
                          ("max@example.com", "MANAGER", "Max Müller")])
        self.assertEqual(set(listed[0]), {"id", "name", "email", "role", "createdAt", "updatedAt"})
        self.assertNotIn("password", json.dumps(listed))
        table = self.db.run("list-users").stdout.splitlines()
        self.assertEqual(table[0].split(), ["ID", "ROLE", "EMAIL", "NAME"])
        self.assertEqual(len(table), 4)
        self.assertIn("sam@example.com", table[2])
        self.assertIn(listed[1]["id"], table[2])

        self.assertIn("sam@example.com is now MANAGER",
                      self.db.run("set-role", "--email", "SAM@example.com", "--role", "MANAGER").stdout)
        self.db.run("reset-password", "--email", "sam@example.com", stdin="new-sam-password\n")
        with self.db.binding() as db:
            self.assertEqual(db.login("sam@example.com", "new-sam-password").user.role, crm.Role.MANAGER)
            self.assertEqual(db.login("max@example.com", "max-password").user.role, crm.Role.MANAGER)
            with self.assertRaises(crm.Unauthorized):
                db.login("sam@example.com", "sam-password")

        # Refusals, exit 3, with the core's message and field errors.
        done = self.db.run("create-user", "--email", "SAM@example.com", "--role", "SALES", stdin="password123\n",
                           check_code=3)
        self.assertIn("email is already taken", done.stderr)
        self.assertIn("last ADMIN", self.db.run("set-role", "--email", "admin@example.com", "--role", "SALES",
                                                check_code=3).stderr)
        self.assertIn("not found", self.db.run("reset-password", "--email", "nobody@example.com",
                                               stdin="password123\n", check_code=3).stderr)
        self.assertIn("password must be between 8 and 1024 characters",
                      self.db.run("create-user", "--email", "w@example.com", "--role", "SALES", stdin="short\n",
                                  check_code=3).stderr)
        self.assertIn("email must be a valid email address",
                      self.db.run("create-user", "--email", "not-an-email", "--role", "SALES",
                                  stdin="password123\n", check_code=3).stderr)
        self.assertEqual(len(self.db.users()), 3)

    def test_passwords_never_come_from_the_command_line(self) -> None:
        # No option takes a password: not in any help, refused in every spelling.
        for command in ("create-user", "reset-password"):
            help_text = self.db.run(command, "--help").stdout
            self.assertEqual(re.findall(r"--password\b(?!-stdin)", help_text), [])
        for spelling in (["--password", "password123"], ["--password=password123"], ["--pass", "password123"]):
            done = self.db.run("create-user", "--email", "x@example.com", "--role", "SALES", *spelling,
                               stdin="password123\n", check_code=2)
            self.assertIn("unknown option --pass", done.stderr)
            self.assertNotIn("password123", done.stderr)  # CLI11 would list every unexpected argument
        # Standard input that is not a terminal and is empty: no password, nothing created.
        done = self.db.run("create-user", "--email", "x@example.com", "--role", "SALES", check_code=2)
        self.assertIn("no password on standard input", done.stderr)
        self.assertEqual(self.db.users(), [])
        # From standard input it works, and the password shows up nowhere in crmctl's output.
        done = self.db.run("create-user", "--email", "x@example.com", "--role", "SALES", stdin="s3cret-stdin-pw\n")
        self.assertNotIn("s3cret-stdin-pw", done.stdout + done.stderr)
        with self.db.binding() as db:
            db.login("x@example.com", "s3cret-stdin-pw")

    def _on_a_terminal(self, args: list[str], answers: list[str]) -> tuple[int, str, str]:
        """Runs crmctl with a pseudo-terminal as stdin and stderr, answering each password prompt."""
        master, slave = pty.openpty()
        try:
            child = subprocess.Popen([CRMCTL, *args], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                                     env=self.db.env(), start_new_session=True)
        finally:
            os.close(slave)
        seen = bytearray()
        try:
            for prompt, answer in zip((b"Password: ", b"Repeat password: "), answers):
                read_until(master, prompt, seen)
                time.sleep(0.05)
                os.write(master, answer.encode() + b"\n")
            stdout = child.communicate(timeout=120)[0].decode()
            drain(master, seen)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            os.close(master)
        return child.returncode, stdout, seen.decode(errors="replace")

    def test_password_prompt_on_a_terminal_asks_twice_without_echo(self) -> None:
        code, stdout, terminal = self._on_a_terminal(
            ["create-user", "--email", "t@example.com", "--role", "ADMIN"], ["typed-pass-1", "typed-pass-1"])
        self.assertEqual(code, 0, terminal)
        self.assertIn("created ADMIN t@example.com", stdout)
        self.assertIn("Password: ", terminal)
        self.assertIn("Repeat password: ", terminal)
        self.assertNotIn("typed-pass-1", terminal)  # not echoed
        with self.db.binding() as db:
            db.login("t@example.com", "typed-pass-1")

        code, stdout, terminal = self._on_a_terminal(
            ["reset-password", "--email", "t@example.com"], ["typed-pass-2", "typed-pass-X"])
        self.assertEqual(code, 2, terminal)
        self.assertIn("the passwords do not match", terminal)
        self.assertNotIn("typed-pass", terminal)
        with self.db.binding() as db:
            db.login("t@example.com", "typed-pass-1")  # unchanged

        code, stdout, terminal = self._on_a_terminal(
            ["reset-password", "--email", "t@example.com"], ["typed-pass-2", "typed-pass-2"])
        self.assertEqual(code, 0, terminal)
        with self.db.binding() as db:
            db.login("t@example.com", "typed-pass-2")

    # -- import --------------------------------------------------------------------------------------

    def test_import_keeps_every_value_verbatim(self) -> None:
        self.admin()
        formulas = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3", "@SUM(A1:A9)", "\tTab first"]
        rows = [
            ["title", "description", "status", "source", "ownerEmail", "metadata"],
            ["Quoted, with comma", 'say "hi"\nsecond line\r\nthird', "CONTACTED", "web", "admin@example.com",
             '{"nested": {"list": [1, 2.5, "x"]}, "big": 12345678901234567890, "s": "ü\\"q"}'],
            ["'; DROP TABLE \"Leads\"; --", "100% _off_ back\\slash", "CLOSED", "fair", "", ""],
            ["ünïcödé 漢字 🚀", "  padded  ", "", "", "", "{}"],
        ] + [[f, f, "", f, "", ""] for f in formulas]
        text = csv_text(rows)  # CRLF, as spreadsheets write it
        text += 'empty strings,"",QUALIFIED,"",,\r\n'  # quoted empty cells
        path = self.db.file("leads.csv", "\ufeff" + text)  # with a byte order mark
        done = self.db.run("import-leads", path)
        self.assertEqual(done.stdout, f"imported {len(rows)} leads, rejected 0 rows\n")
        self.assertEqual(done.stderr, "")  # stderr is not a terminal: no progress bar
        by_title = {lead["title"]: lead for lead in self.db.leads()}
        self.assertEqual(len(by_title), len(rows))
        first = by_title["Quoted, with comma"]
        self.assertEqual(first["description"], 'say "hi"\nsecond line\r\nthird')
        self.assertEqual(first["metadata"], {"nested": {"list": [1, 2.5, "x"]}, "big": 12345678901234567890,
                                             "s": 'ü"q'})
        self.assertEqual(first["status"], "CONTACTED")
        self.assertEqual(first["ownerId"], self.db.users()[0]["id"])
        injection = by_title["'; DROP TABLE \"Leads\"; --"]
        self.assertEqual(injection["description"], "100% _off_ back\\slash")
        self.assertIsNone(injection["ownerId"])
        self.assertIsNone(injection["metadata"])
        self.assertEqual(by_title["ünïcödé 漢字 🚀"]["description"], "  padded  ")
        self.assertEqual(by_title["ünïcödé 漢字 🚀"]["status"], "NEW")
        self.assertIsNone(by_title["ünïcödé 漢字 🚀"]["source"])
        self.assertEqual(by_title["ünïcödé 漢字 🚀"]["metadata"], {})
        self.assertEqual(by_title["empty strings"]["description"], "")  # "" is the empty string ...
        self.assertEqual(by_title["empty strings"]["source"], "")
        for f in formulas:  # ... and formula-looking text is not escaped
            self.assertEqual((by_title[f]["description"], by_title[f]["source"]), (f, f))
        # The export guards them against running as formulas (--raw writes them verbatim).
        exported = list(csv.reader(io.StringIO(self.db.run("export-leads").stdout, newline="")))
        for f in formulas:
            self.assertIn(["'" + f, "'" + f], [[row[1], row[4]] for row in exported])
        raw = list(csv.reader(io.StringIO(self.db.run("export-leads", "--raw").stdout, newline="")))
        for f in formulas:
            self.assertIn([f, f], [[row[1], row[4]] for row in raw])

    def test_import_from_standard_input_and_owner_options(self) -> None:
        admin = self.admin()
        self.db.run("create-user", "--email", "sam@example.com", "--role", "SALES", stdin="sam-password\n")
        sam = self.db.users()[1]["id"]
        done = self.db.run("import-leads", "-", "--owner-email", "SAM@example.com",
                           stdin=f"title,ownerId\nmine,\nadmin's,{admin}\n")
        self.assertEqual(done.stdout, "imported 2 leads, rejected 0 rows\n")
        self.assertEqual(sorted((lead["title"], lead["ownerId"]) for lead in self.db.leads()),
                         [("admin's", admin), ("mine", sam)])
        done = self.db.run("import-leads", "-", stdin="title,ownerEmail\nx,nobody@example.com\ny,Admin@Example.com\n",
                           check_code=1)
        self.assertEqual(rejected_lines(done.stdout, "stdin"),
                         {2: 'ownerEmail is not the email of a user (got "nobody@example.com")'})
        self.assertEqual([lead["ownerId"] for lead in self.db.leads() if lead["title"] == "y"], [admin])
        done = self.db.run("import-leads", "-", "--owner-email", "nobody@example.com", stdin="title\nx\n",
                           check_code=2)
        self.assertIn("no user has this email", done.stderr)

    def test_rejected_rows_are_reported_with_their_line_numbers(self) -> None:
        path = self.db.file("bad.csv", (
            "title,description,status,ownerId,metadata\n"          # line 1
            "good one,\"two\nlines\",NEW,,\n"                       # lines 2-3
            ",no title,NEW,,\n"                                    # line 4
            "bad status,,MAYBE,,\n"                                # line 5
            "bad owner,,,not-a-uuid,\n"                            # line 6
            "bad metadata,,,,[1]\n"                                # line 7
            "too,many,fields,here,x,y\n"                           # line 8
            "\n"                                                   # line 9: blank, skipped
            "\"multi\nline\nbad\",,NOPE,,\n"                       # lines 10-12
            "\"broken\"quote,,,,\n"                                # line 13
            "good two,,QUALIFIED,,\"{\"\"k\"\": 1}\"\n"            # line 14
            "bad json,,,,{oops\n"                                  # line 15
            "   ,,,,\n"                                            # line 16: a blank title
            "\"unterminated,,,,\nrest\nof the file\n"))            # line 17 to the end
        done = self.db.run("import-leads", path, check_code=1)
        self.assertTrue(done.stdout.endswith("imported 2 leads, rejected 10 rows\n"), done.stdout)
        lines = rejected_lines(done.stdout, "bad.csv")
        self.assertEqual(list(lines), [4, 5, 6, 7, 8, 10, 13, 15, 16, 17], "in file order")
        self.assertIn("title is required", lines[4])
        self.assertIn("status must be one of NEW, CONTACTED, QUALIFIED, CLOSED", lines[5])
        self.assertIn("ownerId must be a UUID", lines[6])
        self.assertIn("metadata must be a JSON object", lines[7])
        self.assertIn("has 6 fields, the header row has 5", lines[8])
        self.assertIn("status", lines[10])
        self.assertIn("text after a closing quote", lines[13])
        self.assertIn("metadata must be valid JSON", lines[15])
        self.assertIn("title is required", lines[16])
        self.assertIn("unterminated quoted field", lines[17])
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), ["good one", "good two"])

    def test_line_numbers_count_crlf_and_lone_cr_line_ends(self) -> None:
        # Line 3 starts a record that spans lines 3-4; a lone CR ends lines 4 and 5.
        path = self.db.file("cr.csv", "title,status\r\nok,\r\n\"a\r\nb\",BAD\rc,\r,\nd,\n")
        done = self.db.run("import-leads", path, check_code=1)
        self.assertEqual(rejected_lines(done.stdout, "cr.csv"),
                         {3: 'status must be one of NEW, CONTACTED, QUALIFIED, CLOSED (got "BAD")',
                          6: "title is required"})
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), ["c", "d", "ok"])

    def test_bad_headers_are_usage_errors(self) -> None:
        def refused(text: str, says: str) -> None:
            done = self.db.run("import-leads", self.db.file("h.csv", text), check_code=2)
            self.assertIn(says, done.stderr)

        refused("title,colour\nx,red\n", 'unknown column "colour"')
        refused("title,ownerName\nx,y\n", 'unknown column "ownerName"')
        refused("description\nx\n", "no title column")
        refused("title,title\nx,y\n", 'column "title" appears twice')
        refused("title,ownerId,ownerEmail\nx,,\n", "both ownerId and ownerEmail")
        refused("\"title,description\n", "malformed header row")
        refused("", "is empty")
        refused("\ufeff", "is empty")
        self.assertEqual(self.db.leads(), [])

    def test_header_names_match_without_case_or_blanks(self) -> None:
        # Before: "Title" or "title " was an unknown column, as spreadsheets and people write them.
        admin = self.admin()
        path = self.db.file("h.csv", '\ufeff Title ,DESCRIPTION,\tOwnerEMAIL\t,"  status"\n'
                                     "a,first,admin@example.com,QUALIFIED\n")
        self.assertEqual(self.db.run("import-leads", path).stdout, "imported 1 leads, rejected 0 rows\n")
        (lead,) = self.db.leads()
        self.assertEqual((lead["title"], lead["description"], lead["ownerId"], lead["status"]),
                         ("a", "first", admin, "QUALIFIED"))
        # A byte order mark inside the quotes of the first name, or a second one, is no part of it.
        for header in ('"\ufeffTITLE",ownerid\n', "\ufeff\ufefftitle,OWNERID\n"):
            done = self.db.run("import-leads", self.db.file("b.csv", header + f"b,{admin}\n"))
            self.assertEqual(done.stdout, "imported 1 leads, rejected 0 rows\n")
        # Still one column each: the same name in another case is a duplicate; values are not trimmed.
        done = self.db.run("import-leads", self.db.file("d.csv", "title,TITLE \nx,y\n"), check_code=2)
        self.assertIn('column "title" appears twice', done.stderr)
        done = self.db.run("import-leads", self.db.file("o.csv", "ownerId,OwnerEmail,title\n,,x\n"), check_code=2)
        self.assertIn("both ownerId and ownerEmail", done.stderr)
        self.db.run("import-leads", self.db.file("v.csv", "TITLE\n  padded  \n"))
        self.assertIn("  padded  ", [lead["title"] for lead in self.db.leads()])

    def test_delimiter(self) -> None:
        # A spreadsheet where the decimal mark is a comma writes ";" between fields.
        semicolons = self.db.file("eu.csv", "title;description;status;metadata\n"
                                  'Müller GmbH;"Umsatz 1,5 Mio; Anfrage";CONTACTED;{"k": "a,b"}\n'
                                  'Dupont;2,5;;\n')
        done = self.db.run("import-leads", semicolons, "--delimiter", ";")
        self.assertEqual(done.stdout, "imported 2 leads, rejected 0 rows\n")
        by_title = {lead["title"]: lead for lead in self.db.leads()}
        self.assertEqual(by_title["Müller GmbH"]["description"], "Umsatz 1,5 Mio; Anfrage")
        self.assertEqual(by_title["Müller GmbH"]["metadata"], {"k": "a,b"})
        self.assertEqual(by_title["Dupont"]["description"], "2,5")
        # Without --delimiter the whole row is one column name: the message says what to give.
        done = self.db.run("import-leads", semicolons, check_code=2)
        self.assertIn('unknown column "title;description;status;metadata"', done.stderr)
        self.assertIn("is the file separated by semicolons? then give --delimiter ';'", done.stderr)

        # Tabs, in every spelling a shell makes easy.
        self.db.delete_all_leads()
        tabs = self.db.file("t.tsv", "title\tsource\n\"a\tb\"\tweb\nc,d\tfair\n")
        for spelling in ("tab", "\\t", "\t"):
            done = self.db.run("import-leads", tabs, "--delimiter", spelling)
            self.assertEqual(done.stdout, "imported 2 leads, rejected 0 rows\n")
        self.assertEqual(sorted((lead["title"], lead["source"]) for lead in self.db.leads()),
                         [("a\tb", "web")] * 3 + [("c,d", "fair")] * 3)
        done = self.db.run("import-leads", tabs, check_code=2)
        self.assertIn("then give --delimiter tab", done.stderr)
        # And the row's field count is checked against the header with the delimiter given.
        done = self.db.run("import-leads", "-", "--delimiter", ";", stdin="title;source\na;b;c\n", check_code=1)
        self.assertEqual(rejected_lines(done.stdout, "stdin"), {2: "has 3 fields, the header row has 2"})

        for bad, says in (("ab", "must be one character"), ("", "must be one character"), ('"', "cannot be a quote"),
                          ("\n", "cannot be a quote"), ("§", "must be one character")):
            done = self.db.run("import-leads", tabs, "--delimiter", bad, check_code=2)
            self.assertIn("--delimiter: " + says, done.stderr)

    def test_a_rejected_row_shows_the_offending_value(self) -> None:
        euro = "a" + "€" * 40  # 121 bytes: the cut falls inside a "€"
        rows = [["title", "status", "ownerId", "metadata", "source"],
                ["s", "MAYBE", "", "", ""],
                ["o", "", "not-a-uuid", "", ""],
                ["m", "", "", "[1, 2]", ""],
                ["long", "", "", "", "x" * 300],
                ["esc", "BAD\x1b[31m\nred", "", "", ""],
                ["utf8", euro, "", "", ""],
                ["quote", 'say "no"', "", "", ""],
                [" ", "", "", "", ""]]
        done = self.db.run("import-leads", self.db.file("v.csv", csv_text(rows)), check_code=1)
        lines = rejected_lines(done.stdout, "v.csv")
        statuses = "status must be one of NEW, CONTACTED, QUALIFIED, CLOSED"
        self.assertEqual(lines, {
            2: statuses + ' (got "MAYBE")',
            3: 'ownerId must be a UUID (got "not-a-uuid")',
            4: 'metadata must be a JSON object or null (got "[1, 2]")',
            5: 'source must be at most 255 characters (got "' + "x" * 60 + '"... (300 bytes))',
            # Escaped: the report is one line per row, and the terminal runs no escape sequence.
            6: statuses + ' (got "BAD\\x1b[31m\\nred")',  # lines 6-7
            8: statuses + ' (got "' + euro[:20] + '"... (121 bytes))',  # cut before the "€" at byte 58
            9: statuses + ' (got "say \\"no\\"")',
            10: 'title is required (got " ")'})
        self.assertNotIn("\x1b", done.stdout)
        # A column the import does not know (say, a password) is refused before any value is read.
        done = self.db.run("import-leads", self.db.file("p.csv", "title,password\nx,hunter2-secret\n"), check_code=2)
        self.assertIn('unknown column "password"', done.stderr)
        self.assertNotIn("hunter2-secret", done.stdout + done.stderr)
        self.assertEqual(self.db.leads(), [])

    def test_max_errors_stops_at_the_nth_rejected_row(self) -> None:
        # Rejected by validation (a bad status) or only by the database (an owner that does not
        # exist, found when the batch is refused): both count, in file order.
        bad_status, ghost = {5, 14}, {9, 17}
        def row(line: int) -> str:
            return f"r{line},{'NOPE' if line in bad_status else ''},{GHOST if line in ghost else ''}\n"
        path = self.db.file("m.csv", "title,status,ownerId\n" + "".join(row(line) for line in range(2, 22)))

        for max_errors, stop in ((1, 5), (2, 9), (3, 14), (4, 17)):
            self.db.delete_all_leads()
            done = self.db.run("import-leads", path, "--batch-size", "4", "--max-errors", str(max_errors),
                               check_code=1)
            rejected = sorted(bad_status | ghost)[:max_errors]
            self.assertEqual(list(rejected_lines(done.stdout, "m.csv")), rejected)
            kept = [f"r{line}" for line in range(2, stop) if line not in bad_status | ghost]
            self.assertTrue(done.stdout.endswith(f"imported {len(kept)} leads, rejected {max_errors} rows\n"))
            self.assertIn(f"stopped at {path}:{stop}, rejected row {max_errors} of --max-errors {max_errors}: "
                          f"no row after it was imported; the {len(kept)} leads before it are committed", done.stderr)
            self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), sorted(kept))

        # A limit the file does not reach changes nothing.
        self.db.delete_all_leads()
        done = self.db.run("import-leads", path, "--max-errors", "5", check_code=1)
        self.assertTrue(done.stdout.endswith("imported 16 leads, rejected 4 rows\n"))
        self.assertNotIn("stopped", done.stderr)

        # In one batch, a database refusal before a row rejected by validation comes first: the rows
        # after it (line 4) are not imported even though their batch was being written.
        self.db.delete_all_leads()
        done = self.db.run("import-leads", "-", "--max-errors", "1",
                           stdin=f"title,status,ownerId\na,,\nb,,{GHOST}\nc,,\nd,NOPE,\ne,,\n", check_code=1)
        self.assertEqual(list(rejected_lines(done.stdout, "stdin")), [3])
        self.assertIn("stopped at stdin:3", done.stderr)
        self.assertEqual([lead["title"] for lead in self.db.leads()], ["a"])

    def test_dry_run_checks_everything_and_writes_nothing(self) -> None:
        self.admin()
        path = self.db.file("dry.csv", (
            "title,status,ownerId,metadata\n"
            "good,,,\n"
            "bad status,MAYBE,,\n"
            f"ghost,,{GHOST},\n"
            "bad json,,,{oops\n"
            "also good,CLOSED,,\n"))
        dry = self.db.run("import-leads", path, "--dry-run", "--batch-size", "2", check_code=1)
        self.assertTrue(dry.stdout.endswith("would import 2 leads, rejected 3 rows (dry run: nothing was written)\n"),
                        dry.stdout)
        lines = rejected_lines(dry.stdout, "dry.csv")
        self.assertEqual(lines[4], f'ownerId must be an existing user (got "{GHOST}")')  # as the database says
        self.assertEqual(self.db.leads(), [])
        # The real import rejects the same rows for the same reasons.
        real = self.db.run("import-leads", path, "--batch-size", "2", check_code=1)
        self.assertEqual(rejected_lines(real.stdout, "dry.csv"), lines)
        self.assertTrue(real.stdout.endswith("imported 2 leads, rejected 3 rows\n"))
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), ["also good", "good"])

        # A clean file: exit 0; with --max-errors the dry run stops where the import would.
        self.db.delete_all_leads()
        done = self.db.run("import-leads", "-", "--dry-run", stdin="title\na\nb\n")
        self.assertEqual(done.stdout, "would import 2 leads, rejected 0 rows (dry run: nothing was written)\n")
        done = self.db.run("import-leads", path, "--dry-run", "--max-errors", "2", check_code=1)
        self.assertEqual(list(rejected_lines(done.stdout, "dry.csv")), [3, 4])
        self.assertIn(f"stopped at {path}:4, rejected row 2 of --max-errors 2: no row after it was checked",
                      done.stderr)
        self.assertEqual(self.db.leads(), [])

    def test_a_refused_batch_leaves_nothing_half_imported(self) -> None:
        # Rows naming an owner that does not exist: only the database can tell, so their batch is
        # rolled back whole; its halves are then retried, down to single rows. Had any part of a
        # refused transaction stayed, the retry would import those rows twice: every good row must
        # be there exactly once, and each bad one reported on its own line.
        bad = {3, 4, 17, 30}
        path = self.db.file("batch.csv", "title,ownerId\n" + "".join(
            f"row {i},{GHOST if i in bad else ''}\n" for i in range(1, 31)))
        done = self.db.run("import-leads", path, "--batch-size", "8", check_code=1)
        self.assertTrue(done.stdout.endswith("imported 26 leads, rejected 4 rows\n"), done.stdout)
        self.assertEqual(rejected_lines(done.stdout, "batch.csv"),
                         {i + 1: f'ownerId must be an existing user (got "{GHOST}")' for i in sorted(bad)})
        titles = sorted(lead["title"] for lead in self.db.leads())
        self.assertEqual(titles, sorted(f"row {i}" for i in range(1, 31) if i not in bad))

        # Rejections by validation and by the database interleave in file order in the report.
        self.db.delete_all_leads()
        path = self.db.file("mixed.csv", f"title,ownerId,status\na,{GHOST},\nb,,NOPE\nc,,\nd,{GHOST},\n")
        done = self.db.run("import-leads", path, check_code=1)
        self.assertEqual(list(rejected_lines(done.stdout, "mixed.csv")), [2, 3, 5])
        self.assertEqual([lead["title"] for lead in self.db.leads()], ["c"])

    def test_a_database_failure_stops_the_import_and_keeps_the_committed_batches(self) -> None:
        # Rows come through a pipe; once the first batch (lines 2-6) is committed the database
        # fails: SQLite is locked by another writer past the busy timeout (10 s), the PostgreSQL
        # database is dropped. The import stops with exit 3 and says what stays.
        child = subprocess.Popen([CRMCTL, "import-leads", "-", "--batch-size", "5"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.db.env())
        self.addCleanup(lambda: child.poll() is None and (child.kill(), child.wait()))
        child.stdin.write("title,status\n" + "".join(f"row {i},\n" for i in range(1, 6)))
        child.stdin.flush()
        deadline = time.monotonic() + 120
        while len(self.db.leads()) < 5:
            self.assertLess(time.monotonic(), deadline, "the first batch was not committed")
            time.sleep(0.1)
        lock = None
        if BACKEND == "sqlite":
            import sqlite3
            lock = sqlite3.connect(self.db.url.removeprefix("sqlite:"), isolation_level=None, timeout=30)
            lock.execute("BEGIN EXCLUSIVE")
        else:
            psql(self.db.base, f"DROP DATABASE {self.db.name} WITH (FORCE)")
        try:
            out, err = child.communicate("row 6,\nrow 7,NOPE\nrow 8,\n", timeout=300)
        finally:
            if lock:
                lock.rollback()
                lock.close()
        self.assertEqual(child.returncode, 3, err)
        self.assertEqual(out, 'stdin:8: status must be one of NEW, CONTACTED, QUALIFIED, CLOSED (got "NOPE")\n'
                              "imported 5 leads, rejected 1 rows\n")
        self.assertIn("crmctl: the import stopped at stdin:7: the database is unavailable", err)
        self.assertIn("rows from line 7 on were not imported; the 5 leads imported before are committed", err)
        if BACKEND == "sqlite":
            self.assertEqual([lead["title"] for lead in self.db.leads()], [f"row {i}" for i in range(1, 6)])

    # -- export ----------------------------------------------------------------------------------------

    def test_export_formats(self) -> None:
        self.assertEqual(self.db.run("export-leads", binary=True).stdout,
                         b"id,title,description,status,source,ownerId,metadata,createdAt,updatedAt\r\n")
        self.assertEqual(self.db.run("export-leads", "--format", "jsonl").stdout, "")
        self.db.run("import-leads", self.db.file("in.csv", 'title,description,metadata\nx,"a,b","{""k"":[1]}"\n'))
        (lead,) = self.db.leads()
        self.assertEqual(list(lead), ["id", "title", "description", "status", "source", "ownerId", "metadata",
                                      "createdAt", "updatedAt"])
        rows = list(csv.reader(io.StringIO(self.db.run("export-leads", "--format", "csv").stdout, newline="")))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][:6], [lead["id"], "x", "a,b", "NEW", "", ""])
        self.assertEqual(json.loads(rows[1][6]), {"k": [1]})
        self.assertEqual(rows[1][7:], [lead["createdAt"], lead["updatedAt"]])

        out = self.db.path("out.jsonl")
        done = self.db.run("export-leads", "--format", "jsonl", "--output", out)
        self.assertEqual(done.stdout, "")
        self.assertIn(f"exported 1 leads to {out}", done.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertEqual([json.loads(line) for line in f], [lead])
        self.assertEqual([n for n in os.listdir(self.db.dir) if n.startswith(".out")], [])  # no temporary left

    def test_csv_export_neutralises_formulas_and_keeps_files_private(self) -> None:
        # Before: cells starting with = + - @ tab or CR were written verbatim (formula injection
        # into the admin's spreadsheet), and the output file was widened to 0644.
        titles = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tx", "plain", "a=b", "'=x", "'q"]
        with self.db.binding() as db:  # stored exactly as given (an import would read guards)
            for t in titles:
                db.create_lead(crm.Principal.system(), t)
        def exported(*extra: str) -> list[str]:
            out = self.db.run("export-leads", "--format", "csv", *extra).stdout
            return [row[1] for row in list(csv.reader(io.StringIO(out, newline="")))[1:]]
        guarded = ["'" + t if t[0] in "=+-@\t\r" or t.startswith("'=") else t for t in titles]
        self.assertEqual(sorted(exported()), sorted(guarded))
        self.assertEqual(sorted(exported("--raw")), sorted(titles))
        # JSON lines are lossless: no apostrophe there.
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), sorted(titles))
        # And the guarded CSV imports back to the same titles.
        exported_csv = self.db.file("back.csv", self.db.run("export-leads").stdout)
        self.db.delete_all_leads()
        self.db.run("import-leads", exported_csv)
        self.assertEqual(sorted(lead["title"] for lead in self.db.leads()), sorted(titles))

        old_mask = os.umask(0o022)
        self.addCleanup(os.umask, old_mask)
        new_file = self.db.path("new.csv")
        self.db.run("export-leads", "--output", new_file)
        self.assertEqual(os.stat(new_file).st_mode & 0o777, 0o600)
        kept = self.db.path("kept.csv")
        open(kept, "w").close()
        os.chmod(kept, 0o640)
        self.db.run("export-leads", "--output", kept)
        self.assertEqual(os.stat(kept).st_mode & 0o777, 0o640)
        private = self.db.path("private.csv")
        open(private, "w").close()
        os.chmod(private, 0o600)
        self.db.run("export-leads", "--output", private)
        self.assertEqual(os.stat(private).st_mode & 0o777, 0o600)

    def test_an_export_imports_back_to_the_same_leads(self) -> None:
        self.admin()
        self.db.run("create-user", "--email", "sam@example.com", "--role", "SALES", stdin="sam-password\n")
        path = self.db.file("in.csv", (
            "title,description,status,source,ownerEmail,metadata\n"
            "a,first,NEW,web,admin@example.com,\"{\"\"k\"\": [1, {\"\"deep\"\": true}], \"\"u\"\": \"\"ü\"\"}\"\n"
            "b,,CLOSED,,sam@example.com,\n"
            "\"c, with comma\",\"quote \"\" and\nnewline\",QUALIFIED,fair,,{}\n"
            "d,\"\",CONTACTED,\"\",,\n"
            "\"=cmd|' /C calc'!A0\",\"  spaced  \",NEW,\"@x\",sam@example.com,\"{\"\"n\"\": null}\"\n"
            "漢字 🚀,\"\r\nCRLF inside\r\n\",CLOSED,,,\n"))
        self.db.run("import-leads", path)
        before = sorted(content(lead) for lead in self.db.leads())
        self.assertEqual(len(before), 6)
        self.assertIn(("d", "", "CONTACTED", "", None, "null"), before)

        exported = self.db.path("export.csv")
        self.db.run("export-leads", "--format", "csv", "--output", exported)
        self.db.delete_all_leads()
        self.assertEqual(self.db.leads(), [])
        done = self.db.run("import-leads", exported)
        self.assertEqual(done.stdout, "imported 6 leads, rejected 0 rows\n")
        self.assertEqual(sorted(content(lead) for lead in self.db.leads()), before)

        # Round again: the second export is the first one but for ids and timestamps.
        def without_ids(p: str) -> list:
            with open(p, encoding="utf-8", newline="") as f:
                return sorted(row[1:6] + [json.dumps(json.loads(row[6]) if row[6] else None, sort_keys=True)]
                              for row in list(csv.reader(f))[1:])

        again = self.db.path("again.csv")
        self.db.run("export-leads", "--output", again)
        self.assertEqual(without_ids(again), without_ids(exported))

    # -- progress -------------------------------------------------------------------------------------

    def test_progress_bar_only_on_a_terminal(self) -> None:
        # Big enough to take well over the 100 ms between two frames: frames before the end show an ETA.
        rows = 60_000
        path = self.db.file("p.csv", "title,description\n" + "".join(f"lead {i},{'d' * 50}\n" for i in range(rows)))
        done = self.db.run("import-leads", path)
        self.assertEqual(done.stderr, "")
        master, slave = pty.openpty()
        try:
            child = subprocess.Popen([CRMCTL, "import-leads", path], stdin=subprocess.DEVNULL, stderr=slave,
                                     stdout=subprocess.PIPE, env=self.db.env())
        finally:
            os.close(slave)
        seen = bytearray()
        try:
            stdout = child.communicate(timeout=300)[0].decode()
            drain(master, seen)
        finally:
            os.close(master)
        self.assertEqual(child.returncode, 0)
        self.assertEqual(stdout, f"imported {rows} leads, rejected 0 rows\n")  # the report stays on stdout
        frames = seen.decode().split("\r")
        self.assertRegex(frames[-2], rf"^\[#{{30}}\] 100%  {rows} rows  \d+ rows/s  in \d+:\d\d:\d\d\x1b\[K$")
        self.assertTrue(any(re.match(r"^\[[#.]{30}\] +\d+%  \d+ rows  \d+ rows/s  ETA \d+:\d\d:\d\d", f)
                            for f in frames[:-2]), frames)

    # -- memory ----------------------------------------------------------------------------------------

    def _peak_rss_kib(self, *args: str) -> tuple[int, int, str]:
        """Runs crmctl; returns its exit code, its peak resident memory (KiB) and its stdout.
        Measured by the small launcher CRMCTL_PEAK_RSS (wait4's ru_maxrss): measured from this
        driver, the figure would include the driver's own size, which Linux carries into a child."""
        result = self.db.path("peak")
        with tempfile.TemporaryFile(dir=self.db.dir) as out, tempfile.TemporaryFile(dir=self.db.dir) as err:
            subprocess.run([os.environ["CRMCTL_PEAK_RSS"], result, CRMCTL, *args], stdin=subprocess.DEVNULL,
                           stdout=out, stderr=err, env=self.db.env(), check=True, timeout=900)
            out.seek(0)
            err.seek(0)
            text = out.read().decode()
            self.assertNotIn(b"crmctl:", err.read())  # no error message
        with open(result) as f:
            code, peak = map(int, f.read().split())
        return code, peak, text

    @unittest.skipIf(os.environ.get("CRMCTL_SANITIZED"),
                     "ASan keeps freed memory in quarantine: resident memory is no measure of live memory")
    def test_import_and_export_run_in_bounded_memory(self) -> None:
        # Streaming and batching keep the peak flat: 200,000 rows (about 70 MB of CSV) take no
        # more memory than 20,000, where reading the file or the result whole would grow tenfold.
        def write(rows: int, status: str = "NEW") -> str:
            path = self.db.path(f"{rows}-{status}.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write("title,description,status,source,metadata\n")
                filler = "x" * 280
                for i in range(rows):
                    f.write(f"lead {i},\"a description, long enough to weigh: {filler}\",{status},web,"
                            f"\"{{\"\"n\"\": {i}}}\"\n")
            return path

        peaks = {}
        for rows in (20_000, 200_000):
            path = write(rows)
            code, peaks[rows], report = self._peak_rss_kib("import-leads", path)
            self.assertEqual((code, report), (0, f"imported {rows} leads, rejected 0 rows\n"))
            peaks[f"file {rows}"] = os.path.getsize(path) // 1024
            os.remove(path)
            code, peaks[f"export {rows}"], _ = self._peak_rss_kib("export-leads", "--output",
                                                                  self.db.path("export.csv"))
            self.assertEqual(code, 0)
        # Every row rejected: the report lists all 200,000, still in bounded memory.
        path = write(200_000, status="NOPE")
        code, peaks["rejected 200000"], report = self._peak_rss_kib("import-leads", path)
        self.assertEqual(code, 1)
        self.assertTrue(report.endswith("imported 0 leads, rejected 200000 rows\n"))
        self.assertEqual(report.count("\n"), 200_001)
        print(f"\npeak RSS ({BACKEND}, KiB): {peaks}", file=sys.stderr)

        small, large = peaks[20_000], peaks[200_000]
        self.assertLess(large, 64 * 1024, "import of 200,000 rows")
        self.assertLess(peaks["export 200000"], 64 * 1024)
        self.assertLess(peaks["rejected 200000"], 64 * 1024)
        self.assertLess(large, small * 1.25 + 4096, "the import's peak grows with the file")
        self.assertLess(peaks["export 200000"], peaks["export 20000"] * 1.25 + 4096)
        self.assertLess(peaks["rejected 200000"], small * 1.25 + 4096)
        with open(self.db.path("export.csv"), encoding="utf-8", newline="") as f:
            self.assertEqual(sum(1 for _ in csv.reader(f)), 220_001)

    # -- with the server ------------------------------------------------------------------------------

    @unittest.skipUnless(os.environ.get("CRM_SERVER"), "the server is not built (CRM_BUILD_EXAMPLES=OFF)")
    def test_imported_leads_are_served_by_the_http_server(self) -> None:
        self.admin()
        self.db.run("import-leads", self.db.file("in.csv", "title,source\nfrom crmctl,csv\nanother,csv\n"))
        env = {**os.environ, "CRM_DATABASE_URL": self.db.url, "CRM_JWT_SECRET": SECRET, "PORT": "0",
               "CRM_PASSWORD_COST": "min"}
        server = subprocess.Popen([os.environ["CRM_SERVER"]], cwd=self.db.dir, env=env, stderr=subprocess.PIPE,
                                  text=True)
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
    print(f"{BACKEND}: {ran - len(result.failures) - len(result.errors)} passed, "
          f"{len(result.failures) + len(result.errors)} failed, {len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() and ran > 0 else 1)
