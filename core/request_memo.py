"""What one request has already worked out about the person (their delegators, their rights, the
committees their seats cover), so that the several lists of one page ask the database once.

Only inside a request (RequestMemoMiddleware gives each its own store and drops it after): a
service called from a task, a command or a test computes afresh every time, so nothing it writes
is ever read stale. A request that changes these things redirects before reading them again."""

from contextvars import ContextVar

_store: ContextVar[dict | None] = ContextVar("request_memo", default=None)


def remembered(key: tuple, compute):
    """compute(), once per key in the current request; every call outside a request computes."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def forget() -> None:
    """Drop what this request remembered: for a service that has just changed someone's rights and
    reads them again within the same request."""
    store = _store.get()
    if store is not None:
        store.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
