#!/usr/bin/env python3
"""The Python package as a user gets it: installed offline into a fresh venv, used with NO
environment variable.

1. `python -m venv` (no network: its pip comes from ensurepip), then
   `pip install --no-index <the wheel the CMake build made>`;
2. every ```python block of the given Markdown files (the quick starts of bindings/python/README.md
   and docs/getting-started.md) and examples/python/quickstart.py run with that venv's python, in
   an empty folder, with no CRM_LIBRARY, PYTHONPATH or LD_LIBRARY_PATH: the bundled libcrm is found
   beside the package;
3. CRM_LIBRARY still overrides (a good path is used, a bad one is an ImportError naming it);
4. `pip install --no-index ./bindings/python` from source, build isolation on, with the library
   bundled through `--config-settings library=...`, runs the quick start alike; without it the
   package is pure and finds libcrm through CRM_LIBRARY; `pip install -e` works too.

Usage: venv_install_check.py --wheel WHL --source bindings/python --library libcrm.so
           [--markdown FILE.md]... [--script FILE.py]...
Exits non-zero on any failure. Under a sanitizer build, LD_PRELOAD and ASAN_OPTIONS are passed on
to the programs that load libcrm (and only those).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SANITIZER_VARIABLES = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")


class Check:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.venv = tmp / "venv"
        self.python = self.venv / "bin" / "python"
        self.failures: list[str] = []
        self.runs = 0

    def env(self, *, load_libcrm: bool, **extra: str) -> dict[str, str]:
        """Nothing but a PATH and a HOME: what a user's shell minimally has."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.tmp / "home"), "LANG": "C.UTF-8"}
        if load_libcrm:
            env.update({k: os.environ[k] for k in SANITIZER_VARIABLES if k in os.environ})
        env.update(extra)
        return env

    def run(self, what: str, command: list[str], *, load_libcrm: bool = False, cwd: Path | None = None,
            expect_ok: bool = True, **extra: str) -> subprocess.CompletedProcess:
        print(f"+ {what}: {' '.join(str(c) for c in command)}", flush=True)
        result = subprocess.run([str(c) for c in command], env=self.env(load_libcrm=load_libcrm, **extra),
                                cwd=cwd or self.tmp, capture_output=True, text=True, timeout=300)
        output = (result.stdout + result.stderr).strip()
        if output:
            print("  " + output.replace("\n", "\n  "), flush=True)
        if expect_ok and result.returncode != 0:
            self.failures.append(f"{what}: exit status {result.returncode}")
        return result

    def pip(self, what: str, *args: str) -> bool:
        # --isolated: no pip.conf, no PIP_* variables (a PIP_FIND_LINKS or index must not help).
        result = self.run(what, [self.python, "-m", "pip", "--isolated", "--disable-pip-version-check", *args])
        return result.returncode == 0

    def fresh_folder(self, name: str) -> Path:
        self.runs += 1
        folder = self.tmp / "runs" / f"{self.runs:02}-{name}"
        folder.mkdir(parents=True)
        return folder

    def python_code(self, what: str, code: str, **extra: str) -> subprocess.CompletedProcess:
        folder = self.fresh_folder(re.sub(r"\W+", "-", what))
        return self.run(what, [self.python, "-c", code], load_libcrm=True, cwd=folder, **extra)


def python_blocks(markdown: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown.read_text(encoding="utf-8"), re.S | re.M)


WHERE = """
import os, sys, crm
assert os.path.realpath(crm.__file__).startswith(os.path.realpath(sys.prefix)), crm.__file__
print("crm", crm.__version__, "from", crm.__file__, "with", crm.library_path)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel", required=True, type=Path)
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--library", required=True, type=Path)
    parser.add_argument("--markdown", action="append", type=Path, default=[])
    parser.add_argument("--script", action="append", type=Path, default=[])
    args = parser.parse_args()
    args.wheel, args.source, args.library = (p.resolve() for p in (args.wheel, args.source, args.library))
    if not args.wheel.is_file():
        print(f"{args.wheel} does not exist: build the target python_wheel", file=sys.stderr)
        return 1

    snippets: list[tuple[str, str]] = []
    for markdown in args.markdown:
        blocks = python_blocks(markdown)
        if not blocks:
            print(f"{markdown} has no ```python block", file=sys.stderr)
            return 1
        label = f"{markdown.parent.name}/{markdown.name}"
        snippets += [(f"{label} block {i + 1}", code) for i, code in enumerate(blocks)]
    snippets += [(script.name, script.read_text(encoding="utf-8")) for script in args.script]

    with tempfile.TemporaryDirectory(prefix="crm-venv-") as tmp_name:
        c = Check(Path(tmp_name))
        (c.tmp / "home").mkdir()
        if c.run("a fresh venv", [sys.executable, "-m", "venv", c.venv]).returncode != 0:
            print("python -m venv failed: on Debian install python3-venv (bash scripts/install-deps.sh)",
                  file=sys.stderr)
            return 1

        # 1-2. The wheel of the build, then the quick starts with no environment variable.
        if not c.pip("the wheel", "install", "--no-index", "--no-cache-dir", args.wheel):
            return fail(c)
        c.python_code("where the wheel put crm", WHERE + """
assert os.path.dirname(crm.library_path) == os.path.dirname(crm.__file__), crm.library_path
""")
        for name, code in snippets:
            c.python_code(name, code)

        # 3. CRM_LIBRARY overrides the bundled library.
        c.python_code("CRM_LIBRARY names another copy", f"""
import crm
assert crm.library_path == {str(args.library)!r}, crm.library_path
""", CRM_LIBRARY=str(args.library))
        bad = c.python_code("CRM_LIBRARY names nothing", "import crm", expect_ok=False,
                            CRM_LIBRARY=str(c.tmp / "no-such-libcrm.so"))
        if bad.returncode == 0 or "ImportError" not in bad.stderr or "CRM_LIBRARY" not in bad.stderr:
            c.failures.append("a CRM_LIBRARY naming no library did not fail the import with an ImportError naming it")

        # 4. From source: build isolation on, offline (the backend needs nothing but the standard library).
        source = c.tmp / "source"
        shutil.copytree(args.source, source, ignore=shutil.ignore_patterns("__pycache__", "libcrm.so*"))
        c.pip("uninstall the wheel", "uninstall", "--yes", "libcrm")
        if c.pip("from source, bundling the library", "install", "--no-index", "--no-cache-dir",
                 "--config-settings", f"library={args.library}", source):
            c.python_code("where the source install put crm", WHERE + """
assert os.path.dirname(crm.library_path) == os.path.dirname(crm.__file__), crm.library_path
""")
            c.python_code("the first quick start, source install", snippets[0][1])
        c.pip("uninstall the source install", "uninstall", "--yes", "libcrm")
        if c.pip("from source, pure", "install", "--no-index", "--no-cache-dir", source):
            c.python_code("the pure package with CRM_LIBRARY", WHERE + """
db = crm.Database.open("sqlite::memory:")
db.migrate()
assert db.create_lead(crm.Principal.system(), "pure").title == "pure"
""", CRM_LIBRARY=str(args.library))
        c.pip("uninstall the pure install", "uninstall", "--yes", "libcrm")
        if c.pip("editable", "install", "--no-index", "--no-cache-dir", "--editable", source):
            c.python_code("the editable install", f"""
import os, crm
assert os.path.realpath(crm.__file__) == os.path.realpath({str(source / "crm" / "__init__.py")!r}), crm.__file__
""", CRM_LIBRARY=str(args.library))
        return fail(c) if c.failures else 0


def fail(c: Check) -> int:
    for failure in c.failures or ["(see above)"]:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
