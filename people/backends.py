"""Signing in with a password: Django's model backend, less the service accounts (a system acts
through the access tokens an administrator made for it, people.tokens, never through a session)."""

from django.contrib.auth.backends import ModelBackend


class PeopleBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_service", False)
