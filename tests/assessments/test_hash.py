import json

from assessments.answers import canonical_hash, canonical_payload

ANSWERS = {
    "a.process": "Screening of applicants",
    "c.groups": ["applicants", "employees"],
    "e.oversight": {"value": "yes", "explanation": "Recruiter reviews every ranking"},
}
ATTACHMENTS = {
    "f.dpia": [{"sha256": "b" * 64, "name": "dpia.pdf"}, {"sha256": "a" * 64, "name": "x"}]
}


def test_hash_is_stable_under_key_order():
    reordered = dict(reversed(list(ANSWERS.items())))
    reordered["e.oversight"] = {"explanation": "Recruiter reviews every ranking", "value": "yes"}
    assert canonical_hash(
        answers=ANSWERS, attachments=ATTACHMENTS, template_version="eu/1/fria"
    ) == (canonical_hash(answers=reordered, attachments=ATTACHMENTS, template_version="eu/1/fria"))


def test_hash_is_stable_under_json_whitespace_and_attachment_order():
    pretty = json.loads(json.dumps(ANSWERS, indent=4, sort_keys=False))
    swapped = {"f.dpia": list(reversed(ATTACHMENTS["f.dpia"]))}
    assert canonical_hash(
        answers=pretty, attachments=swapped, template_version="v"
    ) == canonical_hash(answers=ANSWERS, attachments=ATTACHMENTS, template_version="v")


def test_hash_ignores_surrounding_whitespace_and_line_endings_in_text():
    spaced = dict(ANSWERS, **{"a.process": "  Screening of applicants\r\n"})
    assert canonical_hash(answers=spaced, attachments={}, template_version="v") == canonical_hash(
        answers=ANSWERS, attachments={}, template_version="v"
    )


def test_hash_changes_with_an_answer_an_attachment_or_the_template_version():
    base = canonical_hash(answers=ANSWERS, attachments=ATTACHMENTS, template_version="v1")
    assert base != canonical_hash(
        answers=dict(ANSWERS, **{"a.process": "Screening"}),
        attachments=ATTACHMENTS,
        template_version="v1",
    )
    assert base != canonical_hash(answers=ANSWERS, attachments={}, template_version="v1")
    assert base != canonical_hash(answers=ANSWERS, attachments=ATTACHMENTS, template_version="v2")


def test_payload_lists_attachment_hashes_sorted():
    payload = canonical_payload(answers={}, attachments=ATTACHMENTS, template_version="v")
    assert payload["attachments"] == {"f.dpia": ["a" * 64, "b" * 64]}


def test_known_vector():
    # sha256 of '{"answers":{"q":"x"},"attachments":{},"template_version":"t"}'
    import hashlib

    text = '{"answers":{"q":"x"},"attachments":{},"template_version":"t"}'
    assert canonical_hash(answers={"q": "x"}, attachments={}, template_version="t") == (
        hashlib.sha256(text.encode()).hexdigest()
    )
