import pytest
from django.utils import translation

from plan.demo import ahvaz_1407
from plan.models import Committee
from plan.selectors import version_cache
from plan.services import plan_import
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read English messages; Persian ones are checked where it matters."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_version_cache():
    version_cache.clear()
    yield
    version_cache.clear()


@pytest.fixture
def plan(db):
    return plan_import(document=ahvaz_1407())


@pytest.fixture
def waste(plan):
    return Committee.objects.get(plan=plan, code="C02")


@pytest.fixture
def parks(plan):
    return Committee.objects.get(plan=plan, code="C03")


@pytest.fixture
def drafter(db):
    return UserFactory(username="drafter")
