import pytest

from plan.models import IssuedVersion, PlanItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_issued_versions_and_item_states_are_read_only_in_the_admin(client, plan):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    version = IssuedVersion.objects.get(plan=plan)
    page = client.get(f"/admin/plan/issuedversion/{version.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = client.post(f"/admin/plan/issuedversion/{version.pk}/change/", {"issuance_number": "forged"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.issuance_number == "3297"
    assert client.get("/admin/plan/issuedversion/add/").status_code == 403
    assert client.post(f"/admin/plan/issuedversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    item = PlanItem.objects.filter(plan=plan).first()
    assert client.post(f"/admin/plan/planitem/{item.pk}/change/", {"name_fa": "x"}).status_code == 403
    assert client.get("/admin/plan/planitem/?q=IND3.1.1").status_code == 200


def test_a_plan_is_added_by_importing_it_and_one_without_a_version_answers_no_server_error(client, plan, people):
    """The admin's "add plan" leads to the import (a plan is born with its first version); a plan
    with none (an older installation's, or written in the database) is left out of the pages."""
    from django.test import Client

    from plan.models import Plan

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    answer = client.get("/admin/plan/plan/add/")
    assert answer.status_code == 302 and answer["Location"].endswith("/admin/plan/plan/import/")
    assert client.post("/admin/plan/plan/add/", {"code": "empty", "name_fa": "تهی"}).status_code == 302
    assert not Plan.objects.filter(code="empty").exists()

    years = {f"{part}_year": getattr(plan, f"{part}_year") for part in ("strategic_start", "strategic_end")}
    years |= {f"{part}_year": getattr(plan, f"{part}_year") for part in ("operational_start", "operational_end")}
    Plan.objects.create(code="empty", name_fa="برنامه تهی", municipality=plan.municipality, **years)
    reader = Client(raise_request_exception=False)
    reader.force_login(people["waste-member"])
    for url in ("/plan/?plan=empty", "/plan/diff/?plan=empty", "/search/?q=هدف&plan=empty"):
        assert reader.get(url).status_code == 404, url
    for url in ("/", "/plan/", "/plan/diff/", "/plan/progress/", "/search/?q=هدف"):
        assert reader.get(url).status_code == 200, url


def test_a_committees_code_and_plan_are_fixed_once_it_exists(client, plan):
    """The plan's items name their committee by code: renamed, it would own nothing."""
    from plan.models import Committee

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    waste = Committee.objects.get(plan=plan, code="C02")
    page = client.get(f"/admin/plan/committee/{waste.pk}/change/").content.decode()
    assert 'name="name_fa"' in page and 'name="code"' not in page and 'name="plan"' not in page
    client.post(f"/admin/plan/committee/{waste.pk}/change/", {"code": "C99", "name_fa": waste.name_fa})
    assert Committee.objects.get(pk=waste.pk).code == "C02"
