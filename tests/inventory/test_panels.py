"""The detail page's panel hook (AppConfig.system_panel), exercised with stand-in panels."""

import pytest
from django.apps import apps
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_panels(monkeypatch, settings, tmp_path):
    """Two apps provide panels (one returns None) with templates that show what they were given."""
    folder = tmp_path / "evidence" / "partials"
    folder.mkdir(parents=True)
    (folder / "system_panel.html").write_text(
        '<div id="fake-panel">{{ note }}|{{ system.name }}|{{ user.username }}|'
        "{% if perms.inventory.change_aisystem %}can-edit{% else %}read-only{% endif %}</div>"
    )
    settings.TEMPLATES = [
        dict(settings.TEMPLATES[0], DIRS=[tmp_path, *settings.TEMPLATES[0]["DIRS"]])
    ]
    seen = []

    def evidence_panel(*, request, system):
        seen.append(("evidence", system.pk))
        return {"note": "hello", "system": "shadowed by the real system"}

    def discovery_panel(*, request, system):
        seen.append(("discovery", system.pk))
        return

    for label, panel in (("evidence", evidence_panel), ("discovery", discovery_panel)):
        monkeypatch.setattr(apps.get_app_config(label), "system_panel", panel, raising=False)
    return seen


def test_panels_render_below_the_facts_with_request_context(client, officer, auditor, fake_panels):
    system = AISystemFactory(name="Scorer")
    client.login(username=officer.username, password=PASSWORD)
    body = client.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert '<div id="fake-panel">hello|Scorer|officer|can-edit</div>' in body
    assert body.index("fake-panel") > body.index("Data processed") and body.index(
        "fake-panel"
    ) < body.index("Change history")
    assert ("discovery", system.pk) in fake_panels and ("evidence", system.pk) in fake_panels
    client.logout()
    client.login(username=auditor.username, password=PASSWORD)
    body = client.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert "hello|Scorer|auditor|read-only" in body
