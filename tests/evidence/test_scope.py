"""Packs are scoped by the regimes in the content and say what the screens say."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from discovery.templatetags.discovery_tags import status_label
from evidence import demo
from evidence.collect import Scope, collect
from evidence.forms import PackCreateForm
from evidence.models import EvidencePack
from evidence.services import pack_create
from tests.conftest import PASSWORD
from tests.discovery.factories import (
    AppUsageTotalFactory,
    BlocklistEntryFactory,
    DiscoveredAppFactory,
    UsageRollupFactory,
)
from tests.factories import AISystemFactory
from tests.regulations.factories import DeadlineFactory, RegimeFactory

PERIOD = {"period_from": dt.date(2026, 1, 1), "period_to": dt.date(2026, 6, 30)}
pytestmark = pytest.mark.django_db


@pytest.fixture
def regimes():
    """A state law the old fixed list left out, and a voluntary framework."""
    return [
        RegimeFactory(code="ca-sb53", name="California SB 53 (frontier AI)"),
        RegimeFactory(code="general", name="Voluntary frameworks"),
    ]


def test_a_pack_can_be_scoped_to_any_regime_in_the_content(auditor, regimes):
    for regime in regimes:
        pack = pack_create(actor=auditor, regime=regime.code, queue=False, **PERIOD)
        assert pack.regime == regime.code
        assert pack.regime_label == regime.name
        data = collect(Scope(pack.regime, None, pack.period_from, pack.period_to))
        assert data.regimes == [{"code": regime.code, "name": regime.name}]


def test_a_regime_not_in_the_content_is_refused_with_a_message(auditor, regimes):
    with pytest.raises(ValidationError) as exc:
        pack_create(actor=auditor, regime="zz", queue=False, **PERIOD)
    assert "No regime 'zz' is loaded" in exc.value.message_dict["regime"][0]


def test_api_refuses_an_unknown_regime_with_400(client, auditor, regimes):
    client.login(username=auditor.username, password=PASSWORD)
    response = client.post(
        "/api/evidence-packs/",
        {"regime": "zz", "period_from": "2026-01-01", "period_to": "2026-06-30"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "regime" in response.json()


def test_form_offers_every_regime_in_the_content(regimes):
    choices = dict(PackCreateForm().fields["regime"].choices)
    assert choices == {
        "": "All regimes",
        "ca-sb53": "California SB 53 (frontier AI)",
        "general": "Voluntary frameworks",
    }


def test_pack_list_shows_the_regime_name_from_the_content(client, auditor, regimes):
    pack_create(actor=auditor, regime="ca-sb53", queue=False, **PERIOD)
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(reverse("evidence:pack-list"))
    assert "California SB 53 (frontier AI)" in response.content.decode()


def _usage(*, app_key: str = "", host: str = "", name: str, system=None, day: dt.date):
    """What ingestion leaves for one app: the discovered app, a day's rollup and the totals."""
    rollup = UsageRollupFactory(app_key=app_key, host=host, day=day)
    seen = {"first_seen": rollup.first_seen, "last_seen": rollup.last_seen}
    DiscoveredAppFactory(app_key=app_key, host=host, name=name, system=system, **seen)
    AppUsageTotalFactory(app_key=app_key, host=host, **seen)


def test_pack_calls_each_app_what_the_discovered_ai_page_does(client, officer):
    day = dt.date(2026, 3, 1)
    _usage(app_key="chatgpt", name="ChatGPT", system=AISystemFactory(), day=day)
    _usage(app_key="deepseek", name="DeepSeek", day=day)
    _usage(host="llm.example.net", name="llm.example.net", day=day)
    BlocklistEntryFactory(domain="llm.example.net")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("discovery:app-list"))
    on_screen = {r["name"]: status_label(r["status"]) for r in page.context["rows"]}
    data = collect(Scope("", None, **PERIOD))
    in_pack = {a["name"]: a["status_label"] for a in data.discovery["apps"]}
    assert in_pack == on_screen
    assert set(in_pack.values()) == {"Sanctioned", "Not reviewed", "Blocked"}


def test_pack_deadline_status_uses_the_deadline_list_words(client, officer):
    system = AISystemFactory()
    RegimeFactory(code="eu")
    due = timezone.localdate() + dt.timedelta(days=10)
    DeadlineFactory(due_date=due, system=system, regime_code="eu")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("regulations:deadline-list"))
    assert "Due in 30 days" in page.content.decode()
    data = collect(Scope("eu", None, due - dt.timedelta(days=100), timezone.localdate()))
    [deadline] = data.systems[0].deadlines_unlinked
    assert (deadline["status"], deadline["status_label"]) == ("due_30", "Due in 30 days")


def test_demo_pack_covers_all_regimes_when_the_eu_content_is_not_loaded(storage_dir, auditor):
    AISystemFactory()
    out = io.StringIO()
    demo.seed(stdout=out)
    pack = EvidencePack.objects.get()
    assert (pack.regime, pack.status) == ("", EvidencePack.Status.DONE)
    assert "regime 'eu' is not loaded" in out.getvalue()
