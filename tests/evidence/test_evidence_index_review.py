"""The PDF evidence index says per file whether it was accepted, rejected or had expired."""

import datetime as dt
from types import SimpleNamespace

from django.template.loader import render_to_string

from evidence.collect.base import EvidenceRef

END = dt.date(2026, 6, 30)


def _ref(name, **kw) -> EvidenceRef:
    base = {
        "pk": 1,
        "name": name,
        "content_type": "application/pdf",
        "size": 10,
        "sha256": "0" * 64,
        "uploaded_by": "buyer",
        "uploaded_at": None,
        "effective_date": None,
        "expiry_date": None,
        "vendor": "V",
        "system": "S",
        "item": "I",
        "as_of": END,
    }
    return EvidenceRef(**{**base, **kw})


REFS = [
    _ref("ok.pdf", review_status="Accepted", expiry_date=dt.date(2027, 1, 1)),
    _ref("bad.pdf", review_status="Rejected"),
    _ref("old.pdf", review_status="Accepted", expiry_date=dt.date(2026, 3, 1)),
    _ref("v1.pdf", review_status="Accepted", superseded=True),
    _ref("new.pdf"),
]


def test_each_file_gets_its_standing_at_the_end_of_the_period():
    assert [r.verdict for r in REFS] == [
        "Accepted",
        "Rejected",
        "Expired",
        "Superseded",
        "Not reviewed",
    ]
    # Expired is judged on the pack's last day, not today.
    assert _ref("x.pdf", expiry_date=dt.date(2026, 7, 1), review_status="Accepted").verdict == (
        "Accepted"
    )


def test_the_index_prints_a_review_column():
    html = render_to_string(
        "evidence/pdf/evidence_index.html",
        {"data": SimpleNamespace(evidence=REFS, notes={}), "evidence_missing": 0},
    )
    cells = [c.strip() for c in html.split('<td class="verdict">')[1:]]
    assert [c.split("<", 1)[0] for c in cells] == [
        "Accepted",
        "Rejected",
        "Expired",
        "Superseded",
        "Not reviewed",
    ]
    assert "<th>Review</th>" in html
