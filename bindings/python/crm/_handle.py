"""The one base class of every long-lived handle (crm.Database, crm.Principal)."""

from __future__ import annotations

import threading
from typing import Any, Callable, ClassVar


class _InUse:
    """`with handle._using() as ptr:` the handle cannot be freed until the block ends."""

    __slots__ = ("_handle",)

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def __enter__(self) -> Any:
        return self._handle._acquire()

    def __exit__(self, *exc: object) -> None:
        self._handle._release()


class Handle:
    """Owns one C handle and frees it exactly once.

    - ``close()`` frees it now; it is idempotent, and waits for calls running on other threads to
      end first (a crm_db is shared by threads; crm_db_free must not race with them).
    - ``__del__`` frees it when the object is collected, also at interpreter shutdown: it needs
      nothing but the instance and its class (the free function is a class attribute).
    - ``with handle:`` closes on exit.
    - ``parent``: a handle this one borrows from is kept alive as long as this one is open.
    - The handle can be passed straight to a ctypes function (``_as_parameter_``); a closed one
      raises ValueError instead of passing a dangling pointer.
    """

    #: The crm_*_free function of this handle type (a subclass sets it).
    _free: ClassVar[Callable[[Any], None]]

    def __init__(self, ptr: Any, parent: Handle | None = None) -> None:
        if not ptr:
            raise ValueError(f"{type(self).__name__}: NULL handle")
        self._ptr = ptr
        self._parent = parent
        self._busy = 0
        self._idle = threading.Condition(threading.Lock())

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def close(self) -> None:
        """Frees the handle (waiting for calls in progress on other threads); again is a no-op."""
        with self._idle:
            ptr = self._ptr
            if ptr is None:
                return
            self._ptr = None  # refuse new calls from here on
            while self._busy:
                self._idle.wait()
        type(self)._free(ptr)
        self._parent = None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Nothing can be using the handle: every user holds a reference. Only instance and class
        # attributes are touched, so this is safe while the interpreter shuts down.
        ptr = self.__dict__.get("_ptr")
        if ptr is None:
            return
        self._ptr = None
        try:
            type(self)._free(ptr)
        except Exception:  # pragma: no cover - never raise from a finalizer
            pass

    # -- use from the operations ----------------------------------------------------------------

    def _using(self) -> _InUse:
        return _InUse(self)

    def _acquire(self) -> Any:
        with self._idle:
            if self._ptr is None:
                raise ValueError(f"operation on a closed {type(self).__name__}")
            self._busy += 1
            return self._ptr

    def _release(self) -> None:
        with self._idle:
            self._busy -= 1
            if not self._busy:
                self._idle.notify_all()

    @property
    def _as_parameter_(self) -> Any:
        ptr = self._ptr
        if ptr is None:
            raise ValueError(f"operation on a closed {type(self).__name__}")
        return ptr
