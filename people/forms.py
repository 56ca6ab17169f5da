"""The sign-in form: Django's, saying so when the city's directory cannot be reached."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    @property
    def identity_sign_in(self) -> bool:
        """Whether the page offers the province's OpenID Connect sign-in (people/identity.py)."""
        from django.conf import settings

        return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))

    def get_invalid_login_error(self):
        if getattr(self.request, "directory_unreachable", False):
            return ValidationError(
                _(
                    "The city's directory cannot be reached now, so only local accounts can sign in. "
                    "Try again in a few minutes."
                ),
                code="directory_unreachable",
            )
        return super().get_invalid_login_error()
