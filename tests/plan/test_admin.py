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
