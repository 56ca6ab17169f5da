from axes.apps import AppConfig as DjangoAxesConfig
from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The floor every app stands on: Jalali dates and Persian digits, settings from the
    environment, errors, per-process snapshots, the admin's shared behaviour, base templates and
    static assets. It imports no app of ours."""

    name = "core"
    verbose_name = _("Site")

    def ready(self):
        # the admin's header and titles name the product, in the reader's language
        from django.contrib import admin  # the admin site exists once the registry is ready

        from core import search  # noqa: F401 - registers the folding function on SQLite connections

        admin.site.site_header = _("Baznegar administration")
        admin.site.site_title = _("Baznegar administration")
        admin.site.index_title = _("What administrators keep")


class AxesConfig(DjangoAxesConfig):
    """django-axes, named for the people who read the admin."""

    verbose_name = _("Sign-in attempts")


class StaticFilesConfig(DjangoStaticFilesConfig):
    """Collect no static files of viewflow's Material interface: we serve our own pages, and its
    bundled CSS names font files it does not ship, which fails hashed collection."""

    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "viewflow/*", "viewflow"]
