"""The build backend of the `libcrm` Python package (PEP 517), and the wheel builder CMake runs.

Why our own: the package is pure Python plus, optionally, libcrm.so itself, so a wheel is a zip of
crm/*.py with three metadata files. A backend with no build requirements lets pip build it with no
network and no setuptools/wheel, build isolation on or off (`pip install --no-index
./bindings/python` in a fresh venv). It uses the standard library only and never imports `crm`
(which would load libcrm).

Bundling libcrm (as DuckDB's wheel does): a wheel built with a library carries it as
crm/libcrm.so.0, where `crm._lib` finds it with no environment variable, and is tagged for this
platform (py3-none-linux_x86_64); without one it is pure (py3-none-any) and finds libcrm through
CRM_LIBRARY or the system. The library to bundle is, in order: the config setting `library`
(pip install --config-settings library=PATH), or a libcrm.so.0 / libcrm.so copied into crm/.

From the command line (the CMake target `python_wheel` does this):

    python3 crm_wheel.py [--library build/libcrm.so] [--out DIR]   # prints the wheel's path
    python3 crm_wheel.py [--library ...] --print-name               # only its file name
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import re
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

__all__ = ["build_wheel", "build_sdist", "build_editable", "get_requires_for_build_wheel",
           "get_requires_for_build_sdist", "get_requires_for_build_editable"]

ROOT = Path(__file__).resolve().parent.parent  # bindings/python
PACKAGE = "crm"
BUNDLED_NAME = "libcrm.so.0"  # the SONAME: what crm._lib looks for beside the package
# Zip entries get this date (the earliest a zip can hold) so that a wheel of the same inputs is
# byte-for-byte the same.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# ---- Project metadata, from pyproject.toml and crm/_version.py ------------------------------

def _project() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise RuntimeError("building the libcrm package needs Python 3.11 or later (tomllib), or tomli; "
                               "on Python 3.10 install the wheel that the CMake build makes "
                               "(build/bindings/python/dist/)") from None
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _version() -> str:
    text = (ROOT / PACKAGE / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if not match:
        raise RuntimeError("crm/_version.py has no __version__")
    return match.group(1)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()  # the distribution name in file names


def _metadata(project: dict, version: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {version}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    license_ = project.get("license", {})
    if "text" in license_:
        lines.append(f"License: {license_['text']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    readme = project.get("readme")
    body = ""
    if readme:
        lines.append("Description-Content-Type: text/markdown")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + body


def _license_file() -> Path | None:
    """The project's LICENSE: beside pyproject.toml in an sdist, at the top of the repository."""
    for path in (ROOT / "LICENSE", ROOT.parent.parent / "LICENSE" if ROOT.parent.name == "bindings" else None):
        if path and path.is_file():
            return path
    return None


# ---- Which library, which tag ----------------------------------------------------------------

def _library(config_settings: dict | None) -> Path | None:
    given = (config_settings or {}).get("library")
    if given:
        path = Path(given)
        if not path.is_file():
            raise RuntimeError(f"config setting library={given!r}: no such file")
        return path.resolve()
    for name in (BUNDLED_NAME, "libcrm.so"):
        if (ROOT / PACKAGE / name).is_file():
            return ROOT / PACKAGE / name
    return None


def _tag(bundled: bool) -> str:
    if not bundled:
        return "py3-none-any"
    # ctypes needs no particular Python or ABI, only this platform's libcrm.so.
    return "py3-none-" + re.sub(r"[-.]", "_", sysconfig.get_platform())


def wheel_name(bundled: bool) -> str:
    return f"{_normalized(_project()['name'])}-{_version()}-{_tag(bundled)}.whl"


# ---- Writing a wheel -------------------------------------------------------------------------

def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _package_files() -> list[tuple[str, Path]]:
    files = []
    for path in sorted((ROOT / PACKAGE).iterdir()):
        if path.is_file() and (path.suffix == ".py" or path.name == "py.typed"):
            files.append((f"{PACKAGE}/{path.name}", path))
    return files


def _write_wheel(directory: str, bundled: Path | None, payload: list[tuple[str, bytes, int]]) -> str:
    """Writes the wheel of `payload` (archive name, bytes, mode) and the dist-info; returns its name."""
    project, version = _project(), _version()
    name = f"{_normalized(project['name'])}-{version}-{_tag(bundled is not None)}.whl"
    dist_info = f"{_normalized(project['name'])}-{version}.dist-info"
    wheel = "\n".join([
        "Wheel-Version: 1.0",
        "Generator: libcrm crm_wheel.py",
        f"Root-Is-Purelib: {'false' if bundled else 'true'}",
        f"Tag: {_tag(bundled is not None)}",
    ]) + "\n"
    entries = list(payload)
    entries.append((f"{dist_info}/METADATA", _metadata(project, version).encode(), 0o644))
    entries.append((f"{dist_info}/WHEEL", wheel.encode(), 0o644))
    license_file = _license_file()
    if license_file:
        entries.append((f"{dist_info}/LICENSE", license_file.read_bytes(), 0o644))
    record = "".join(f"{arcname},{_hash(data)},{len(data)}\n" for arcname, data, _ in entries)
    record += f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode(), 0o644))

    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, name)
    partial = target + ".part"  # a wheel is either complete or absent
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname, data, mode in entries:
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    os.replace(partial, target)
    return name


# ---- PEP 517 hooks ---------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    library = _library(config_settings)
    payload = [(arcname, path.read_bytes(), 0o644) for arcname, path in _package_files()]
    if library:
        payload.append((f"{PACKAGE}/{BUNDLED_NAME}", library.read_bytes(), 0o755))
    return _write_wheel(wheel_directory, library, payload)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """A wheel whose .pth puts this source folder on sys.path: edits take effect at once. The
    library is found as for the sources (CRM_LIBRARY, crm/libcrm.so.0, the system)."""
    pth = (str(ROOT) + "\n").encode()
    return _write_wheel(wheel_directory, None, [(f"__editable__.{_normalized(_project()['name'])}.pth", pth, 0o644)])


def build_sdist(sdist_directory, config_settings=None):
    project, version = _project(), _version()
    base = f"{_normalized(project['name'])}-{version}"
    files = [(f"{base}/{arc}", path) for arc, path in _package_files()]
    for extra in ("pyproject.toml", "README.md", "backend/crm_wheel.py"):
        files.append((f"{base}/{extra}", ROOT / extra))
    os.makedirs(sdist_directory, exist_ok=True)
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        def add(arcname: str, data: bytes) -> None:
            info = tarfile.TarInfo(arcname)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
        for arcname, path in files:
            add(arcname, path.read_bytes())
        license_file = _license_file()
        if license_file:
            add(f"{base}/LICENSE", license_file.read_bytes())
        add(f"{base}/PKG-INFO", _metadata(project, version).encode())
    return name


# ---- Command line ----------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Builds the libcrm Python wheel.")
    parser.add_argument("--library", help="the libcrm.so to bundle (default: none, a pure wheel)")
    parser.add_argument("--out", default=".", help="the folder to write the wheel into")
    parser.add_argument("--print-name", action="store_true", help="only print the wheel's file name")
    args = parser.parse_args(argv)
    if args.print_name:
        print(wheel_name(args.library is not None))
        return 0
    settings = {"library": args.library} if args.library else {}
    print(os.path.join(args.out, build_wheel(args.out, settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
