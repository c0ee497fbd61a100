from tests.matrix.common import API_READ, READ, Row, expect

REDIRECT_HOME = expect(READ, compliance_officer=302, procurement=302, auditor=302, admin=302)

ROWS = [
    Row("home", READ),  # renders the regulations dashboard
    Row("login", dict.fromkeys(READ, 200)),
    Row("logout", dict.fromkeys(READ, 302), method="post"),
    # Single sign-on answers 404 until SIGHTLINE_OIDC_CLIENT_ID is set; tests/sso runs it for real.
    Row("sso-login", dict.fromkeys(READ, 404)),
    Row("sso-callback", dict.fromkeys(READ, 404)),
    Row("favicon", dict.fromkeys(READ, 302)),
    Row("inbox", READ),
    Row("inbox-badge", READ),
    Row("notification-settings", READ),
    Row(
        "notification-settings",
        expect(READ, compliance_officer=302, procurement=302, auditor=302, admin=302),
        method="post",
        data={"kind": ["approved"]},
    ),
    Row("audit-list", READ),
    Row("audit-verify", READ),
    Row("audit-checkpoints", READ),
    Row("audit-export", expect(READ, procurement=403)),
    Row("audit-list", READ, query="?actor=nobody&date_from=not-a-date&object_type=x"),
    Row("api-schema", API_READ),
    Row("api-docs", API_READ),
    # Bad credentials for everyone: the endpoint itself is open, like a login form.
    Row(
        "api-token",
        dict.fromkeys(READ, 400),
        method="post",
        data={"username": "x", "password": "y"},
    ),
    Row("api-token", dict.fromkeys(READ, 405)),
    # Own tokens only: listing is scoped to the user, revoking someone else's prefix is a 404.
    Row("api-token-list", API_READ),
    Row(
        "api-token-revoke",
        expect(API_READ, compliance_officer=404, procurement=404, auditor=404, admin=404),
        method="delete",
        kwargs={"token_key": "slt_nosuchtoke"},
    ),
    Row("api-tokens", READ),
    Row("api-tokens", READ, method="post", data={}),
    Row(
        "api-token-revoke-page",
        expect(READ, compliance_officer=404, procurement=404, auditor=404, admin=404),
        method="post",
        kwargs={"token_key": "slt_nosuchtoke"},
        data={},
    ),
]
