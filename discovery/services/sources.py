"""Log sources and identity mappings: admin-managed configuration, audited like everything else."""

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, create_audited, snapshot, update_audited
from discovery.engine.parsers import FORMATS
from discovery.engine.parsers.dhcp import lease_format, parse_isc_leases, parse_windows_dhcp_audit
from discovery.engine.parsers.squidfmt import LogformatError, compile_logformat, normalise_logformat
from discovery.models import IdentityMapping, LogSource

IDENTITY_COLUMNS = ["kind", "identifier", "person", "team", "valid_from", "valid_to", "source"]
MAX_IDENTITY_BYTES = 20 * 1024 * 1024
MAX_REPORTED_ERRORS = 20
SOURCE_FIELDS = [
    "name", "kind", "format", "watch_path", "zscaler_feed", "squid_logformat",
    "use_identity_mapping", "pseudonymise", "active", "learning_days",
]  # fmt: skip


def _check_format(fmt: str, logformat: str = "") -> None:
    if logformat:
        try:
            compile_logformat(normalise_logformat(logformat)[1])
        except LogformatError as exc:
            raise ValidationError({"squid_logformat": f"Squid logformat: {exc}."}) from exc
    if not fmt:
        return
    if fmt not in FORMATS:
        raise ValidationError({"format": f"Unknown format {fmt!r}."})


@transaction.atomic
def log_source_create(*, actor, data: Mapping[str, Any]) -> LogSource:
    """A source remembers format, feed and privacy choices so every file from it is read alike."""
    source = LogSource(**{k: v for k, v in data.items() if k in SOURCE_FIELDS})
    _check_format(source.format, source.squid_logformat)
    return create_audited(
        source, actor=actor, action="discovery.source.create", fields=SOURCE_FIELDS
    )


@transaction.atomic
def log_source_update(*, actor, source: LogSource, data: Mapping[str, Any]) -> LogSource:
    before = snapshot(LogSource.objects.select_for_update().get(pk=source.pk), SOURCE_FIELDS)
    for key, value in data.items():
        if key in SOURCE_FIELDS:
            setattr(source, key, value)
    _check_format(source.format, source.squid_logformat)
    update_audited(
        source, actor=actor, action="discovery.source.update", before=before, fields=SOURCE_FIELDS
    )
    return source


@dataclass
class IdentityImport:
    created: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def tally(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.unchanged += 1

    def audit(self, *, actor, what: str) -> "IdentityImport":
        audit_record(
            actor=actor,
            action="discovery.identity.import",
            target_type="discovery.identitymapping",
            target_repr=what,
            changes={
                "created": [None, self.created],
                "unchanged": [None, self.unchanged],
                "skipped": [None, self.skipped],
            },
        )
        return self


def _when(value: str, row: int, column: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"row {row}: {column} {value!r} is not an ISO date/time") from exc
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _device_people() -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, host name or MAC) → (person, team), from the host and MAC rows of the mapping."""
    rows = IdentityMapping.objects.filter(
        kind__in=[IdentityMapping.Kind.HOST, IdentityMapping.Kind.MAC]
    ).values_list("kind", "identifier", "person", "team")
    return {(k, i.strip().lower()): (p, t) for k, i, p, t in rows}


def _leases_import(*, actor, text: str, fmt: str, server_tz: str) -> IdentityImport:
    """DHCP leases become IP rows valid for the lease, so a DNS client IP resolves to whoever
    held the address at the event's time (through the host or MAC rows to a person)."""
    if fmt == "isc":
        leases, skipped = parse_isc_leases(text)
    else:
        try:
            tz = ZoneInfo(server_tz or "UTC")
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"Unknown time zone {server_tz!r}.") from exc
        leases, skipped = parse_windows_dhcp_audit(text, tz=tz)
    devices = _device_people()
    result = IdentityImport(skipped=skipped)
    for lease in leases:
        person, team = (
            devices.get(("host", lease.hostname))
            or devices.get(("mac", lease.mac))
            or (f"host:{lease.hostname}" if lease.hostname else f"mac:{lease.mac}", "")
        )
        if person in ("mac:", "host:"):
            result.skipped += 1
            continue
        _, created = IdentityMapping.objects.get_or_create(
            kind=IdentityMapping.Kind.IP,
            identifier=lease.ip[:300],
            person=person[:200],
            valid_from=lease.starts,
            defaults={"team": team[:120], "valid_to": lease.ends, "source": f"dhcp-{fmt}"},
        )
        result.tally(created)
    return result.audit(actor=actor, what=f"DHCP leases ({fmt})")


@transaction.atomic
def identity_mapping_import(*, actor, fileobj: BinaryIO, server_tz: str = "UTC") -> IdentityImport:
    """Loads `kind,identifier,person,team,valid_from,valid_to,source`, or a DHCP lease export
    (ISC dhcpd.leases, Windows DHCP audit log in ``server_tz``); bad rows are counted, not fatal."""
    raw = fileobj.read(MAX_IDENTITY_BYTES + 1)
    if len(raw) > MAX_IDENTITY_BYTES:
        raise ValidationError("The identity mapping file is larger than 20 MB.")
    if b"\x00" in raw[:4096]:
        raise ValidationError("This is a binary file, not a CSV.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The CSV must be UTF-8 text.") from exc
    leases = lease_format(text)
    if leases:
        return _leases_import(actor=actor, text=text, fmt=leases, server_tz=server_tz)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("kind", "identifier", "person") if c not in header]
    if missing:
        raise ValidationError(
            f"Missing column(s): {', '.join(missing)}. Expected: {','.join(IDENTITY_COLUMNS)}."
        )
    reader.fieldnames = header
    result = IdentityImport()
    kinds = set(IdentityMapping.Kind.values)
    for number, row in enumerate(reader, start=2):
        try:
            kind = (row.get("kind") or "").strip().lower()
            identifier = (row.get("identifier") or "").strip()
            person = (row.get("person") or "").strip()
            if kind not in kinds:
                raise ValueError(
                    f"row {number}: kind {kind!r} is not one of {', '.join(sorted(kinds))}"
                )
            if not identifier or not person:
                raise ValueError(f"row {number}: identifier and person are required")
            valid_from = _when(row.get("valid_from"), number, "valid_from")
            valid_to = _when(row.get("valid_to"), number, "valid_to")
            if valid_from and valid_to and valid_to < valid_from:
                raise ValueError(f"row {number}: valid_to is before valid_from")
        except ValueError as exc:
            result.skipped += 1
            if len(result.errors) < MAX_REPORTED_ERRORS:
                result.errors.append(str(exc))
            continue
        _, created = IdentityMapping.objects.get_or_create(
            kind=kind,
            identifier=identifier[:300],
            person=person[:200],
            valid_from=valid_from,
            defaults={
                "team": (row.get("team") or "").strip()[:120],
                "valid_to": valid_to,
                "source": (row.get("source") or "").strip()[:60],
            },
        )
        result.tally(created)
    return result.audit(actor=actor, what="identity mapping CSV")
