"""A read replica for the auditor's pages and exports (docs/operations.md, *A province*): when
DATABASE_REPLICA_URL is set, the reads a view marked `reads_from_replica` makes go to the replica;
everything else, and every write, stays on the primary. Migrations run on the primary only."""

import functools
from contextvars import ContextVar

from django.conf import settings

_on_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)

REPLICA = "replica"


def reads_from_replica(view):
    """The view's reads (after the middleware has read the session and the person) go to the
    replica, where there is one: long reads of the audit trail that may lag by a few seconds."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _on_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _on_replica.reset(token)

    wrapped.reads_from_replica = True  # carried out through functools.wraps of outer decorators
    return wrapped


def streamed_from_replica(lines):
    """A streaming response's lines, read from the replica as the view's own reads were: they are
    produced after the view has returned (and `reads_from_replica` has let go), while the response
    is sent, so without this the longest read of all went to the primary."""
    lines = iter(lines)
    while True:
        token = _on_replica.set(True)
        try:
            line = next(lines)
        except StopIteration:
            return
        finally:
            _on_replica.reset(token)
        yield line


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _on_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, behind by at most the replication lag

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
