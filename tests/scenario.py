"""The amendments and the council vote the revision tests walk through, shared by their files."""

import datetime as dt

WASTE = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 90}}}]
PARKS = [{"action": "change", "code": "IND3.4.1", "justification": "j", "values": {"targets.1405": {"new": 91}}}]
VOTE = {
    "session_date": dt.date(2025, 5, 10),
    "resolution_number": "1404/112",
    "present": 11,
    "votes_for": 8,
    "votes_against": 2,
    "abstentions": 1,
}
