"""The plan: its issued versions, a version's items and its export (immutable: ETags), one item and
its history, the diff between two versions."""

import json
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema

from plan import diff as plan_diff
from plan import exchange
from plan.models import IssuedVersion
from plan.selectors import item_history, plan_export, version_in_force, version_state, versions_diff
from workflows.api import errors
from workflows.api.common import plan_of

router = Router(tags=["plan"])


class VersionOut(Schema):
    number: int
    issuance_number: str
    issued_at: str
    fingerprint: str
    in_force: bool


@router.get("/versions", response=list[VersionOut], summary=gettext_noop("The plan's issued versions"))
def versions(request, plan: str | None = None):
    the_plan = plan_of(plan, request.user)
    in_force = version_in_force(the_plan)
    return [
        VersionOut(
            number=v.number,
            issuance_number=v.issuance_number,
            issued_at=v.issued_at.isoformat(),
            fingerprint=v.fingerprint,
            in_force=in_force is not None and v.pk == in_force.pk,
        )
        for v in the_plan.versions.order_by("number")
    ]


class ItemOut(Schema):
    code: str
    kind: str
    name_fa: str
    name_en: str = ""
    parent: str | None = None
    committee: str | None = None
    fields: dict


def _item(item: dict) -> ItemOut:
    named = {"code", "kind", "name_fa", "name_en", "parent", "committee"}
    return ItemOut(
        code=item["code"],
        kind=item["kind"],
        name_fa=item.get("name_fa", ""),
        name_en=item.get("name_en", "") or "",
        parent=item.get("parent") or None,
        committee=item.get("committee") or None,
        fields={k: v for k, v in item.items() if k not in named},
    )


@router.get(
    "/versions/{number}/items",
    response={200: list[ItemOut], 304: None},
    summary=gettext_noop("Every item of an issued version (immutable: an ETag, and 304 when unchanged)"),
)
def version_items(request, number: int, plan: str | None = None, kind: str | None = None):
    version = get_object_or_404(IssuedVersion, plan=plan_of(plan, request.user), number=number)
    etag = f'"{version.fingerprint}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    items = [i for i in version_state(version).values() if kind is None or i["kind"] == kind]
    body = [_item(i).dict() for i in sorted(items, key=lambda i: i["code"])]
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get("/items/{code}", response=ItemOut, summary=gettext_noop("One item, in force or in a version"))
def item(request, code: str, plan: str | None = None, version: int | None = None):
    the_plan = plan_of(plan, request.user)
    chosen = get_object_or_404(IssuedVersion, plan=the_plan, number=version) if version else version_in_force(the_plan)
    state = version_state(chosen) if chosen is not None else {}
    if code not in state:
        raise errors.HttpError(404, _("There is no such item in this version."))
    return _item(state[code])


class HistoryOut(Schema):
    valid_from: int  # the first version that holds this state
    valid_to: int | None = None  # the first version that no longer does; None: still in force
    item: ItemOut


@router.get(
    "/items/{code}/history",
    response=list[HistoryOut],
    summary=gettext_noop("Every state an item has had, version by version"),
)
def item_history_api(request, code: str, plan: str | None = None):
    rows = item_history(plan_of(plan, request.user), code)
    if not rows:
        raise errors.HttpError(404, _("There is no such item in this plan."))
    return [HistoryOut(valid_from=r["valid_from"], valid_to=r["valid_to"], item=_item(r["item"])) for r in rows]


class DiffOut(Schema):
    plan: str
    old: int
    new: int
    fingerprint: str  # of the entries: the same the diff page shows
    summary: dict
    entries: list


@router.get("/diff", response=DiffOut, summary=gettext_noop("What changed between two issued versions"))
def versions_diff_api(request, old: int, new: int, plan: str | None = None):
    the_plan = plan_of(plan, request.user)
    before = get_object_or_404(IssuedVersion, plan=the_plan, number=old)
    after = get_object_or_404(IssuedVersion, plan=the_plan, number=new)
    entries = versions_diff(before, after)
    return DiffOut(
        plan=the_plan.code,
        old=old,
        new=new,
        fingerprint=plan_diff.fingerprint(entries),
        summary=plan_diff.summary(entries),
        entries=entries,
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/versions/{number}/export",
    response={200: dict, 304: None},
    summary=gettext_noop(
        "A version as the exchange document (JSON) or its workbook (format=xlsx), as import_plan reads it"
    ),
)
def version_export(request, number: int, plan: str | None = None, format: Literal["json", "xlsx"] = "json"):
    version = get_object_or_404(IssuedVersion, plan=plan_of(plan, request.user), number=number)
    etag = f'"{version.fingerprint}-{format}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        document = plan_export(version)
        name = f"{version.plan.code}-v{version.number}"
        if format == "xlsx":
            response = HttpResponse(exchange.workbook(document), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        else:
            response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response
