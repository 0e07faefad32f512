"""The assembled pipeline: mentions, assertions in context, section defaults, serialisation."""

from __future__ import annotations

from cac.nlp import analyze, load_pipeline

NOTE = """CHIEF COMPLAINT: Chest pain.
HPI: 65 yo M with HTN, s/p CABG, c/o chest pain x 3 days. Denies fever, chills, or cough.
PAST MEDICAL HISTORY: COPD.
FAMILY HISTORY: Diabetes.
REVIEW OF SYSTEMS:
Constitutional: Negative for weight loss.
ASSESSMENT AND PLAN: Possible pneumonia. Return if fever develops.
"""


def by_text(doc, text):
    found = [m for m in doc._.mentions if m.text.lower() == text.lower()]
    assert found, f"no mention {text!r} in {[m.text for m in doc._.mentions]}"
    return found


def test_pipeline_is_built_once_from_config() -> None:
    nlp = load_pipeline()
    assert nlp is load_pipeline()
    assert nlp.pipe_names[0] == "cac_sections" and "cac_mentions" in nlp.pipe_names


def test_mentions_assertions_and_sections() -> None:
    doc = analyze(NOTE)
    assert by_text(doc, "Chest pain")[0].assertion == "present"
    assert by_text(doc, "Chest pain")[0].section == "chief_complaint"
    assert by_text(doc, "fever")[0].assertion == "negated"
    assert by_text(doc, "cough")[0].assertion == "negated"
    assert by_text(doc, "CABG")[0].assertion == "historical"
    assert by_text(doc, "CABG")[0].type == "procedure"
    copd = by_text(doc, "COPD")[0]
    assert copd.assertion == "historical" and copd.section == "past_medical_history" and copd.trigger is None
    assert by_text(doc, "Diabetes")[0].assertion == "family"
    assert by_text(doc, "weight loss")[0].assertion == "negated"
    assert by_text(doc, "pneumonia")[0].assertion == "possible"
    assert by_text(doc, "fever")[-1].assertion == "hypothetical"


def test_offsets_slice_original_text() -> None:
    doc = analyze(NOTE)
    assert doc._.mentions
    for m in doc._.mentions:
        assert NOTE[m.start : m.end] == m.text
        if m.trigger:
            assert NOTE[m.trigger.start : m.trigger.end] == m.trigger.text
        # an index main term with no code of its own is a recognised concept without candidates
        assert all(len(c) == 3 for c in m.candidates)


def test_to_dict_matches_interface() -> None:
    doc = analyze("Denies fever.")
    d = by_text(doc, "fever")[0].to_dict()
    assert d == {
        "start": 7,
        "end": 12,
        "text": "fever",
        "type": "problem",
        "assertion": "negated",
        "trigger": {"start": 0, "end": 6, "text": "Denies"},
        "section": None,
    }


def test_templated_ros_line_denies_everything_on_it() -> None:
    doc = analyze("REVIEW OF SYSTEMS:\nRespiratory: cough, wheezing - negative\n")
    assert {m.assertion for m in doc._.mentions if m.text.lower() in ("cough", "wheezing")} == {"negated"}


def test_empty_and_whitespace() -> None:
    assert analyze("")._.mentions == []
    assert analyze("   \n\t")._.mentions == []


def test_resolved_in_past_history_is_historical() -> None:
    doc = analyze("PAST MEDICAL HISTORY: Depression (resolved).\nHPI: Her nausea resolved.\n")
    assert by_text(doc, "Depression")[0].assertion == "historical"
    assert by_text(doc, "nausea")[0].assertion == "negated"


def test_a_service_is_not_a_condition() -> None:
    """Specialties named as consultants ("addiction medicine consult", a "Consults:" list) are no mentions."""
    doc = analyze(
        "Admitted: 01/09    Consults: Infectious Diseases, General Surgery\n"
        "Dx: cellulitis of the right leg\n"
        "Alcohol use disorder, mild - thiamine, addiction medicine consult.\n"
        "Consults: ID for cellulitis.\n"
    )
    texts = [m.text for m in doc._.mentions]
    assert "Infectious Diseases" not in texts and "addiction" not in texts
    assert "Alcohol use disorder, mild" in texts
    assert texts.count("cellulitis") == 2  # "Consults: ID for cellulitis" keeps it


