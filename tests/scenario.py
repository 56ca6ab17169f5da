"""The amendments and the council vote the revision tests walk through, shared by their files."""

import datetime as dt

import jdatetime
from django.db import transaction

from audit.services import audit_record

WASTE = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 90}}}]
PARKS = [{"action": "change", "code": "IND3.4.1", "justification": "j", "values": {"targets.1405": {"new": 91}}}]
# a session a month ago: the product refuses one recorded more than a year after it sat
VOTE = {
    "session_date": dt.date.today() - dt.timedelta(days=30),
    "resolution_number": "1404/112",
    "present": 11,
    "votes_for": 8,
    "votes_against": 2,
    "abstentions": 1,
}

_SESSION = jdatetime.date.fromgregorian(date=VOTE["session_date"])
SESSION_JALALI = f"{_SESSION.year}/{_SESSION.month:02d}/{_SESSION.day:02d}"  # as typed in the form
SESSION_JALALI_FA = SESSION_JALALI.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))  # on a Persian keyboard


def record(n=1, **kwargs):
    """n audit events, each written in a transaction of its own, as the product writes them."""
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="people.user.create", data={"i": i, "متن": "کمیته"}, **kwargs))
    return events
