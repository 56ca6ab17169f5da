import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read English messages; Persian ones are checked where it matters."""
    with translation.override("en"):
        yield
