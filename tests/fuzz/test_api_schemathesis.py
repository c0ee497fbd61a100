"""Schemathesis over the live OpenAPI schema, as every role's token: no 5xx, responses match the schema.

CI runs SCHEMATHESIS_MAX_EXAMPLES (default 10) examples per operation and role; run more locally, e.g.
`SCHEMATHESIS_MAX_EXAMPLES=100 .venv/bin/python -m pytest tests/fuzz/test_api_schemathesis.py`.
"""

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
ROLES = ("compliance_officer", "procurement", "auditor", "admin", "norole")


def _live_schema() -> dict:
    """The schema exactly as /api/schema/ serves it (same generator, same JSON renderer)."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(spec))


schema = schemathesis.openapi.from_dict(_live_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def api_objects(users):
    """A few real rows, so generated ids sometimes hit an object instead of always 404."""
    from tests.factories import AISystemFactory, VendorFactory

    vendor = VendorFactory()
    for _ in range(3):
        AISystemFactory(vendor=vendor)
    from tests.matrix.evidence import _done_pack

    _done_pack(users)


@pytest.fixture
def tokens(users):
    from rest_framework.authtoken.models import Token

    return {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_5xx_and_matches_schema(case, role, tokens, api_objects):
    response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
