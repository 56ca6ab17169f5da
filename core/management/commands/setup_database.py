"""`manage.py setup_database`: migrations as the owner, then the application's login given its rights.

With DATABASE_OWNER_URL set (PostgreSQL), `migrate` runs in a process of its own whose only login is
the owner's (data migrations, ours and viewflow's, use the default connection), and the login of
DATABASE_URL is then granted exactly what the application needs (core.database). Without it (SQLite,
a developer's single login) it is `migrate`."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.database import grant_application_login


class Command(BaseCommand):
    help = "Apply migrations as the database's owner and grant the application's login its rights."

    def handle(self, *args, **options):
        if "owner" not in settings.DATABASES:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_OWNER_URL"]}
        env.pop("DATABASE_OWNER_URL")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        migrated = subprocess.run([*manage, "migrate", "--noinput", "-v", str(options["verbosity"])], env=env)
        if migrated.returncode != 0:
            raise CommandError("migrations failed as the owner; nothing was granted")
        role = settings.DATABASES["default"]["USER"]
        done = grant_application_login(role, connections["owner"])
        if options["verbosity"]:
            self.stdout.write(
                f"migrated as {settings.DATABASES['owner']['USER']}; {role} may read and write "
                f"{done['tables']} tables, and only read and insert {', '.join(done['append_only'])}"
            )
