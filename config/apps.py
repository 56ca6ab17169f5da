from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site's edges: base templates, static assets, Jalali helpers, health check."""

    name = "config"
    label = "site"
    verbose_name = _("Site")
