"""Possible-AI heuristics: local, internal, reverse-DNS and address names never qualify, a bare
"chat" does not either, and a hit is a review item until an officer confirms it."""

import pytest

from core.models import AuditEntry
from discovery.engine.matching import heuristics, host_can_be_possible_ai
from discovery.models import DiscoveredApp, Finding
from discovery.services.triage import finding_confirm_ai, finding_sanction
from tests.discovery.conftest import SQUID


@pytest.mark.parametrize(
    "host",
    [
        "llm.local",
        "gpt-box.lan",
        "inference.internal",
        "ip-10-0-0-5.ec2.internal",
        "llm.corp.home.arpa",
        "5.2.0.192.in-addr.arpa",
        "b.a.9.8.ip6.arpa",
        "192.168.1.10",
        "10.20.30.40",
        "ip-192-168-1-10.example.com",
        "llm-172-16-0-9.example.com",
        "localhost",
        "copilot",
    ],
)
def test_local_reverse_and_address_names_never_qualify(host):
    assert not host_can_be_possible_ai(host)
    assert heuristics(host, "/v1/chat/completions", "POST", "openai-python/1.0", "") == []


@pytest.mark.parametrize(
    "host", ["chat.example.com", "livechat.example.net", "chatserver.example.org"]
)
def test_a_bare_chat_token_is_not_an_ai_label(host):
    assert heuristics(host, "/", "GET", "Mozilla/5.0", "") == []


@pytest.mark.parametrize(
    "host, codes",
    [
        ("llm-gw.partner.example.net", ["H5"]),
        ("ai-gateway.example.com", ["H5"]),
        ("chatgpt-proxy.example.com", ["H5"]),
        ("api.example.ai", ["H5"]),
        ("api.10x.example.com", []),
    ],
)
def test_public_ai_like_names_still_qualify(host, codes):
    assert heuristics(host, "/", "GET", "", "") == codes


def test_a_public_host_with_an_api_path_qualifies_even_without_an_ai_label():
    assert heuristics("gw.partner.example.net", "/v1/chat/completions", "POST", "", "") == ["H1"]


def _possible(ingest):
    ingest(SQUID)
    return Finding.objects.get(kind=Finding.Kind.POSSIBLE_AI, host="llm-gw.partner.example.net")


def test_a_heuristic_hit_is_not_a_discovered_app_until_confirmed(ingest, officer):
    finding = _possible(ingest)
    assert not DiscoveredApp.objects.filter(host=finding.host).exists()
    app = finding_confirm_ai(finding=finding, actor=officer)
    assert (app.app_key, app.host) == ("", "llm-gw.partner.example.net")
    finding.refresh_from_db()
    assert finding.evidence["confirmed"] is True and finding.is_open
    entry = AuditEntry.objects.get(action="discovery.finding.confirm_ai")
    assert entry.changes["discovered_app"] == [None, app.pk]


def test_a_confirmed_host_is_touched_by_later_runs(ingest, officer, tmp_path):
    finding = _possible(ingest)
    app = finding_confirm_ai(finding=finding, actor=officer)
    first = app.last_seen
    line = [x for x in SQUID.read_text().splitlines() if "llm-gw.partner.example.net" in x][-1]
    ts, rest = line.split(" ", 1)
    later = tmp_path / "later.log"
    later.write_text(f"{float(ts) + 2 * 86400:.3f} {rest}\n")
    ingest(later)
    app.refresh_from_db()
    assert app.last_seen > first


def test_only_possible_ai_items_can_be_confirmed(ingest, officer):
    from django.core.exceptions import ValidationError

    ingest(SQUID)
    other = Finding.objects.exclude(kind=Finding.Kind.POSSIBLE_AI).first()
    with pytest.raises(ValidationError):
        finding_confirm_ai(finding=other, actor=officer)
    assert not AuditEntry.objects.filter(action="discovery.finding.confirm_ai").exists()


def test_sanctioning_a_review_item_confirms_it(ingest, officer):
    finding = _possible(ingest)
    system = finding_sanction(finding=finding, actor=officer)
    app = DiscoveredApp.objects.get(host=finding.host)
    assert app.system == system
