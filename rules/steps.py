"""The one source of the approval path's step names and outcomes, with the titles people read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """Every step of the approval path: the flows' node names, the decisions' `step`, the deadlines'
    and service levels' `stage`, the separation of duties, the notifications. One name, one title."""

    DRAFT = "draft", _("Draft the amendment")
    SIGN_OFF = "sign_off", _("Committee sign-off")
    INTEGRATION = "integration", _("Integration review")
    WITHDRAW = "withdraw", _("Withdrawal")
    ASSEMBLE = "assemble", _("Assemble the revision")
    POLICY_COUNCIL = "policy_council", _("Policy council")
    CITY_COUNCIL = "city_council", _("City council vote")
    GOVERNORATE = "governorate", _("Governorate conformity review")
    RECONSIDERATION = "reconsideration", _("Council reconsideration")
    DISPUTE = "dispute", _("Record the dispute's outcome")
    ISSUANCE = "issuance", _("Issuance")
    CONFIRM_ACTUALS = "confirm_actuals", _("Confirm the year's actuals")
    ANSWER_CALL = "answer_call", _("Answer the year's call for amendments")


class Outcome(models.TextChoices):
    """What a decision did, as its record says it (the form's imperative is OUTCOME_ACTIONS)."""

    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")
    APPROVE_PARTIAL = "approve_partial", _("Approved without some amendments")
    OBJECT = "object", _("Objected")
    CONFIRM = "confirm", _("Confirmed")
    CONFIRM_BY_SILENCE = "confirm_by_silence", _("Confirmed by silence")
    AMEND = "amend", _("Reopened to amend the content")
    INSIST = "insist", _("Insisted")
    UPHELD = "upheld", _("Resolution upheld")
    OVERTURNED = "overturned", _("Resolution overturned")
    ISSUE = "issue", _("Issued")
    REMOVE = "remove", _("Removed from the revision")
    REASSEMBLE = "reassemble", _("Sent back to assembly")


STEP_TITLES = dict(Step.choices)

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
