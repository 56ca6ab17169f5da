"""What every long-running process checks once when it starts (web, worker, beat)."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from core.database import refuse_privileged_login
from core.env import SettingError

logger = logging.getLogger(__name__)


def guard_database_login() -> None:
    """In production, refuse to run on a database login that could rewrite the audit log (a
    superuser, or the owner of its tables): one line names it and the process stops. A database
    that cannot be reached yet is not a reason to stop here: /healthz reports it."""
    if not getattr(settings, "REFUSE_PRIVILEGED_DATABASE_LOGIN", False):
        return
    try:
        refuse_privileged_login(connection)
    except ImproperlyConfigured as refusal:
        raise SettingError("DATABASE_URL", str(refusal)) from None  # one line, and the process stops
    except DatabaseError as error:
        logger.warning("could not check the database login at start-up: %s", error)
    finally:
        connection.close()
