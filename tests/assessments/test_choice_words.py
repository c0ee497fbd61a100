"""Choices and prefilled answers read as words, never as inventory or content codes."""

from assessments.answers import Question, choice_words, prefill_value
from tests.factories import AISystemFactory


def _question(**kw) -> Question:
    base = {
        "id": "q",
        "section_id": "s",
        "section_title": "S",
        "text": "Q",
        "type": "text",
        "required": False,
        "help": "",
        "citation": "",
        "choices": (),
        "prefill": None,
    }
    return Question(**{**base, **kw})


def test_coded_choices_read_as_words():
    assert choice_words("biometric_data") == "Biometric data"
    assert choice_words("sole-decision-maker") == "Sole decision maker"
    assert choice_words("Opt-out offered") == "Opt-out offered"


def test_a_text_answer_prefilled_from_a_coded_fact_gets_its_label(db):
    system = AISystemFactory(decision_role="sole")
    value = prefill_value(_question(prefill="decision_role"), system)
    assert value == "Sole (no meaningful human involvement)"


def test_editor_markup_is_stored_as_sanitised_html():
    from assessments.answers import sanitise_rich

    raw = (
        '<div>Risk by <b onclick="x()">postcode</b>&nbsp;proxies<script>alert(1)</script></div>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">l</a><br><blockquote>q</blockquote>'
    )
    assert sanitise_rich(raw) == (
        '<p>Risk by <strong>postcode</strong> proxies</p><a rel="noopener noreferrer">l</a>'
        "<br><blockquote>q</blockquote>"
    )
