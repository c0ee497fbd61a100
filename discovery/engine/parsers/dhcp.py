"""DHCP lease exports → (IP, valid from, valid to, MAC, host name), for joining DNS client IPs
to people by event time (reference section 5).

ISC ``dhcpd.leases`` blocks carry UTC ``starts``/``ends``; a Windows DHCP Server audit log is a
CSV (``ID,Date,Time,Description,IP Address,Host Name,MAC Address,…``) in the server's local
time, where ID 10 is a new lease, 11 a renewal and 12 a release: a lease lasts until its
release, or until the address is leased to another machine. Pure: no Django.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

WINDOWS_HEADER = re.compile(r"^ID,Date,Time,Description,IP Address,Host Name,MAC Address", re.M)
ISC_LEASE = re.compile(r"^\s*lease\s+([0-9a-fA-F.:]+)\s*\{(.*?)^\s*\}", re.M | re.S)
ISC_TIME = re.compile(r"^\s*(starts|ends)\s+\d\s+(\d{4}/\d{2}/\d{2}\s+\d{2}:\d{2}:\d{2})\s*;", re.M)
ISC_MAC = re.compile(r"^\s*hardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;", re.M)
ISC_HOST = re.compile(r'^\s*client-hostname\s+"([^"]*)"\s*;', re.M)
ISC_BINDING = re.compile(r"^\s*binding\s+state\s+(\w+)\s*;", re.M)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOWS_LEASE, WINDOWS_RENEW, WINDOWS_RELEASE = "10", "11", "12"


@dataclass(frozen=True, slots=True)
class Lease:
    """One address held by one machine for a time (None = open-ended)."""

    ip: str
    starts: datetime | None
    ends: datetime | None
    mac: str = ""
    hostname: str = ""


def lease_format(text: str) -> str:
    """'isc', 'windows' or '' for text that is neither lease export."""
    if WINDOWS_HEADER.search(text[:20000]):
        return "windows"
    if ISC_LEASE.search(text[:200000]):
        return "isc"
    return ""


def parse_isc_leases(text: str) -> tuple[list[Lease], int]:
    """(leases, blocks skipped). A later block for the same address and start wins, as in
    dhcpd.leases itself (the file is appended to); free or abandoned bindings are skipped."""
    found: dict[tuple[str, datetime | None], Lease] = {}
    skipped = 0
    for m in ISC_LEASE.finditer(text):
        ip, body = m.group(1), m.group(2)
        state = ISC_BINDING.search(body)
        if state and state.group(1).lower() in {"free", "abandoned", "backup"}:
            skipped += 1
            continue
        times = {}
        for t in ISC_TIME.finditer(body):
            with contextlib.suppress(ValueError):
                times[t.group(1)] = datetime.strptime(t.group(2) + " +0000", "%Y/%m/%d %H:%M:%S %z")
        if "starts" not in times:
            skipped += 1
            continue
        mac = ISC_MAC.search(body)
        host = ISC_HOST.search(body)
        lease = Lease(
            ip=ip,
            starts=times["starts"],
            ends=times.get("ends"),
            mac=mac.group(1).lower() if mac else "",
            hostname=host.group(1).strip().lower() if host else "",
        )
        found[(ip, lease.starts)] = lease
    return sorted(found.values(), key=lambda x: (x.ip, x.starts or EPOCH)), skipped


def parse_windows_dhcp_audit(text: str, *, tz: tzinfo = UTC) -> tuple[list[Lease], int]:
    """(leases, rows skipped) from a Windows DHCP audit log in the server's time zone ``tz``."""
    start = WINDOWS_HEADER.search(text)
    if not start:
        return [], 0
    reader = csv.reader(io.StringIO(text[start.start() :]))
    next(reader, None)
    skipped = 0
    events: list[tuple[str, datetime, str, str, str]] = []
    for row in reader:
        if len(row) < 7 or not row[0].strip().isdigit():
            skipped += 1 if any(c.strip() for c in row) else 0
            continue
        eid, date, time, _desc, ip, host, mac = (c.strip() for c in row[:7])
        if eid not in (WINDOWS_LEASE, WINDOWS_RENEW, WINDOWS_RELEASE) or not ip:
            continue
        try:
            naive = datetime.strptime(f"{date} {time}", "%m/%d/%y %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            skipped += 1
            continue
        events.append(
            (ip, naive.replace(tzinfo=tz).astimezone(UTC), eid, mac.lower(), host.lower())
        )
    events.sort(key=lambda e: (e[0], e[1]))
    leases: list[Lease] = []
    open_: dict[str, tuple[datetime, str, str]] = {}
    for ip, when, eid, mac, host in events:
        held = open_.get(ip)
        if eid == WINDOWS_RELEASE:
            if held:
                leases.append(Lease(ip, held[0], when, held[1], held[2]))
                del open_[ip]
            continue
        if held and (held[1], held[2]) == (mac, host):
            continue  # a renewal by the same machine extends the open lease
        if held:
            leases.append(Lease(ip, held[0], when - timedelta(seconds=1), held[1], held[2]))
        open_[ip] = (when, mac, host)
    leases += [Lease(ip, s, None, mac, host) for ip, (s, mac, host) in open_.items()]
    return sorted(leases, key=lambda x: (x.ip, x.starts or EPOCH)), skipped
