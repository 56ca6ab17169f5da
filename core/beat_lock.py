"""Exactly one Celery beat per deployment: at start-up beat takes a lock in Redis (the broker) and
keeps it alive while it runs; a second beat finds it held and stops with one line. Without Redis
(the embedded default's filesystem broker: one machine, one `make run`) there is nothing to share
and no lock is taken."""

import logging
import os
import socket
import threading

logger = logging.getLogger(__name__)

LOCK_KEY = "baznegar:beat"
TTL_SECONDS = 60
RENEW_EVERY = 20


class BeatAlreadyRunning(SystemExit):
    pass


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def beat_lock_take(url: str, *, owner: str | None = None) -> threading.Event | None:
    """Take the lock, or raise BeatAlreadyRunning naming who holds it. Returns an event that stops
    the renewal (for tests); None when the broker is not Redis."""
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = _redis(url)
    owner = owner or f"{socket.gethostname()}:{os.getpid()}"
    if not client.set(LOCK_KEY, owner, nx=True, ex=TTL_SECONDS):
        holder = (client.get(LOCK_KEY) or b"?").decode()
        raise BeatAlreadyRunning(f"baznegar: another Celery beat is running ({holder}); only one may run")
    stop = threading.Event()

    def renew():
        while not stop.wait(RENEW_EVERY):
            try:
                # only while it is still ours: a lock lost during a long outage is not taken back blindly
                if client.get(LOCK_KEY) == owner.encode():
                    client.expire(LOCK_KEY, TTL_SECONDS)
                else:
                    os._exit(3)  # another beat took over: this one stops rather than run twice
            except Exception as error:  # Redis away for a moment: try again at the next tick
                logger.warning("beat lock not renewed: %s", error)

    threading.Thread(target=renew, name="beat-lock", daemon=True).start()
    return stop


def beat_lock_release(url: str, owner: str) -> None:
    if url.startswith(("redis://", "rediss://")):
        client = _redis(url)
        if client.get(LOCK_KEY) == owner.encode():
            client.delete(LOCK_KEY)
