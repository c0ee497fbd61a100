import io

import pytest
from django.core.management import call_command

from inventory.services import ai_system_create
from tests.regulations.content_factory import write_version


@pytest.fixture
def content_dir(tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    return root


@pytest.fixture
def loaded_zz(content_dir, db):
    """Regime zz version v1 loaded through the real command."""
    write_version(content_dir)
    call_command("load_content", content_dir=content_dir, no_classify=True, stdout=_Null())
    return content_dir


class _Null:
    def write(self, *args, **kwargs):
        return None

    def flush(self):
        return None


@pytest.fixture
def make_system(officer):
    def make(**overrides):
        data = {
            "name": overrides.pop("name", "Hiring screener"),
            "model_type": "ml_classifier",
            "roles": ["deployer"],
            "jurisdictions": ["DE"],
            "domains": ["employment"],
            "decision_role": "sole",
            "data_categories": ["employment"],
        }
        data.update(overrides)
        return ai_system_create(actor=officer, data=data)

    return make


@pytest.fixture
def real_content(db):
    """Every shipped regime version, loaded through the real command (no re-classification)."""
    call_command("load_content", no_classify=True, stdout=io.StringIO())
