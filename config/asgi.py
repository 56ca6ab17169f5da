"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.startup import guard_database_login

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_asgi_application()
guard_database_login()
