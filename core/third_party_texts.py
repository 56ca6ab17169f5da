"""Texts the admin shows from Django and the apps we use that their own catalogues leave in English
for a Persian reader. They are listed here so that `make messages` extracts them; our catalogue is
consulted first, so its Persian is what the admin shows."""

from django.utils.translation import gettext_noop, pgettext_lazy

TEXTS = [
    gettext_noop("Model name"),
    gettext_noop("Workflow"),
    gettext_noop("Process"),
    gettext_noop("Process list"),
    gettext_noop("Task"),
    gettext_noop("Tasks"),
    gettext_noop("Previous"),
    gettext_noop("Owner"),
    gettext_noop("Permission"),
    gettext_noop("External Task ID"),
    # viewflow: a process's and a task's fields and states
    gettext_noop("Created"),
    gettext_noop("Finished"),
    gettext_noop("Status"),
    gettext_noop("Started"),
    gettext_noop("Participants"),
    gettext_noop("flow"),
    gettext_noop("Flow"),
    pgettext_lazy("STATUS", "Canceled"),
    pgettext_lazy("STATUS", "Done"),
    pgettext_lazy("STATUS", "New"),
    pgettext_lazy("STATUS", "Assigned"),
    pgettext_lazy("STATUS", "Error"),
    pgettext_lazy("STATUS", "Revived"),
    pgettext_lazy("STATUS", "Scheduled"),
    pgettext_lazy("STATUS", "Started"),
    # django-axes
    gettext_noop("Locked Out"),
    gettext_noop("User Agent"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    # Django's password field and django-guardian's object permissions
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    gettext_noop("Object permissions"),
]
