from tests.matrix.common import READ, Row, expect

DENY = {"procurement": 403, "auditor": 403, "norole": 403}
SYSTEM_WRITE = expect(READ, **DENY)  # compliance officer and admin
SYSTEM_WRITE_DONE = expect(SYSTEM_WRITE, compliance_officer=302, admin=302)
VENDOR_WRITE = expect(READ, auditor=403, norole=403)  # officer, procurement, admin
VENDOR_WRITE_DONE = expect(VENDOR_WRITE, compliance_officer=302, procurement=302, admin=302)
VENDOR_DELETE = expect(READ, compliance_officer=403, auditor=403, norole=403)
VENDOR_DELETE_DONE = expect(VENDOR_DELETE, procurement=302, admin=302)
EXPORT = expect(READ, procurement=403)

SYSTEM_FORM = {
    "name": "Matrix system", "model_type": "ml_classifier", "lifecycle": "planned",
    "sanction_status": "under_review", "origin": "declared", "decision_role": "none",
}  # fmt: skip


def system(users):
    from tests.factories import AISystemFactory

    return {"pk": AISystemFactory().pk}


def vendor(users):
    from tests.factories import VendorFactory

    return {"pk": VendorFactory().pk}


pk = lambda ctx: {"pk": ctx["pk"]}  # noqa: E731

ROWS = [
    Row("inventory:system-list", READ),
    Row("inventory:system-list", READ, query="?jurisdiction=EU&o=-vendor&lifecycle=in_use"),
    Row("inventory:system-detail", READ, setup=system, kwargs=pk),
    Row("inventory:system-create", SYSTEM_WRITE),
    Row("inventory:system-create", SYSTEM_WRITE_DONE, method="post", data=SYSTEM_FORM),
    Row(
        "inventory:system-validate",
        SYSTEM_WRITE,
        method="post",
        data={"name": "", "_field": "name"},
    ),
    Row("inventory:system-edit", SYSTEM_WRITE, setup=system, kwargs=pk),
    Row(
        "inventory:system-edit",
        SYSTEM_WRITE_DONE,
        method="post",
        setup=system,
        kwargs=pk,
        data=SYSTEM_FORM,
    ),
    Row("inventory:system-delete", SYSTEM_WRITE, setup=system, kwargs=pk),
    Row(
        "inventory:system-delete",
        SYSTEM_WRITE_DONE,
        method="post",
        setup=system,
        kwargs=pk,
        data={},
    ),
    Row("inventory:system-export", EXPORT, setup=system),
    Row("inventory:system-export", EXPORT, setup=system, query="?format=xlsx"),
    Row("inventory:system-import", SYSTEM_WRITE),
    Row("inventory:system-import", SYSTEM_WRITE, method="post", data={}),
    Row("inventory:vendor-list", READ),
    Row("inventory:vendor-detail", READ, setup=vendor, kwargs=pk),
    Row("inventory:vendor-create", VENDOR_WRITE),
    Row(
        "inventory:vendor-create", VENDOR_WRITE_DONE, method="post", data={"name": "Matrix vendor"}
    ),
    Row(
        "inventory:vendor-validate",
        VENDOR_WRITE,
        method="post",
        data={"name": "", "_field": "name"},
    ),
    Row("inventory:vendor-edit", VENDOR_WRITE, setup=vendor, kwargs=pk),
    Row(
        "inventory:vendor-edit",
        VENDOR_WRITE_DONE,
        method="post",
        setup=vendor,
        kwargs=pk,
        data={"name": "Renamed vendor"},
    ),  # fmt: skip
    Row("inventory:vendor-delete", VENDOR_DELETE, setup=vendor, kwargs=pk),
    Row(
        "inventory:vendor-delete",
        VENDOR_DELETE_DONE,
        method="post",
        setup=vendor,
        kwargs=pk,
        data={},
    ),
]
