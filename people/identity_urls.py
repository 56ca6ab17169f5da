"""The OpenID Connect sign-in's two addresses, answering 404 while it is switched off."""

from django.http import Http404
from django.urls import path


def _when_enabled(view_name):
    def view(request, *args, **kwargs):
        from mozilla_django_oidc import views

        from people.identity import enabled

        if not enabled():
            raise Http404
        return getattr(views, view_name).as_view()(request, *args, **kwargs)

    return view


urlpatterns = [
    path("authenticate/", _when_enabled("OIDCAuthenticationRequestView"), name="oidc_authentication_init"),
    path("callback/", _when_enabled("OIDCAuthenticationCallbackView"), name="oidc_authentication_callback"),
]
