"""Blocklist exports in the three shapes proxies and resolvers read: plain, Squid ACL, DNS RPZ."""

import datetime as dt
import re

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def _minimal(domains: list[str]) -> list[str]:
    """Drops names covered by a listed parent: Squid warns on overlaps and RPZ wildcards cover them."""
    clean = sorted(
        {
            d.strip().lower().rstrip(".")
            for d in domains
            if valid_domain(d.strip().lower().rstrip("."))
        }
    )
    keep = []
    for d in clean:
        parts = d.split(".")
        if any(".".join(parts[i:]) in clean for i in range(1, len(parts) - 1)):
            continue
        keep.append(d)
    return keep


def export_domains(domains: list[str]) -> str:
    return "".join(f"{d}\n" for d in _minimal(domains))


def export_squid(domains: list[str], *, acl_name: str = "sightline_blocked_ai") -> str:
    """A leading dot makes Squid match the domain and every subdomain."""
    lines = [
        "# Sightline blocklist: AI services blocked after triage.",
        f"# Use with: http_access deny {acl_name}",
    ]
    lines += [f"acl {acl_name} dstdomain .{d}" for d in _minimal(domains)]
    return "\n".join(lines) + "\n"


def export_rpz(
    domains: list[str], *, origin: str = "rpz.sightline.local", now: dt.datetime | None = None
) -> str:
    """An RPZ zone answering NXDOMAIN (CNAME .) for each domain and its subdomains."""
    now = now or dt.datetime.now(dt.UTC)
    serial = int(now.strftime("%Y%m%d")) * 100 + now.hour  # YYYYMMDDnn fits 32 bits
    lines = [
        f"$ORIGIN {origin}.",
        "$TTL 300",
        f"@ IN SOA localhost. hostmaster.localhost. ( {serial} 3600 600 604800 300 )",
        "@ IN NS localhost.",
    ]
    for d in _minimal(domains):
        lines.append(f"{d} CNAME .")
        lines.append(f"*.{d} CNAME .")
    return "\n".join(lines) + "\n"


EXPORTS = {
    "domains": (export_domains, "sightline-blocklist.txt"),
    "squid": (export_squid, "sightline-blocklist.squid.acl"),
    "rpz": (export_rpz, "sightline-blocklist.rpz.zone"),
}
