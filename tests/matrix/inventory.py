from tests.matrix.common import API_READ, READ, Row, expect

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


def discovered_system(users):
    from tests.factories import AISystemFactory

    owner = next(iter(users.values()))
    system = AISystemFactory(intake_pending=True, owner=None, jurisdictions=[], domains=[])
    return {"pk": system.pk, "owner": owner.pk}


def intake_form(ctx):
    return {
        "owner": ctx["owner"],
        "description": "Drafts replies to customers",
        "jurisdictions": ["CO"],
        "domains": ["customer_service"],
        "decision_role": "none",
    }


ROWS = [
    Row("inventory:system-list", READ),
    Row("inventory:system-list", READ, query="?jurisdiction=EU&o=-vendor&lifecycle=in_use"),
    Row("inventory:system-detail", READ, setup=system, kwargs=pk),
    Row("inventory:system-search", READ, setup=system, query="?q=a"),
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
    Row("inventory:system-intake", SYSTEM_WRITE, setup=discovered_system, kwargs=pk),
    Row(
        "inventory:system-intake",
        SYSTEM_WRITE_DONE,
        method="post",
        setup=discovered_system,
        kwargs=pk,
        data=intake_form,
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
    ),
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

API_DENY = {"anonymous": 403, "norole": 403, "procurement": 403, "auditor": 403}
API_SYSTEM_CREATED = expect(API_READ, compliance_officer=201, admin=201, **API_DENY)
API_SYSTEM_CHANGED = expect(API_READ, **API_DENY)
API_SYSTEM_DELETED = expect(API_READ, compliance_officer=204, admin=204, **API_DENY)
API_VENDOR_CREATED = expect(
    API_READ, compliance_officer=201, procurement=201, admin=201, auditor=403, norole=403
)
API_VENDOR_CHANGED = expect(API_READ, auditor=403, norole=403)
API_VENDOR_DELETED = expect(
    API_READ, compliance_officer=403, procurement=204, admin=204, auditor=403, norole=403
)
JSON = "application/json"
API_SYSTEM = {
    "name": "API system",
    "model_type": "rules",
    "jurisdictions": ["CO"],
    "roles": ["deployer"],
}

ROWS += [
    Row("api-system-list", API_READ, setup=system),
    Row("api-system-list", API_READ, query="?jurisdiction=CO&o=-name"),
    Row("api-system-list", API_SYSTEM_CREATED, method="post", data=API_SYSTEM, content_type=JSON),
    Row("api-system-detail", API_READ, setup=system, kwargs=pk),
    Row(
        "api-system-detail",
        API_SYSTEM_CHANGED,
        method="patch",
        setup=system,
        kwargs=pk,
        data={"lifecycle": "retired"},
        content_type=JSON,
    ),
    Row(
        "api-system-detail",
        API_SYSTEM_CHANGED,
        method="put",
        setup=system,
        kwargs=pk,
        data=API_SYSTEM,
        content_type=JSON,
    ),
    Row("api-system-detail", API_SYSTEM_DELETED, method="delete", setup=system, kwargs=pk),
    Row("api-vendor-list", API_READ, setup=vendor),
    Row(
        "api-vendor-list",
        API_VENDOR_CREATED,
        method="post",
        data={"name": "API vendor"},
        content_type=JSON,
    ),
    Row("api-vendor-detail", API_READ, setup=vendor, kwargs=pk),
    Row(
        "api-vendor-detail",
        API_VENDOR_CHANGED,
        method="patch",
        setup=vendor,
        kwargs=pk,
        data={"notes": "x"},
        content_type=JSON,
    ),
    Row("api-vendor-detail", API_VENDOR_DELETED, method="delete", setup=vendor, kwargs=pk),
]
