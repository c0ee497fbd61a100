"""Identity mapping by event time: DHCP leases (ISC dhcpd.leases, Windows DHCP audit log) and
CSV rows with validity windows join a DNS client IP to the person who held it at that moment."""

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from core.models import AuditEntry
from discovery.demo import DEMO_DIR
from discovery.engine.parsers.dhcp import (
    lease_format,
    parse_isc_leases,
    parse_windows_dhcp_audit,
)
from discovery.engine.pipeline import IdentityResolver
from discovery.models import IdentityMapping, UsageRollup
from discovery.services.sources import identity_mapping_import

UTC = dt.UTC
ISC = (DEMO_DIR / "dhcpd.leases").read_text()
WINDOWS = """\
\t\tMicrosoft DHCP Service Activity Log

Event ID  Meaning
00\tThe log was started.
10\tA new IP address was leased to a client.

ID,Date,Time,Description,IP Address,Host Name,MAC Address,User Name, TransactionID, QResult,Probationtime, CorrelationID,Dhcid,VendorClass(Hex),VendorClass(ASCII),UserClass(Hex),UserClass(ASCII),RelayAgentInformation,DnsRegError.
00,11/17/26,08:00:00,Started,,,,,0,6,,,,,,,,,0
10,11/17/26,09:00:00,Assign,192.0.2.40,lt-ivan.example.com,00005e00530a,,1,0,,,,,,,,,0
11,11/17/26,13:00:00,Renew,192.0.2.40,lt-ivan.example.com,00005e00530a,,2,0,,,,,,,,,0
12,11/17/26,17:00:00,Release,192.0.2.40,lt-ivan.example.com,00005e00530a,,3,0,,,,,,,,,0
10,11/17/26,17:30:00,Assign,192.0.2.40,lt-judy.example.com,00005e00530b,,4,0,,,,,,,,,0
10,bad-date,17:30:00,Assign,192.0.2.41,x,y,,4,0,,,,,,,,,0
"""


def t(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


def test_formats_are_told_apart():
    assert lease_format(ISC) == "isc"
    assert lease_format(WINDOWS) == "windows"
    assert lease_format("kind,identifier,person\nip,192.0.2.1,a@example.com\n") == ""


def test_isc_leases_keep_active_bindings_with_their_windows():
    leases, skipped = parse_isc_leases(ISC)
    assert skipped == 1  # the free binding
    assert [(x.ip, x.hostname, x.starts, x.ends) for x in leases] == [
        ("192.0.2.30", "lt-ivan", t("2026-11-16T07:58:00"), t("2026-11-16T19:58:00")),
        ("192.0.2.30", "lt-judy", t("2026-11-17T08:03:00"), t("2026-11-17T20:03:00")),
    ]


def test_windows_audit_log_leases_last_until_release_in_the_servers_time_zone():
    leases, skipped = parse_windows_dhcp_audit(WINDOWS, tz=ZoneInfo("Europe/Berlin"))
    assert skipped == 1
    assert [(x.hostname, x.starts, x.ends) for x in leases] == [
        ("lt-ivan.example.com", t("2026-11-17T08:00:00"), t("2026-11-17T16:00:00")),
        ("lt-judy.example.com", t("2026-11-17T16:30:00"), None),
    ]


def test_resolver_picks_the_holder_at_the_events_time():
    day1 = t("2026-11-16T12:00:00").timestamp()
    day2 = t("2026-11-17T12:00:00").timestamp()
    windows = [(day1 - 3600, day1 + 3600, "ivan@example.com"), (day2 - 3600, day2 + 3600, "judy@example.com")]  # fmt: skip
    resolve = IdentityResolver({"192.0.2.30": windows, "192.0.2.9": "static@example.com"}, None)
    assert resolve("", "192.0.2.30", day1) == "ivan@example.com"
    assert resolve("", "192.0.2.30", day2) == "judy@example.com"
    assert resolve("", "192.0.2.30", day2 + 86400) == "ip:192.0.2.30"
    assert resolve("", "192.0.2.9", day2) == "static@example.com"


@pytest.mark.django_db
def test_leases_import_resolves_devices_to_people_and_is_audited(officer):
    IdentityMapping.objects.create(kind="host", identifier="lt-ivan", person="ivan@example.com", team="Engineering")  # fmt: skip
    IdentityMapping.objects.create(kind="mac", identifier="00:00:5e:00:53:0b", person="judy@example.com")  # fmt: skip
    result = identity_mapping_import(actor=officer, fileobj=io.BytesIO(ISC.encode()))
    assert (result.created, result.skipped) == (2, 1)
    rows = IdentityMapping.objects.filter(kind="ip").order_by("valid_from")
    assert [(r.person, r.team, r.valid_from, r.valid_to) for r in rows] == [
        ("ivan@example.com", "Engineering", t("2026-11-16T07:58:00"), t("2026-11-16T19:58:00")),
        ("judy@example.com", "", t("2026-11-17T08:03:00"), t("2026-11-17T20:03:00")),
    ]
    assert AuditEntry.objects.filter(action="discovery.identity.import").count() == 1
    again = identity_mapping_import(actor=officer, fileobj=io.BytesIO(ISC.encode()))
    assert (again.created, again.unchanged) == (0, 2)


@pytest.mark.django_db
def test_an_unknown_time_zone_is_a_clear_error(officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown time zone"):
        identity_mapping_import(
            actor=officer, fileobj=io.BytesIO(WINDOWS.encode()), server_tz="Mars/Olympus"
        )


def test_dns_queries_from_one_address_count_for_whoever_held_it(ingest, officer, tmp_path):
    """One person is one user across sources: the DNS client IP joins the proxy user name."""
    IdentityMapping.objects.create(kind="host", identifier="lt-ivan", person="ivan@example.com")
    IdentityMapping.objects.create(kind="host", identifier="lt-judy", person="judy@example.com")
    IdentityMapping.objects.create(kind="user", identifier="judy", person="judy@example.com")
    identity_mapping_import(actor=officer, fileobj=io.BytesIO(ISC.encode()))
    day1 = t("2026-11-16T10:00:00").timestamp()
    day2 = t("2026-11-17T10:00:00").timestamp()
    dns = tmp_path / "dns.log"
    dns.write_text(
        "".join(
            json.dumps({"ts": ts, "uid": f"C{i}", "id.orig_h": "192.0.2.30", "id.orig_p": 5353,
                        "id.resp_h": "192.0.2.53", "id.resp_p": 53, "proto": "udp",
                        "query": "claude.ai", "qtype_name": "A", "rcode_name": "NOERROR",
                        "_path": "dns"}) + "\n"
            for i, ts in enumerate([day1, day1 + 60, day2])
        )
    )  # fmt: skip
    proxy = tmp_path / "access.log"
    proxy.write_text(
        f"{day2 + 120:.3f}    100 192.0.2.99 TCP_TUNNEL/200 500 CONNECT claude.ai:443 judy "
        "HIER_DIRECT/198.51.100.20 -\n"
    )
    ingest(dns)
    ingest(proxy)
    who = dict(
        UsageRollup.objects.filter(app_key="claude")
        .values_list("identity")
        .annotate(n=Sum("requests"))
    )
    assert who == {"ivan@example.com": 2, "judy@example.com": 2}
