"""Schemathesis over the live OpenAPI schema: no 5xx, the right content type, responses match the schema.

Two tests, the same three checks:
- every operation x every role: schemathesis' fuzzing phase, SCHEMATHESIS_MAX_EXAMPLES generated
  examples each (default 5; CI runs 1);
- every operation once, as admin: the coverage phase, i.e. the deterministic boundary and invalid
  values of every parameter and body field (about a thousand requests for the AI-system writes),
  which max_examples does not limit. Its cases do not depend on the role, and admin passes every
  permission check, so it reaches the most code; the other roles get the same code path (every role
  reads alike) or an early 403. Running it per role repeated the same requests five times and was
  99% of this file's requests.

Run more locally, e.g. `SCHEMATHESIS_MAX_EXAMPLES=100 .venv/bin/python -m pytest tests/fuzz/test_api_schemathesis.py`.
"""

import copy
import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
ROLES = ("compliance_officer", "procurement", "auditor", "admin", "norole")
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


def _live_schema() -> dict:
    """The schema exactly as /api/schema/ serves it (same generator, same JSON renderer)."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(spec))


def _load(raw: dict, *, phases: dict) -> BaseSchema:
    loaded = schemathesis.openapi.from_dict(
        copy.deepcopy(raw), config=SchemathesisConfig.from_dict({"phases": phases})
    )
    loaded.app = get_wsgi_application()
    return loaded


_raw = _live_schema()
schema = _load(_raw, phases={"coverage": {"enabled": False}})
boundary_schema = _load(
    _raw, phases={"examples": {"enabled": False}, "fuzzing": {"enabled": False}}
)


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
    from knox.models import AuthToken

    return {role: AuthToken.objects.create(user=user)[1] for role, user in users.items()}


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
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("role", ["admin"])  # also names each case "[operation][admin]"
@boundary_schema.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_boundary_values_never_5xx_and_match_schema(case, role, tokens, api_objects):
    response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
    case.validate_response(response, checks=CHECKS)
