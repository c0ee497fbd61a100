"""Shared helpers for the golden-file tests (also used once to write the expected files)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from discovery.engine.parsers.reader import iter_records
from discovery.engine.parsers.records import SkipCounter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OPTIONS = {
    "bind9": {"ref_date": "2024-05-07"},
    "dnsmasq": {"ref_date": "2024-05-07"},
    # the log source's logformat line (tests/discovery/real_shapes/README.md)
    "squid_logformat": {
        "logformat": "logformat sightline %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %>st %rm %ru %[un "
        '%Sh/%<a %mt "%{User-Agent}>h"'
    },
}


def inputs() -> list[tuple[str, Path]]:
    """(format, input file) pairs: every non-expected file under tests/fixtures/<format>/."""
    out = []
    for d in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for f in sorted(d.rglob("*")):
            if f.is_file() and not f.name.endswith(".expected.json") and "Digest" not in str(f):
                out.append((d.name, f))
    return out


def actual(fmt: str, path: Path) -> dict:
    """Records and skip counts, with raw_ref reduced to the byte offset (path independent)."""
    skips = SkipCounter()
    rows = []
    for rec in iter_records(path, fmt=fmt, skips=skips, options=OPTIONS.get(fmt)):
        d = dataclasses.asdict(rec)
        d["raw_ref"] = d["raw_ref"].rsplit(":", 1)[-1].rsplit("@", 1)[-1].rsplit("#", 1)[-1]
        for key, value in d.items():  # tuples (DNS answers, OAuth scopes) are lists in JSON
            if isinstance(value, tuple):
                d[key] = list(value)
        rows.append(d)
    return {"records": rows, "skipped": dict(sorted(skips.counts.items()))}


def expected_path(path: Path) -> Path:
    return path.with_name(path.name + ".expected.json")


if __name__ == "__main__":  # regenerate after reviewing a parser change by hand
    for fmt, p in inputs():
        expected_path(p).write_text(json.dumps(actual(fmt, p), indent=1, sort_keys=True) + "\n")
        sys.stdout.write(f"{fmt} {p.name}\n")
