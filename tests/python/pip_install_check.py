#!/usr/bin/env python3
"""Checks that the binding installs offline and the installed copy works:

    pip install --no-index --no-build-isolation --target <tmp>/site <copy of bindings/python>

then imports `crm` from <tmp>/site alone (CRM_LIBRARY names the library) and uses it. The source
folder is copied first, because setuptools builds in place (build/, *.egg-info) and the source tree
must stay clean. Usage: pip_install_check.py BINDINGS_PYTHON_DIR. Exits non-zero on any failure.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SMOKE = r"""
import importlib.metadata, os, sys
import crm
here = os.path.realpath(os.path.dirname(crm.__file__))
site = os.path.realpath(sys.argv[1])
assert here == os.path.join(site, "crm"), f"imported {here}, not the installed copy in {site}"
assert os.path.exists(os.path.join(here, "py.typed")), "py.typed was not installed"
installed = importlib.metadata.version("libcrm")
assert installed == crm.__version__ == crm.library_version(), (installed, crm.__version__, crm.library_version())
with crm.Database.open("sqlite::memory:", jwt_secret="s" * 32, password_opslimit=1, password_memlimit=8192) as db:
    db.migrate()
    system = crm.Principal.system()
    lead = db.create_lead(system, "installed", metadata={"ok": True})
    assert db.list_leads(system).total == 1 and lead.metadata == {"ok": True}
print(f"crm {crm.__version__} installed in {here} works with {crm.library_path}")
"""


def run(command, **kwargs):
    print("+", " ".join("<smoke test>" if c == SMOKE else str(c) for c in command), flush=True)
    return subprocess.run(command, timeout=240, **kwargs)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(sys.argv[1]).resolve()
    if not os.environ.get("CRM_LIBRARY"):
        print("CRM_LIBRARY must name the libcrm.so under test", file=sys.stderr)
        return 2
    missing = [m for m in ("pip", "setuptools", "wheel") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"{sys.executable} lacks {', '.join(missing)}: on Debian 12 install python3-pip python3-setuptools "
              "python3-wheel (bash scripts/install-deps.sh)", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="crm-pip-") as tmp:
        copy, site = Path(tmp) / "src", Path(tmp) / "site"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__",
                                                                    "libcrm.so*"))
        env = dict(os.environ)  # pip runs --isolated: no configuration files, no PIP_* variables
        env.pop("PYTHONPATH", None)
        install = run([sys.executable, "-m", "pip", "install", "--isolated", "--no-index", "--no-build-isolation",
                       "--no-deps", "--no-cache-dir", "--root-user-action=ignore", "--target", str(site), str(copy)],
                      env=env, cwd=tmp)
        if install.returncode != 0:
            print("pip install failed (output above)", file=sys.stderr)
            return 1
        env["PYTHONPATH"] = str(site)
        smoke = run([sys.executable, "-s", "-c", SMOKE, str(site)], env=env, cwd=tmp)
        if smoke.returncode != 0:
            print("the installed package does not work (output above)", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
