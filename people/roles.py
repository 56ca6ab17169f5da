"""The roles of the approval path, held as Django groups with stable names.

A role says what kind of step a person may take; which objects they may take it on is an
object permission (django-guardian), granted per committee or per revision.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    COMMITTEE_CHAIR = "committee_chair", _("Committee chair")
    INTEGRATION = "integration_working_group", _("Integration working group")
    PLANNING_OFFICE = "planning_office", _("Planning deputy's office")
    POLICY_COUNCIL = "policy_council_secretariat", _("Policy council secretariat")
    CITY_COUNCIL = "city_council_secretariat", _("City council secretariat")
    GOVERNORATE = "governorate_liaison", _("Governorate liaison")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Model permissions each role's group holds, as "app_label.codename". Permissions of apps
# that are not installed yet are skipped, so the list can name what later issues add.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INTEGRATION: ["plan.integrate_amendment"],
    Role.POLICY_COUNCIL: ["workflows.decide_policy_council"],
    Role.CITY_COUNCIL: ["workflows.record_council_vote"],
    Role.GOVERNORATE: ["workflows.record_conformity"],
    Role.PLANNING_OFFICE: ["workflows.issue_revision"],
    Role.AUDITOR: [
        "plan.view_amendment",
        "plan.view_revision",
        "approvals.view_decision",
        "audit.view_auditevent",
        "audit.view_auditverification",
        "people.view_user",
    ],
    Role.ADMINISTRATOR: [
        "people.view_user",
        "people.add_user",
        "people.change_user",
        "auth.view_group",
        "audit.view_auditevent",
        "audit.view_auditverification",
        "audit.add_auditverification",
        "workflows.reassign_task",
        "viewflow.view_process",
        "viewflow.view_task",
        "people.view_accesstoken",
        "people.change_accesstoken",  # revokes a token that leaked
    ],
}


# Who may substitute whom, as data. A delegator's role -> the roles one of which the substitute
# must hold to act for them in that role. SAME_COMMITTEE: for committee seats the substitute must
# sit on the same committee (any seat): a committee's work never passes to another committee.
# The auditor decides nothing, so never delegates and is never a substitute; the administrator
# decides nothing in the process either.
SAME_COMMITTEE = "same_committee"
DELEGATION_RULES: dict[str, set[str] | str] = {
    Role.COMMITTEE_MEMBER: SAME_COMMITTEE,
    Role.COMMITTEE_CHAIR: SAME_COMMITTEE,
    Role.INTEGRATION: {Role.INTEGRATION, Role.PLANNING_OFFICE},
    Role.POLICY_COUNCIL: {Role.POLICY_COUNCIL, Role.PLANNING_OFFICE},
    Role.CITY_COUNCIL: {Role.CITY_COUNCIL},
    Role.GOVERNORATE: {Role.GOVERNORATE},
    Role.PLANNING_OFFICE: {Role.PLANNING_OFFICE, Role.INTEGRATION},
}
NEVER_SUBSTITUTES = {Role.AUDITOR}
