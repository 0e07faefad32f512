"""The concept matcher on a small term list: normalisation, word order, typos, longest match."""

from __future__ import annotations

import re

import pytest

from cac.nlp.matcher import build_index, find_matches
from cac.nlp.normalise import content_words, lemma

TERMS = [
    ("Chronic kidney disease, stage 3", "ICD-10-CM", "N18.30", "title"),
    ("Chronic kidney disease", "ICD-10-CM", "N18.9", "title"),
    ("Pneumonia, unspecified organism", "ICD-10-CM", "J18.9", "title"),
    ("Pneumonia", "ICD-10-CM", "J18.9", "index"),
    ("Fever", "ICD-10-CM", "R50.9", "index"),
    ("Chills", "ICD-10-CM", "R68.83", "index"),
    ("Fever with chills", "ICD-10-CM", "R50.9", "inclusion"),
]


def run(text: str):
    import re

    index = build_index(TERMS)
    tokens = []
    commas = set()
    for m in re.finditer(r"\w+|,", text):
        if m.group() == ",":
            commas.add(len(tokens))
            continue
        words = tuple(content_words(m.group()))
        if words:
            w = words[0] if words[0] in index.vocab else (index.correct(words[0]) or words[0])
            tokens.append((m.start(), m.end(), (w,)))
    return [(text[m.start : m.end], m.candidates[0][1]) for m in find_matches(index, tokens, set(), commas)]


def test_lemma_plural_stripping() -> None:
    assert lemma("kidneys") == "kidney" and lemma("arteries") == "artery" and lemma("diagnoses") == "diagnosis"


def test_lemma_of_greek_and_latin_plurals() -> None:
    # "actinic keratoses" must meet the index's "Keratosis, actinic"
    assert [lemma(w) for w in ("keratoses", "thromboses", "nevi", "diverticula")] == [
        "keratosis",
        "thrombosis",
        "nevus",
        "diverticulum",
    ]


def test_exact_and_longest() -> None:
    assert run("chronic kidney disease stage 3") == [("chronic kidney disease stage 3", "N18.30")]


def test_word_order_tolerance() -> None:
    assert run("kidney disease, chronic, stage 3") == [("kidney disease, chronic, stage 3", "N18.30")]


def test_plural_and_case() -> None:
    assert run("PNEUMONIAS") == [("PNEUMONIAS", "J18.9")]


def test_small_typo() -> None:
    assert run("pneumonai") == [("pneumonai", "J18.9")]


def test_short_list_items_are_not_merged_across_commas() -> None:
    assert run("fever, chills") == [("fever", "R50.9"), ("chills", "R68.83")]


def test_synonyms_included() -> None:
    index = build_index([])
    assert index.entries.get(("attack", "heart"))


class _FakeStore:
    path = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def terms(self, system: str):
        self.calls += 1
        if system == "ICD-10-CM":
            yield from [("Pneumonia", "J18.9", "title"), ("Ulcer, ulcerated > lower limb > foot", "L97.509", "index")]

    def active_release(self, system: str) -> str:
        return "test-1"


def test_index_is_cached_on_disk_and_reused(tmp_path, monkeypatch) -> None:
    from cac.nlp import matcher

    monkeypatch.setenv("CAC_HOME", str(tmp_path))
    store = _FakeStore()
    first = matcher.load_index(store)
    assert list((tmp_path / "cache").glob("nlp-matcher-*.pkl"))
    calls = store.calls
    second = matcher.load_index(store)
    assert store.calls == calls  # read from the cache, not rebuilt
    assert second.entries == first.entries


def test_index_paths_match_main_plus_last_subterm() -> None:
    index = build_index([("Ulcer, ulcerated > lower limb > foot", "ICD-10-CM", "L97.509", "index")])
    assert index.entries[("foot", "ulcer")][0][1] == "L97.509"
    assert index.entries[("foot", "limb", "lower", "ulcer")][0][1] == "L97.509"


