"""People's names for the steps of the approval path, and for what a decision does."""

from django.utils.translation import gettext_lazy as _

STEP_TITLES = {
    "draft": _("Draft the amendment"),
    "sign_off": _("Committee sign-off"),
    "integration": _("Integration review"),
    "withdraw": _("Withdrawal"),
    "assemble": _("Assemble the revision"),
    "policy_council": _("Policy council"),
    "city_council": _("City council vote"),
    "governorate": _("Governorate conformity review"),
    "reconsideration": _("Council reconsideration"),
    "dispute": _("Record the dispute's outcome"),
    "issuance": _("Issuance"),
}

# what each choice on a decision form does, in the imperative
OUTCOME_ACTIONS = {
    "submit": _("Submit"),
    "approve": _("Approve"),
    "approve_partial": _("Approve without some amendments"),
    "return": _("Return with reasons"),
    "reject": _("Reject"),
    "object": _("Object"),
    "confirm": _("Confirm"),
    "amend": _("Amend by a new vote"),
    "insist": _("Insist on the resolution"),
    "upheld": _("The resolution was upheld"),
    "overturned": _("The resolution was overturned"),
    "issue": _("Issue"),
    "remove": _("Take amendments out, back to the pool"),
    "add": _("Add accepted amendments from the pool"),
    "withdraw": _("Withdraw the revision"),
    "reassemble": _("Send back to assembly (a conflict blocks issuance)"),
}
# at assembly, "return" sends the chosen amendments back to their drafters
STEP_OUTCOME_ACTIONS = {
    ("assemble", "return"): _("Return amendments to their drafters"),
    ("reconsideration", "amend"): _("Amend: reopen the content for a new vote"),
}


def outcome_action(step: str, outcome: str) -> str:
    return str(STEP_OUTCOME_ACTIONS.get((step, outcome)) or OUTCOME_ACTIONS.get(outcome, outcome))


def step_title(step: str) -> str:
    return str(STEP_TITLES.get(step, step))
