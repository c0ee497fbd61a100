import pytest

from assessments.services import assessment_start, checklist_create
from tests.assessments import factories


@pytest.fixture(autouse=True)
def _own_storage(storage_dir):
    """Evidence and attachment blobs go to each test's own folder."""
    return storage_dir


@pytest.fixture
def system():
    return factories.classified_system()


@pytest.fixture
def assessment(officer, system):
    return assessment_start(actor=officer, system=system, template=factories.fria())


@pytest.fixture
def checklist(procurement, system):
    return checklist_create(actor=procurement, vendor=system.vendor, system=system)
