"""Per-process snapshots of the rules administrators keep as data (the working calendar, service
levels, legal windows, the council's rules).

Every step of a process reads them, and they change a few times a year, so each process keeps
what it last read. A snapshot is dropped whenever one of its tables is written in this process
(at once and again at commit), and is never older than `RULES_CACHE_SECONDS` (30 by default), so
an administrator's change made in another process (the admin site, a worker) is seen within
that time. Callers must not mutate what a snapshot returns.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_SNAPSHOTS: list["Snapshot"] = []


class Snapshot:
    """One loader's last result in this process, dropped when its tables change."""

    def __init__(self, loader: Callable[[], T], models: tuple):
        self.loader = loader
        self.models = models
        self._lock = threading.Lock()
        self._value = None
        self._loaded_at = 0.0
        for model in models:
            post_save.connect(self.changed, sender=model, weak=False)
            post_delete.connect(self.changed, sender=model, weak=False)

    def __call__(self):
        max_age = settings.RULES_CACHE_SECONDS
        with self._lock:
            value, loaded_at = self._value, self._loaded_at
        if value is None or time.monotonic() - loaded_at > max_age:
            value = self.loader()
            with self._lock:
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def clear(self) -> None:
        with self._lock:
            self._value = None

    def changed(self, **_kwargs) -> None:
        """Its tables were written (a signal, or a bulk write that sends none): read them again."""
        self.clear()
        # a read between the write and the commit saw the uncommitted row; read again after it
        transaction.on_commit(self.clear)


def snapshot(*models) -> Callable[[Callable[[], T]], Snapshot]:
    """Decorate a loader of rules: its result is kept per process until one of `models` changes."""

    def decorate(loader):
        kept = Snapshot(loader, models)
        kept.__doc__ = loader.__doc__
        _SNAPSHOTS.append(kept)
        return kept

    return decorate


def snapshots_clear() -> None:
    """Drop every snapshot: between tests, whose rows are rolled back without a signal."""
    for kept in _SNAPSHOTS:
        kept.clear()
