"""Set the provider up: its tables, a signing key, a person with groups, and the product as a client.
PROVIDER_DB=… python -m tests.people.oidc_provider.prepare REDIRECT_URI"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.people.oidc_provider.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402

call_command("migrate", verbosity=0)
call_command("creatersakey")
person = User.objects.create_user("leila", "leila@khuzestan.example", "leila-pass-1234")
person.first_name, person.last_name = "لیلا", "موسوی"
person.save()
for name in ("planning", "waste-committee"):
    person.groups.add(Group.objects.create(name=name))
client = Client.objects.create(
    name="baznegar",
    client_type="confidential",
    client_id="baznegar",
    client_secret="baznegar-client-secret",
    jwt_alg="RS256",
    require_consent=False,
    reuse_consent=True,
)
client.redirect_uris = [sys.argv[1]]
client.scope = ["openid", "email", "profile", "groups"]
client.save()
client.response_types.add(ResponseType.objects.get(value="code"))
