from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """People: the user model, roles as groups, committee seats, delegation, sign-in throttling."""

    name = "people"
    verbose_name = _("People and roles")

    def ready(self):
        # models and services are importable only once the app registry is ready
        from people import services, throttling  # noqa: F401 - throttling connects its signal

        services.register_audit_actions()
        post_migrate.connect(_ensure_roles, sender=self)
        try:  # directory sign-in: where django-auth-ldap is installed (requirements/ldap.txt)
            from django_auth_ldap.backend import ldap_error
        except ImportError:
            pass
        else:
            from people.directory import directory_unreachable

            ldap_error.connect(directory_unreachable, dispatch_uid="people.directory_unreachable")


def _ensure_roles(sender, using="default", **kwargs):
    from people.services import role_groups_ensure  # importable only once the registry is ready

    role_groups_ensure(using=using)
