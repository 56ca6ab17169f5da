"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from config.startup import guard_database_login

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()
guard_database_login()
