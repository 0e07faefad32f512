"""Runners-up: codes a mention's retrieval found and did not keep, listed below the threshold when the words beside
the mention are in their titles; never for a negated, hypothetical or family-only condition."""

from __future__ import annotations

from cac.coding.runners_up import RUNNER_UP, is_runner_up
from tests.coding.test_engine import proposed


def runners_up(result):
    return {s["code"]: s for s in result["suggestions"] if RUNNER_UP in s["flags"]}


def test_a_lone_clinical_word_gets_the_runner_up_its_line_supports(engine):  # noqa: F811
    text = "Assessment:\n1. Pelvic ultrasound shows a 3 cm intramural leiomyoma.\n"
    result = engine.suggest(text, setting="outpatient")
    found = runners_up(result)
    assert "D25.1" in found, list(found)  # intramural leiomyoma of uterus
    s = found["D25.1"]
    assert s["score"] < result["threshold"]
    assert "D25.1" not in proposed(result)
    evidence = s["evidence"][0]
    assert evidence["text"] == "leiomyoma" == text[evidence["start"] : evidence["end"]]
    assert "intramur" in s["rationale"] and "held below the threshold" in s["rationale"]


def test_a_code_the_walk_overrode_is_listed_when_the_line_names_it(engine):  # noqa: F811
    text = "A/P: Hypothyroidism (Hashimoto's), stable on levothyroxine 75 mcg daily.\n"
    result = engine.suggest(text, setting="outpatient")
    assert "E03.9" in proposed(result)  # the reported code is unchanged
    found = runners_up(result)
    assert "E06.3" in found, list(found)  # autoimmune (Hashimoto's) thyroiditis
    assert found["E06.3"]["evidence"][0]["text"] == "Hypothyroidism"
    assert found["E06.3"]["score"] < result["threshold"]


def test_runners_up_change_no_reported_code(engine):  # noqa: F811
    text = "A/P: Hypothyroidism (Hashimoto's), stable on levothyroxine 75 mcg daily.\n"
    result = engine.suggest(text, setting="outpatient")
    reported = [s for s in result["suggestions"] if s["score"] >= result["threshold"]]
    assert reported and not any(is_runner_up(s) for s in reported)


def test_a_negated_condition_gives_no_runner_up(engine):  # noqa: F811
    result = engine.suggest("Assessment: no intramural leiomyoma on ultrasound.\n", setting="outpatient")
    assert not runners_up(result)
    assert not {s["code"] for s in result["suggestions"] if s["code"].startswith("D25")}


def test_family_and_hypothetical_conditions_give_no_runner_up(engine):  # noqa: F811
    text = (
        "Family history: mother with intramural leiomyoma.\n"
        "Plan: return if she develops Hashimoto's hypothyroidism symptoms.\n"
    )
    result = engine.suggest(text, setting="outpatient")
    assert "D25.1" not in runners_up(result)
    assert "E06.3" not in runners_up(result)
