"""Conditions on a stored result: a malformed one holds (a duty is never hidden by odd content)."""

import pytest

from regulations.result_conditions import condition_holds
from tests.assessments import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def result():
    cv = factories.eu_content()
    return factories.classify_high_risk(factories.system(), cv)


def test_a_condition_on_the_result_is_evaluated(result):
    assert condition_holds({"fact": "result.high_risk", "op": "is_true"}, result=result)
    assert not condition_holds({"fact": "result.high_risk", "op": "is_false"}, result=result)


@pytest.mark.parametrize(
    "condition",
    [
        {"fact": "result.high_risk", "op": "equals", "value": True},  # unknown operator
        {"ref": "undefined"},  # unknown definition
        {"op": "eq", "value": 1},  # no fact
        {"fact": "result.risk_tier", "op": "in", "value": 3},  # not a list
        "high risk",  # not a mapping
    ],
)
def test_a_malformed_condition_holds(result, condition):
    assert condition_holds(condition, result=result)
