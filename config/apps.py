from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site's edges: base templates, static assets, Jalali helpers, health check."""

    name = "config"
    label = "site"
    verbose_name = _("Site")


class StaticFilesConfig(DjangoStaticFilesConfig):
    """Collect no static files of viewflow's Material interface: we serve our own pages, and its
    bundled CSS names font files it does not ship, which fails hashed collection."""

    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "viewflow/*", "viewflow"]
