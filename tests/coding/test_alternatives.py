"""Alternative codes: siblings whose titles add words the note writes beside a reported code's evidence."""

from __future__ import annotations

from tests.coding.test_engine import proposed

ALTERNATIVE = "alternative"


def alternatives(result):
    return {s["code"]: s for s in result["suggestions"] if ALTERNATIVE in s["flags"]}


def test_a_sibling_the_line_supports_is_listed_below_the_threshold(engine):  # noqa: F811
    text = "A/P: gout flare, right knee. Colchicine."
    result = engine.suggest(text, setting="outpatient")
    alt = alternatives(result)
    assert "M10.9" in proposed(result)
    assert "M10.061" in alt, list(alt)  # idiopathic gout, right knee
    assert alt["M10.061"]["score"] < result["threshold"]
    evidence = alt["M10.061"]["evidence"][0]
    assert text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert "knee" in alt["M10.061"]["rationale"]


def test_alternatives_never_change_the_reported_codes_and_are_billable(engine, store):  # noqa: F811
    text = "A/P: Lumbar spinal stenosis with neurogenic claudication, worse with walking. Type 2 diabetes."
    result = engine.suggest(text, setting="outpatient")
    for code, s in alternatives(result).items():
        assert store.is_billable("ICD-10-CM", code)
        assert s["score"] < result["threshold"]
        assert code not in proposed(result)


def test_no_alternative_without_words_beside_the_evidence(engine):  # noqa: F811
    result = engine.suggest("Assessment: essential hypertension, well controlled.", setting="outpatient")
    assert not alternatives(result)