def test_index_paths_do_not_make_qualifiers_into_terms() -> None:
    from cac.nlp.normalise import bag

    index = build_index(
        [
            ("Inequality, leg > lower leg", "ICD-10-CM", "M21.70", "index"),
            ("Stroke > ischemic, perinatal arterial", "ICD-10-CM", "P91.82", "index"),
            ("Ischemia, ischemic > intestine > acute", "ICD-10-CM", "K55.019", "index"),
            ("Failure, failed > heart", "ICD-10-CM", "I50.9", "index"),
            ("Pneumonia > with > influenza", "ICD-10-CM", "J11.00", "index"),
        ]
    )
    # "leg" qualifies "Inequality"; it is not another form of it
    assert bag(content_words("lower leg")) not in index.entries
    # a comma in a subterm only turns its words round
    assert bag(content_words("ischemic stroke")) not in index.entries
    # the middle subterm carries the meaning: "acute ischemia" is not intestinal ischemia
    assert bag(content_words("acute ischemia")) not in index.entries
    # but forms of the main word, and grouping subterms, still work
    assert ("ICD-10-CM", "I50.9", "index") in index.entries[bag(content_words("failed heart"))]
    assert ("ICD-10-CM", "J11.00", "index") in index.entries[bag(content_words("pneumonia influenza"))]


def test_a_possessive_is_its_noun() -> None:
    assert lemma("schatzki's") == "schatzki" and lemma("crohn's") == "crohn" and lemma("crohns") == "crohn"


def test_a_bracketed_abbreviation_stands_for_its_words() -> None:
    from cac.nlp.matcher import _acronym_variants

    assert _acronym_variants("Elevated, elevation > prostate specific antigen [PSA]") == [
        "Elevated, elevation > prostate specific antigen [PSA]",
        "Elevated, elevation > PSA",
        "Elevated, elevation > prostate specific antigen",
    ]
    assert _acronym_variants("Pneumonia, unspecified organism") == ["Pneumonia, unspecified organism"]


def test_a_qualified_main_term_names_its_condition_when_nothing_else_does() -> None:
    index = build_index(
        [
            ("Hypertriglyceridemia, essential", "ICD-10-CM", "E78.1", "index"),
            ("Ischemia, ischemic", "ICD-10-CM", "I99.8", "index"),
            ("Decongestant, nasal Poisoning Intentional self-harm", "ICD-10-CM", "T48.5X2", "index"),
        ]
    )
    assert index.entries.get(("hypertriglyceridemia",)) == [("ICD-10-CM", "E78.1", "index")]
    assert not index.entries.get(("ischemia",))  # two forms of one word, not a qualifier
    assert not index.entries.get(("decongestant",))  # a drug, not a condition


def test_an_expansion_is_matched_by_its_head() -> None:
    index = build_index(TERMS)
    tokens = [(0, 8, ("admitted",)), (13, 16, ("community", "acquired", "pneumonia"))]
    matches = find_matches(index, tokens)
    assert [(m.start, m.end, m.candidates[0][1]) for m in matches] == [(13, 16, "J18.9")]


def test_typo_correction_is_one_edit_only() -> None:
    """Deleting a letter from each word pairs words two edits apart ("patchy"/"apathy"): no correction."""
    index = build_index([("Apathy", "ICD-10-CM", "R45.3", "index"), ("Pneumonia", "ICD-10-CM", "J18.9", "index")])
    assert index.correct("patchy") is None
    assert index.correct("pneumonai") == "pneumonia"  # transposition
    assert index.correct("pnuemonia") == "pneumonia"
    assert index.correct("pneumona") == "pneumonia"  # deletion
    assert index.correct("apathys") == "apathy"  # insertion


def test_typo_correction_keeps_the_first_letter_and_spares_plain_english_words() -> None:
    """ "banker" is no typo of "canker", "corner" none of "Horner"; "addition" is a word of its own (typo_guard.tsv)."""
    index = build_index(
        [
            ("Canker", "ICD-10-CM", "K12.0", "index"),
            ("Horner syndrome", "ICD-10-CM", "G90.2", "index"),
            ("Addiction", "ICD-10-CM", "F19.20", "index"),
            ("Hypertension", "ICD-10-CM", "I10", "index"),
        ]
    )
    assert index.correct("banker") is None
    assert index.correct("corner") is None
    assert index.correct("addition") is None
    assert index.correct("hypertenson") == "hypertension"  # a real typo is still corrected


def test_secondary_to_names_a_cause_not_a_secondary_condition() -> None:
    """ "hypotension secondary to his hypertension": no mention joins "secondary" to the cause after "to"."""
    from cac.nlp import analyze

    doc = analyze("He had hypotension secondary to his hypertension and was given fluids.")
    texts = [m.text.lower() for m in doc._.mentions]
    assert "hypertension" in texts
    assert not any(t.startswith("secondary") for t in texts)


