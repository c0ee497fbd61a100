"""factory_boy factories for evidence packs (build them through pack_create when the audit matters)."""

import datetime as dt

import factory

from evidence.models import EvidencePack
from evidence.zipwriter import PackWriter

PACK_FILES = {
    "pack.pdf": b"%PDF-1.7 fake but hashed",
    "inventory.csv": b"name,vendor\nHireBot,Acme\n",
    "evidence/Acme/Model card/card.txt": b"model card text" * 100,
}


def build_pack(path, files: dict[str, bytes]):
    """A small signed pack ZIP holding `files`, as the builder seals a real one."""
    writer = PackWriter(path)
    for name, data in files.items():
        writer.add_bytes(name, data)
    writer.finish(pack={"id": 1, "title": "test"}, pdf_name="pack.pdf")
    return path


class EvidencePackFactory(factory.django.DjangoModelFactory):
    """A queued EU pack for the first half of 2026, the period the pack tests' world fills."""

    class Meta:
        model = EvidencePack

    regime = "eu"
    period_from = dt.date(2026, 1, 1)
    period_to = dt.date(2026, 6, 30)
