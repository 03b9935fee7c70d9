"""Memory accounting of the shared device: every index reserves before it allocates.

Many models' indexes share one device (the OpenLoRA idea applied to retrieval). An index that
would push the device past its budget gets a `CapacityError` naming what it needed and what is
in use, instead of an out-of-memory crash halfway through a batch.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager


class CapacityError(Exception):
    """An allocation the device budget cannot take; the message says how much and for what."""


def mib(nbytes: int) -> str:
    return f"{nbytes / (1 << 20):.1f} MiB"


class MemoryBudget:
    """Bytes reserved against a fixed limit, by owner label (an index: Datanet + encoder)."""

    def __init__(self, limit_bytes: int) -> None:
        if limit_bytes <= 0:
            raise ValueError("memory limit must be positive")
        self.limit = int(limit_bytes)
        self._lock = threading.Lock()
        self._by_owner: dict[str, int] = {}
        self._holds = itertools.count()

    @property
    def used(self) -> int:
        with self._lock:
            return sum(self._by_owner.values())

    def by_owner(self) -> dict[str, int]:
        with self._lock:
            return dict(self._by_owner)

    def resize(self, owner: str, nbytes: int, label: str | None = None, purpose: str = "") -> None:
        """Sets `owner`'s reservation to `nbytes`, or raises CapacityError leaving it unchanged."""
        with self._lock:
            current = self._by_owner.get(owner, 0)
            others = sum(self._by_owner.values()) - current
            if others + nbytes > self.limit:
                raise CapacityError(
                    f"{label or owner} needs {mib(nbytes)}{purpose} but the device budget of {mib(self.limit)} has "
                    f"{mib(self.limit - others)} left for it ({mib(others)} held by indexes and batches "
                    "in flight); raise --memory-limit, move models to another sidecar, retire contributions "
                    "or send smaller batches"
                )
            self._by_owner[owner] = int(nbytes)

    @contextmanager
    def hold(self, label: str, nbytes: int, purpose: str = ""):
        """Reserves `nbytes` for the duration of a request (a batch's arrays), before they are
        allocated; CapacityError, naming `label`, when the budget cannot take them."""
        key = f"{label} #{next(self._holds)}"
        self.resize(key, nbytes, label, purpose)
        try:
            yield
        finally:
            self.release(key)

    def release(self, owner: str) -> None:
        with self._lock:
            self._by_owner.pop(owner, None)