def test_one_edit() -> None:
    from cac.nlp.matcher import one_edit

    assert one_edit("fever", "fevor") and one_edit("fever", "fevre") and one_edit("fever", "fevers")
    assert not one_edit("patchy", "apathy") and not one_edit("attend", "batten") and not one_edit("fever", "fever ab")


def test_latin_plurals_of_clots() -> None:
    assert [lemma(w) for w in ("emboli", "thrombi", "hernias")] == ["embolus", "thrombus", "hernia"]


def test_a_stoplisted_phrase_is_no_mention() -> None:
    """ "middle lobe" alone is anatomy; the index's "Middle lobe (right) syndrome" J98.19 needs the syndrome."""
    from cac.nlp import analyze

    doc = analyze("Filling defect in a subsegmental branch of the right middle lobe.")
    assert "middle lobe" not in [m.text.lower() for m in doc._.mentions]


def test_a_bracketed_abbreviation_that_is_an_english_word_needs_capitals() -> None:
    # "Heparin induced thrombocytopenia [HIT]" names the code by "HIT", never by the word "hit"
    index = build_index([("Heparin induced thrombocytopenia [HIT]", "ICD-10-CM", "D75.82", "title")])
    for text, found in (("concern for HIT", ["HIT"]), ("was hit by a car", []), ("Hit by a car", [])):
        tokens = [(m.start(), m.end(), tuple(content_words(m.group()))) for m in re.finditer(r"\w+", text)]
        tokens = [t for t in tokens if t[2]]
        assert [text[m.start : m.end] for m in find_matches(index, tokens, text=text)] == found, text


def test_a_substance_of_the_table_of_drugs_is_a_drug_not_a_mention() -> None:
    from cac.nlp.matcher import DRUG
    from cac.nlp.normalise import bag

    index = build_index(
        [
            ("Salicylic acid > topical Adverse effect", "ICD-10-CM", "T49.4X5", "index"),
            ("Acidity, gastric", "ICD-10-CM", "K30", "index"),
            ("Alcohol, alcoholic > withdrawal", "ICD-10-CM", "F10.939", "index"),
            ("Alcohol > beverage Poisoning Accidental (unintentional)", "ICD-10-CM", "T51.0X1", "index"),
        ]
    )
    assert index.kinds[bag(content_words("salicylic acid"))] == DRUG
    # a substance that is also a main term of the index ("Alcohol") names a condition there: no drug
    assert index.kinds.get(bag(content_words("alcohol"))) is None
    tokens = [(m.start(), m.end(), tuple(content_words(m.group()))) for m in re.finditer(r"\w+", "salicylic acid")]
    assert [m.kind for m in find_matches(index, tokens)] == [DRUG]


def test_an_index_term_that_is_an_english_word_abbreviation_alone_needs_capitals() -> None:
    # the index term "AIDS" is matched by "AIDS", never by "aid" or "aids" (its lemma); "TRAPS", never "traps"
    index = build_index(
        [
            ("AIDS", "ICD-10-CM", "B20", "index"),
            ("TRAPS", "ICD-10-CM", "M04.1", "index"),
        ]
    )
    for text, found in (
        ("Advanced AIDS on antiretrovirals", ["AIDS"]),
        ("avoid as a sleep aid", []),
        ("hearing aids in place", []),
        ("closed reduction with finger traps", []),
        ("TRAPS flare again", ["TRAPS"]),
    ):
        tokens = [(m.start(), m.end(), tuple(content_words(m.group()))) for m in re.finditer(r"\w+", text)]
        tokens = [t for t in tokens if t[2]]
        assert [text[m.start : m.end] for m in find_matches(index, tokens, text=text)] == found, text


@pytest.mark.parametrize("word", ["sigmoid", "SSA"])
def test_anatomy_and_antibody_words_alone_are_no_mention(word: str) -> None:
    """ "sigmoid" alone names no condition (the index's "Sigmoid, kidney" needs the kidney); "SSA" alone is an
    anti-SSA antibody or a sessile serrated adenoma more often than senile systemic amyloidosis."""
    from cac.nlp.matcher import stoplist

    assert word.lower() in stoplist()


@pytest.mark.parametrize("note", ["Cr stable; continue IV diuresis with furosemide.", "K 5.4; diuresis should help."])
def test_diuresis_is_a_treatment_not_a_mention(note: str) -> None:
    """In notes "diuresis" is what the team gives (IV furosemide), not the index's excessive urine output R35.89."""
    from cac.nlp import analyze

    assert not [m.text for m in analyze(note)._.mentions if m.text.lower() == "diuresis"]
