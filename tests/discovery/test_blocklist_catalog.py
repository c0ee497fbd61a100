"""Blocklist exports and the catalogue loader."""

import datetime as dt
import re

import pytest
from django.core.management.base import CommandError

from discovery.blocklist import export_domains, export_rpz, export_squid
from discovery.catalog_loader import catalog_paths, load_catalog
from discovery.models import CatalogApp, CatalogHost, CatalogVersion

DOMAINS = [
    "claude.ai",
    "api.claude.ai",
    "chat.deepseek.com",
    "bad domain",
    "x",
    "Chat.DeepSeek.com.",
]


def test_plain_export_is_one_valid_domain_per_line_without_covered_subdomains():
    assert export_domains(DOMAINS) == "chat.deepseek.com\nclaude.ai\n"


def test_squid_acl_uses_dstdomain_with_leading_dot():
    text = export_squid(DOMAINS)
    acl = [line for line in text.splitlines() if not line.startswith("#")]
    assert acl == [
        "acl sightline_blocked_ai dstdomain .chat.deepseek.com",
        "acl sightline_blocked_ai dstdomain .claude.ai",
    ]
    assert "http_access deny sightline_blocked_ai" in text


def test_rpz_zone_has_soa_ns_and_nxdomain_rules():
    text = export_rpz(DOMAINS, now=dt.datetime(2026, 11, 24, 3, tzinfo=dt.UTC))
    lines = text.splitlines()
    assert lines[0] == "$ORIGIN rpz.sightline.local."
    assert lines[1].startswith("$TTL ")
    soa = re.match(r"^@ IN SOA (\S+\.) (\S+\.) \( (\d+) (\d+) (\d+) (\d+) (\d+) \)$", lines[2])
    assert soa and soa.group(3) == "2026112403" and int(soa.group(3)) < 2**32
    assert re.match(r"^@ IN NS \S+\.$", lines[3])
    assert "claude.ai CNAME ." in lines and "*.claude.ai CNAME ." in lines
    assert not any("bad domain" in line for line in lines)
    # Owner names are relative to $ORIGIN (no trailing dot), so they land inside the policy zone.
    assert all(not line.split()[0].endswith(".") for line in lines[4:])


def test_blocklist_export_views(client, officer, db):
    from django.urls import reverse

    from discovery.models import BlocklistEntry
    from tests.conftest import PASSWORD

    BlocklistEntry.objects.create(domain="claude.ai")
    client.login(username=officer.username, password=PASSWORD)
    squid = client.get(
        reverse("discovery:blocklist-export", kwargs={"fmt": "squid"}) + "?download=1"
    )
    assert squid.status_code == 200 and b"dstdomain .claude.ai" in squid.content
    assert "attachment" in squid["Content-Disposition"]
    assert (
        client.get(reverse("discovery:blocklist-export", kwargs={"fmt": "nope"})).status_code == 404
    )


def test_catalog_loads_once_and_is_idempotent(db):
    load_catalog()
    versions = CatalogVersion.objects.count()
    apps = CatalogApp.objects.count()
    load_catalog()
    assert CatalogVersion.objects.count() == versions == len(catalog_paths())
    assert CatalogApp.objects.count() == apps >= 150
    assert CatalogHost.objects.filter(host="generativelanguage.googleapis.com").exists()
    assert not CatalogHost.objects.filter(host="googleapis.com", kind="exact").exists()


def test_catalog_check_only_validates(db, capsys):
    import io

    out = io.StringIO()
    load_catalog(check=True, stdout=out)
    assert "OK" in out.getvalue()
    assert CatalogVersion.objects.count() == 0


def test_catalog_edited_after_loading_is_refused(db, tmp_path):
    path = tmp_path / "2030-01.yaml"
    path.write_text("version: 2030-01\nservices:\n- {key: a, name: A, hosts: [a.example]}\n")
    load_catalog(paths=[path])
    path.write_text("version: 2030-01\nservices:\n- {key: a, name: A2, hosts: [a.example]}\n")
    with pytest.raises(CommandError, match="already loaded with different content"):
        load_catalog(paths=[path])
    assert CatalogApp.objects.get(key="a").name == "A"


def test_catalog_error_names_file_and_entry(db, tmp_path):
    path = tmp_path / "2030-02.yaml"
    path.write_text("services:\n- {key: a, name: A}\n- {key: b, hosts: [b.example]}\n")
    with pytest.raises(CommandError, match=r"2030-02.yaml: apps\[1\].name"):
        load_catalog(paths=[path])
    assert CatalogVersion.objects.count() == 0