def test_a_drug_name_is_no_mention_nor_are_its_words() -> None:
    from cac.nlp.components import MentionFinder
    from cac.nlp.matcher import build_index

    finder = MentionFinder(
        build_index(
            [
                ("Salicylic acid > topical Adverse effect", "ICD-10-CM", "T49.4X5", "index"),
                ("Acid > peptic", "ICD-10-CM", "K30", "index"),
                ("Wart", "ICD-10-CM", "B07.9", "index"),
            ]
        )
    )
    nlp = load_pipeline()
    doc = nlp.make_doc("Plan: salicylic acid to the wart.")
    for _name, proc in nlp.pipeline:
        doc = finder(doc) if _name == "cac_mentions" else proc(doc)
    assert [m.text for m in doc._.mentions] == ["wart"]


def test_wrapped_indented_line_keeps_the_negation_and_the_service() -> None:
    """A line that goes on, indented, on the next one ("no evidence of\n   pyelonephritis", "Addiction\n   medicine
    consult") is one clause; a trigger inside parentheses does not reach back out of them."""
    doc = analyze(
        "Assessment:\n"
        "1. Acute cystitis (culture 3 days ago) - no evidence of\n"
        "   pyelonephritis or graft dysfunction.\n"
        "2. Alcohol dependence - thiamine, folate. Addiction\n"
        "   medicine consult.\n"
        "Exam: alert, GCS 15.\n"
    )
    assert by_text(doc, "pyelonephritis")[0].assertion == "negated"
    assert by_text(doc, "Acute cystitis")[0].assertion == "present"
    texts = [m.text.lower() for m in doc._.mentions]
    assert "addiction" not in texts and "gcs" not in texts  # a service; a scale, no coma


def test_a_stoplist_word_is_not_read_as_a_typo() -> None:
    """ "in addition to" is no misspelt "addiction": a stoplist word is never corrected to a vocabulary word."""
    from cac.nlp.components import MentionFinder
    from cac.nlp.matcher import build_index

    finder = MentionFinder(build_index([("Addiction", "ICD-10-CM", "F19.20", "index")]))
    nlp = load_pipeline()
    for text, expected in [("Enoxaparin given in addition to SCDs.", []), ("History of addiction.", ["addiction"])]:
        doc = nlp.make_doc(text)
        for _name, proc in nlp.pipeline:
            doc = finder(doc) if _name == "cac_mentions" else proc(doc)
        assert [m.text for m in doc._.mentions] == expected


def test_nose_and_spine_phrases_are_mentions() -> None:
    doc = analyze("Dx: nasal septal deviation to the left; inferior turbinate hypertrophy. L2 vertebral hemangioma.")
    texts = [m.text for m in doc._.mentions]
    assert {"nasal septal deviation", "inferior turbinate hypertrophy", "vertebral hemangioma"} <= set(texts)


def test_note_tokens_are_the_docs_tokens() -> None:
    from cac.nlp.components import note_tokens

    text = "Pt is s/p CABG.\n\n  BP 140/90, HTN/DM2 (+) edema."
    doc = load_pipeline().make_doc(text)
    assert note_tokens(doc) == [(t.idx, t.text, t.is_space) for t in doc]
    assert analyze(text).text == text


def test_services_named_by_a_consults_list() -> None:
    from cac.nlp.components import names_service, service_patterns

    patterns = service_patterns()
    for text, word in [
        ("Consults: Infectious Diseases, Nephrology", "Nephrology"),
        ("Plan reviewed.  Consultants: Cardiology", "Cardiology"),
        ("Allergies: none | Consults: Psychiatry", "Psychiatry"),
        ("Seen by addiction medicine consult today.", "addiction"),
    ]:
        start = text.index(word)
        assert names_service(text, start, start + len(word), patterns), text
    for text, word in [
        ("Consults: ID for cellulitis", "cellulitis"),  # the condition the consult is for
        ("Assessment: cellulitis", "cellulitis"),
        ("cellulitis of the left leg", "cellulitis"),
    ]:
        start = text.index(word)
        assert not names_service(text, start, start + len(word), patterns), text
