"""Finds and loads libcrm, and checks that its version is one this binding was written for.

Where it looks, in order:

1. ``CRM_LIBRARY``: the path of the shared library (used alone when set: a wrong path is an
   error, not a reason to pick up some other copy);
2. beside this package (``libcrm.so.0`` or ``libcrm.so`` in the ``crm`` folder): the wheel that
   the CMake build makes (``build/bindings/python/dist/``) carries the library there, so an
   installed wheel needs no environment variable;
3. the system: ``ctypes.util.find_library("crm")``, then ``libcrm.so.0`` through the dynamic
   linker's search path (``LD_LIBRARY_PATH``, ``ldconfig``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from ._version import __version__

__all__ = ["lib", "path", "version_number", "expected_version_number"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_BESIDE = ("libcrm.so.0", "libcrm.so", "libcrm.dylib", "crm.dll")


def _number(version: str) -> int:
    major, minor, patch = (int(part) for part in version.split(".")[:3])
    return major * 1_000_000 + minor * 1_000 + patch


#: CRM_VERSION_NUMBER of the crm.h this package wraps.
expected_version_number = _number(__version__)

_HOW_TO = (
    "Install the wheel that the CMake build makes, which carries libcrm (pip install "
    "build/bindings/python/dist/libcrm-*.whl), set CRM_LIBRARY to the path of libcrm.so, install "
    "libcrm where the dynamic linker finds it (e.g. /usr/local/lib, then run ldconfig), or copy "
    f"libcrm.so.0 into {_HERE}."
)


def _load() -> tuple[ctypes.CDLL, str]:
    explicit = os.environ.get("CRM_LIBRARY")
    if explicit:
        try:
            return ctypes.CDLL(explicit), explicit
        except OSError as e:
            raise ImportError(
                f"crm: cannot load libcrm from CRM_LIBRARY={explicit!r}: {e}. "
                "Point CRM_LIBRARY at the built shared library (e.g. build/libcrm.so), or unset it "
                "to search beside the package and on the system."
            ) from e

    candidates = [os.path.join(_HERE, name) for name in _BESIDE if os.path.exists(os.path.join(_HERE, name))]
    found = ctypes.util.find_library("crm")
    if found:
        candidates.append(found)
    candidates.append("libcrm.so.0")

    failures = []
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as e:
            failures.append(f"{candidate}: {e}")
    raise ImportError("crm: libcrm was not found (tried " + "; ".join(failures) + "). " + _HOW_TO)


def _check_version(library: ctypes.CDLL, where: str) -> int:
    try:
        function = library.crm_version_number
    except AttributeError as e:
        raise ImportError(f"crm: {where} is not libcrm (it has no crm_version_number). {_HOW_TO}") from e
    function.argtypes = []
    function.restype = ctypes.c_int
    found = function()
    major, minor, patch = found // 1_000_000, found // 1_000 % 1_000, found % 1_000
    want_major, want_minor = expected_version_number // 1_000_000, expected_version_number // 1_000 % 1_000
    # Same major version (and, before 1.0, the same minor one); the library may be newer, since
    # the ABI only ever appends.
    compatible = (
        major == want_major and (want_major > 0 or minor == want_minor) and found >= expected_version_number
    )
    if not compatible:
        raise ImportError(
            f"crm: {where} is libcrm {major}.{minor}.{patch}, but this crm package ({__version__}) "
            f"needs libcrm {__version__} or a later compatible release. Install the binding that came "
            "with your libcrm, or point CRM_LIBRARY at a matching build."
        )
    return found


lib, path = _load()
version_number = _check_version(lib, path)
