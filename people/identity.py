"""Signing in through the province's OpenID Connect identity service, with mozilla-django-oidc.

On when OIDC_RP_CLIENT_ID is set (docs/operations.md). The claims make or update the account
(`preferred_username`, names, email), and the `groups` claim goes through the same rules as the
directory's groups (people.directory: `DirectoryRule`, whose group is then the name the provider
sends). A local account of the same username is never taken over."""

import logging

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from people.directory import directory_sync
from people.models import User

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def _username(claims) -> str:
    return (claims.get("preferred_username") or claims.get("sub") or "").strip()[:150]


class IdentityBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        return bool(_username(claims))

    def filter_users_by_claims(self, claims):
        return User.objects.filter(username__iexact=_username(claims), from_directory=True)

    def create_user(self, claims):
        username = _username(claims)
        if User.objects.filter(username__iexact=username).exists():
            logger.warning("identity sign-in refused: %s is a local account", username)
            return None
        user = User.objects.create_user(username, email=claims.get("email", ""))
        user.set_unusable_password()
        user.from_directory = True
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = (claims.get("given_name") or "")[:150]
        user.last_name = (claims.get("family_name") or "")[:150]
        user.email = claims.get("email", "") or user.email
        user.save()
        groups = claims.get("groups") or []
        directory_sync(user=user, group_dns=[groups] if isinstance(groups, str) else groups)
        return user
