"""Evidence packs: everyone with a role reads; auditors, compliance officers (and admins) export."""

from tests.matrix.common import API_READ, READ, Row, expect

EXPORT = expect(READ, procurement=403)
EXPORT_POST = expect(READ, compliance_officer=302, auditor=302, admin=302, procurement=403)
API_CREATE = expect(API_READ, compliance_officer=201, auditor=201, admin=201, procurement=403)
PUBLIC = dict.fromkeys(READ, 200)
SCOPE = {"regime": "eu", "period_from": "2026-01-01", "period_to": "2026-06-30"}


def _regime(users):
    from tests.regulations.factories import RegimeFactory

    RegimeFactory(code="eu")
    return {}


def _pack(users, *, done: bool = False):
    from django.conf import settings

    from evidence.models import EvidencePack
    from tests.evidence.factories import EvidencePackFactory

    pack = EvidencePackFactory(created_by=users["auditor"])
    if done:
        folder = settings.SIGHTLINE_STORAGE_DIR / "packs" / f"matrix-{pack.pk}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pack.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=EvidencePack.Status.DONE,
            zip_path=f"packs/matrix-{pack.pk}/pack.zip",
            progress=100,
        )
    return {"pk": pack.pk}


def _done_pack(users):
    return _pack(users, done=True)


def _failed_pack(users):
    from evidence.models import EvidencePack

    ctx = _pack(users)
    EvidencePack.objects.filter(pk=ctx["pk"]).update(status=EvidencePack.Status.FAILED)
    return ctx


def _key(users):
    from evidence.signing import ensure_signing_key

    ensure_signing_key()
    return {}


def _upload(ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"pack": SimpleUploadedFile("pack.zip", b"not a zip", content_type="application/zip")}


ROWS = [
    Row("evidence:pack-list", READ),
    Row("evidence:pack-create", EXPORT),
    Row("evidence:pack-create", EXPORT_POST, method="post", setup=_regime, data=SCOPE),
    Row("evidence:pack-detail", READ, setup=_pack, kwargs=lambda ctx: {"pk": ctx["pk"]}),
    Row("evidence:pack-progress", READ, setup=_pack, kwargs=lambda ctx: {"pk": ctx["pk"]}),
    Row(
        "evidence:pack-retry",
        EXPORT_POST,
        method="post",
        setup=_failed_pack,
        kwargs=lambda ctx: {"pk": ctx["pk"]},
        data={},
    ),
    Row(
        "evidence:pack-download",
        EXPORT,
        setup=_done_pack,
        kwargs=lambda ctx: {"pk": ctx["pk"], "kind": "zip"},
    ),
    Row("evidence:verify", READ, setup=_key),
    Row("evidence:verify", READ, method="post", setup=_key, data=_upload),
    Row("evidence:public-key", PUBLIC, setup=_key),
    Row("evidence:public-key-pem", PUBLIC, setup=_key),
    Row("api-evidence-pack-list", API_READ),
    Row(
        "api-evidence-pack-list",
        API_CREATE,
        method="post",
        setup=_regime,
        data=SCOPE,
        content_type="application/json",
    ),
    Row(
        "api-evidence-pack-detail",
        API_READ,
        setup=_pack,
        kwargs=lambda ctx: {"pk": ctx["pk"]},
    ),
]
