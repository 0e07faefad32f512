"""The Alphabetic Index walk: main term from the mention, subterms from the modifiers on its line."""

import pytest

from cac.coding.index_walk import (
    IndexTree,
    context_words,
    is_modifier_word,
    near_phrase,
    written_and_index_words,
)


def walk_line(tree, mention, line):
    """The walk as the engine makes it: the line's written words, and them with the index's words for them."""
    written, with_synonyms = written_and_index_words(line)
    return tree.walk(context_words(mention), with_synonyms, written)


@pytest.fixture(scope="module")
def tree(store, imported):
    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")
    return IndexTree(store)


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        ("diverticulosis", "Diverticulosis of the sigmoid colon without bleeding.", "K57.30"),
        ("diverticulosis", "Diverticulosis of the colon with bleeding.", "K57.31"),
        ("pneumonia", "Community acquired pneumonia due to Streptococcus pneumoniae", "J13"),
        ("calculus", "Obstructing left ureteral calculus with hydronephrosis", "N13.2"),
        ("heart attack", "Heart attack last night", "I21.9"),
    ],
)
def test_walk_uses_the_modifiers_on_the_line(tree, mention, line, code):
    result = tree.walk(context_words(mention), context_words(line))
    assert result is not None and result.code == code, result


def test_negated_modifiers_do_not_count(tree):
    assert "bleed" not in context_words("no bleeding")
    result = tree.walk(context_words("diverticulosis"), context_words("Diverticulosis, no bleeding"))
    assert result is not None and result.code != "K57.91"


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # a bare "and" subterm takes its meaning from its nonessential modifiers: "and (on) chronic"
        ("heart failure", "Acute on chronic diastolic heart failure", "I50.33"),
        # the subterms after an instructional note row still hang under "heart"
        ("heart failure", "chronic systolic heart failure", "I50.22"),
        # organism written as the note writes it (walk_synonyms.tsv: coli -> escherichia)
        ("sepsis", "Sepsis due to E. coli", "A41.51"),
        # laterality word: both -> bilateral
        ("osteoarthritis", "osteoarthritis of both knees", "M17.0"),
        # "Dependence > nicotine" says see Dependence, drug, nicotine: the walk continues there
        ("nicotine dependence", "Nicotine dependence, cigarettes", "F17.210"),
        # the main term the mention names (Stroke, with "ischemic" among its nonessential modifiers)
        ("ischemic stroke", "ischemic stroke", "I63.9"),
    ],
)
def test_walk_follows_and_subterms_see_references_and_synonyms(tree, mention, line, code):
    result = tree.walk(context_words(mention), context_words(line), context_words(line, synonyms=False))
    assert result is not None and result.code == code, result


@pytest.mark.parametrize(
    "line", ["Dementia, unspecified severity", "Pneumonia, unspecified organism", "Asthma of unknown type"]
)
def test_an_axis_left_unspecified_names_no_value(line):
    """ "unspecified severity" is no "severe"; "unspecified organism" no organism."""
    assert not {"sever", "organ", "organism", "type"} & context_words(line)


def test_unspecified_severity_does_not_choose_severe(tree):
    result = walk_line(tree, "dementia", "Dementia, unspecified severity, without behavioral disturbance")
    assert result is not None and result.code != "F03.C", result


def test_list_numbers_are_not_modifiers(tree):
    result = tree.walk(context_words("Type 2 diabetes mellitus"), context_words("1. Type 2 diabetes mellitus"))
    assert result is not None and result.code.startswith("E11"), result


def test_a_qualifying_word_after_a_comma_is_not_a_main_term(tree):
    # "Myoadenoma, prostate": "prostate" qualifies the main term; "prostate cancer" must not walk to N40.0
    result = tree.walk(context_words("prostate cancer"), context_words("prostate cancer"))
    assert result is None or not result.code.startswith("N40"), result


def test_a_lettered_stage_needs_no_stage_word(tree):
    # the engine's window holds the mention with its abbreviation expanded
    line = "CKD chronic kidney disease 3b, followed by nephrology"
    result = tree.walk(context_words("CKD chronic kidney disease"), context_words(line))
    assert result is not None and result.code == "N18.32", result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # a number is a modifier only after the word it numbers: the A1c's "7.1" is no "stage 1"
        ("chronic kidney disease", "DM2 (A1c 7.1), chronic kidney disease stage 3a attributed to diabetes", "N18.31"),
        # "grade 2" / "grade II" is the index's "2nd degree"
        ("hemorrhoids", "grade 2 internal hemorrhoids", "K64.1"),
        ("hemorrhoids", "Grade II internal hemorrhoids, banded", "K64.1"),
        ("hemorrhoids", "internal hemorrhoids", "K64.8"),
    ],
)
def test_numbers_modify_only_the_word_they_number(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # one side written is the index's "unilateral" (the side itself then picks M17.11/M17.12)
        ("osteoarthritis", "left knee osteoarthritis", "M17.1"),
        ("osteoarthritis", "osteoarthritis of both knees", "M17.0"),
        ("osteoarthritis", "osteoarthritis of the knee", "M17.9"),
    ],
)
def test_one_side_is_unilateral(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code.rstrip("-") == code, result


def test_term_key_drops_nec_and_nos_as_words_only():
    from cac.coding.index_walk import term_key

    # "neck" and "nose" are sites, not the markers NEC and NOS
    assert term_key("femur, neck") == {"femur", "neck"}
    assert term_key("of nose") == {"nose"}
    assert term_key("brain NEC") == {"brain"} and term_key("knee NOS") == {"knee"}


def test_noun_and_adjective_forms_meet():
    from cac.coding.index_walk import walk_stem

    assert walk_stem("hypoxic") == walk_stem("hypoxia")
    assert walk_stem("calculous") == walk_stem("calculus")
    assert walk_stem("anemic") == walk_stem("anemia")


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # "hypoxic" is the index's "with hypoxia"; "respiration, respiratory" are forms of one subterm
        ("respiratory failure", "acute hypoxic respiratory failure on BiPAP", "J96.01"),
        ("respiratory failure", "chronic hypercapnic respiratory failure", "J96.12"),
        # "calculous" is the index's Calculus, and cholecystitis is of the gallbladder
        ("calculous", "chronic calculous cholecystitis", "K80.10"),
    ],
)
def test_word_forms_reach_the_subterm(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


def test_without_subterms_meet_what_the_note_says_is_absent(tree):
    from cac.coding.index_walk import term_key, walk_stem

    assert term_key("without status migrainosus") == {"~" + walk_stem("status"), "~" + walk_stem("migrainosus")}
    written, _ = written_and_index_words("migraine, no aura")
    assert "~aura" in written and "aura" not in written
    result = walk_line(tree, "migraine", "migraine without aura, intractable, without status migrainosus")
    assert result is not None and result.code == "G43.019", result
    # the condition named absent is not a "with" subterm
    result = walk_line(tree, "migraine", "migraine without aura")
    assert result is not None and result.code == "G43.009", result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # Cholelithiasis: see Calculus, gallbladder; Gallstone: see also Calculus, gallbladder
        ("cholelithiasis", "cholelithiasis with acute cholecystitis", "K80.00"),
        ("gallstones", "symptomatic gallstones", "K80.20"),
        # Atherosclerosis: see Arteriosclerosis (> aorta)
        ("atherosclerosis", "atherosclerosis of the aorta", "I70.0"),
    ],
)
def test_main_term_references_are_followed(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


def walk_lone_word(tree, word, line):
    """The walk as the engine makes it for a lone word: a main term's "see" is followed with its phrase only."""
    written, with_synonyms = written_and_index_words(line)
    start = line.index(word)
    near = context_words(near_phrase(line, start, start + len(word)))
    return tree.walk(context_words(word), with_synonyms, written, near, is_modifier_word(word))


@pytest.mark.parametrize(
    ("line", "word", "phrase"),
    [
        ("Thick secretions adherent to the tracheal wall.", "adherent", "Thick secretions adherent"),
        ("We enlarged the diaphragmatic hiatus.", "enlarged", "We enlarged"),
        ("The left testis was atrophic.", "atrophic", "The left testis atrophic"),
        ("Gangrene of her left great toe requiring amputation.", "Gangrene", "Gangrene of her left great toe"),
        ("Oozing and bleeding due to low platelets; pressure held.", "bleeding", "bleeding"),
    ],
)
def test_a_lone_words_phrase(line, word, phrase):
    start = line.index(word)
    assert near_phrase(line, start, start + len(word)) == phrase


@pytest.mark.parametrize(
    ("word", "line", "code"),
    [
        # the phrase names the site of the reference (Atrophia: see Atrophy > testis; Necrosis: see Gangrene > tooth)
        ("atrophic", "Exam: small atrophic left testis.", "N50.0"),
        ("necrotic", "Facial swelling from a necrotic tooth.", "K04.1"),
        # a noun whose entry is only a "see" takes the reference's own code (Paresthesia: see Disturbance, ...)
        ("paresthesia", "Intermittent paresthesia in both hands at night.", "R20.2"),
    ],
)
def test_a_lone_word_follows_a_see_to_the_site_its_phrase_names(tree, word, line, code):
    result = walk_lone_word(tree, word, line)
    assert result is not None and result.code == code, result


@pytest.mark.parametrize(
    ("word", "line", "wrong"),
    [
        # site words of the sentence that the lone modifier does not qualify lead nowhere
        ("adherent", "Thick secretions adherent to the trachea were suctioned.", "J39.8"),
        ("enlarged", "We enlarged the diaphragmatic hiatus with scissors.", "Q79.1"),
        ("bleeding", "Minimal bleeding due to low cardiac reserve.", "I51.89"),
        ("bleeding", "Some bleeding around the posterior bladder wall was controlled.", "N32.89"),
        ("gangrene", "Single peroneal artery runoff; gangrene of the left fifth toe.", "I77.5"),
    ],
)
def test_a_lone_modifier_does_not_reach_a_code_through_the_sentences_other_words(tree, word, line, wrong):
    result = walk_lone_word(tree, word, line)
    assert result is None or result.code != wrong, result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # one word of the list "neuritis, radiculitis, radiculopathy or sciatica" is enough
        ("herniation", "lumbar disc herniation with radiculopathy", "M51.16"),
        # "lumbar region", "sacral region": the note need not say "region"
        ("pressure ulcer", "pressure ulcer of the sacrum, stage 3", "L89.15"),
    ],
)
def test_lists_of_alternatives_and_region_words(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


@pytest.fixture(scope="module")
def engine(tree, store):
    from cac.coding import Engine

    return Engine(store=store)


def _coded(engine, note, code):
    result = engine.suggest(note, setting="outpatient")
    found = [s for s in result["suggestions"] if s["code"] == code and s["score"] >= result["threshold"]]
    assert found, [(s["code"], round(s["score"], 2)) for s in result["suggestions"]]
    return result, [note[e["start"] : e["end"]] for e in found[0]["evidence"]]


def test_a_with_joins_a_mention_to_the_condition_after_it(engine):
    # the index's combination (Calculus > ureter > with hydronephrosis) needs the other mention's words
    result, evidence = _coded(
        engine, "Assessment: obstructing left ureteral stone with moderate hydronephrosis.", "N13.2"
    )
    assert evidence == ["stone"]


def test_the_main_term_named_outranks_an_inclusion_term(engine):
    # "polyneuropathy" is the main term Polyneuropathy, not the inclusion term of A69.22 (Lyme disease)
    result, evidence = _coded(engine, "Assessment: Type 1 DM with diabetic polyneuropathy.", "E10.42")
    assert "A69.22" not in {s["code"] for s in result["suggestions"]}
    result, evidence = _coded(engine, "Assessment: Cholelithiasis without cholecystitis.", "K80.20")
    assert evidence == ["Cholelithiasis without cholecystitis"]


def test_a_one_letter_abbreviation_needs_its_number(engine):
    result = engine.suggest("A/P:\n1. Hypertension, controlled.\nVitals: T 37.1, P 88", setting="outpatient")
    assert "P" not in [m["text"] for m in result["mentions"] if m["start"] < 5]


@pytest.mark.parametrize(
    ("note", "code", "evidence"),
    [
        # the index stops at an unspecified code; the tabular sibling the clause states is the code
        ("Assessment: Major depressive disorder, recurrent episode, moderate.", "F33.1", "Major depressive disorder"),
        ("Assessment: Acute osteomyelitis of R 2nd toe.", "M86.171", "Acute osteomyelitis"),
        (
            "Assessment: Seropositive rheumatoid arthritis of multiple sites (hands, wrists, feet).",
            "M05.79",
            "Seropositive rheumatoid arthritis",
        ),
    ],
)
def test_an_unspecified_code_gives_way_to_the_tabular_code_the_clause_states(engine, note, code, evidence):
    result, spans = _coded(engine, note, code)
    assert evidence in spans[0], spans


def test_one_mention_naming_two_sites_gives_two_codes(engine):
    note = "Assessment: Acute deep vein thrombosis, left femoral and popliteal veins."
    for code in ("I82.412", "I82.432"):
        result, spans = _coded(engine, note, code)
        assert spans == ["deep vein thrombosis"]


def test_no_tabular_code_is_chosen_for_words_the_note_does_not_state(tree, store):
    from cac.coding.index_walk import TabularRefiner, side_words

    refiner = TabularRefiner(store, "ICD-10-CM")
    line = "Acute DVT of the left leg"
    assert refiner.refine("I82.409", context_words(line) | side_words(line)) == ["I82.402"]
    assert refiner.refine("J18.9", context_words("Community acquired pneumonia")) == ["J18.9"]
    assert refiner.refine("E11.9", context_words("Type 2 diabetes, moderate")) == ["E11.9"]  # not unspecified
    # a code no more specified than the one it would replace ("Unspecified malignant neoplasm of skin") is no refinement
    assert refiner.refine("C44.91", context_words("basal cell carcinoma") | {"malign", "neoplasm"}) == ["C44.91"]


@pytest.mark.parametrize(
    ("note", "code", "evidence"),
    [
        ("Assessment: Schatzki ring at 38 cm.", "K22.2", "Schatzki ring"),  # the index writes "Schatzki's ring"
        ("Assessment: Hypertriglyceridemia.", "E78.1", "Hypertriglyceridemia"),  # "Hypertriglyceridemia, essential"
        ("Assessment: Elevated PSA - rising velocity.", "R97.20", "Elevated PSA"),  # "... antigen [PSA]"
        ("Assessment: admitted for CAP, improving.", "J18.9", "CAP"),  # the expansion's head, pneumonia
        ("Assessment: stable 5 mm solid RUL nodule.", "R91.1", "nodule"),
        ("Assessment: weak stream, incomplete emptying.", "R39.12", "weak stream"),
        ("Assessment: Ingrown toenail, L hallux.", "L60.0", "Ingrown toenail"),
    ],
)
def test_mentions_the_term_lists_used_to_miss(engine, note, code, evidence):
    result, spans = _coded(engine, note, code)
    assert spans == [evidence]


def test_ordinal_numerals_read_as_index_words(tree):
    """ "1st degree" is the index's "first degree" (walk_synonyms.tsv: 1st -> first)."""
    result = walk_line(
        tree, "atrioventricular block", "ECG: sinus rhythm, 1st degree atrioventricular block (PR 224 ms)."
    )
    assert result is not None and result.code == "I44.0", result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # an electronic nicotine product is no cigarette: the index's "specified product NEC"
        ("nicotine dependence", "Nicotine dependence, e-cigarette (vaping)", "F17.290"),
        ("nicotine dependence", "Nicotine dependence; vapes nicotine pods daily", "F17.290"),
        ("nicotine dependence", "Nicotine dependence, electronic cigarettes", "F17.290"),
        ("nicotine dependence", "Nicotine dependence, cigarettes", "F17.210"),
    ],
)
def test_an_electronic_cigarette_is_another_tobacco_product(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # Regurgitation > mitral: see Insufficiency, mitral (I34.0); its own subterm "congenital" is not named
        ("regurgitation", "severe mitral regurgitation", "I34.0"),
        ("regurgitation", "moderate aortic regurgitation", "I35.1"),
    ],
)
def test_a_subterm_see_reference_gives_its_code(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code == code, result


def test_see_reference_names_the_main_term_that_starts_with_the_word(store, imported):
    from cac.codesets.index import SeeFinder

    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")
    row = SeeFinder(list(store.index_rows())).find("Insufficiency, mitral")
    assert row is not None and row.code == "I34.0"  # not "Fracture, insufficiency"


def test_a_connector_that_lost_its_condition_is_not_passed(tree):
    # "Gout, gouty > in (due to) [renal impairment] M10.30": the source dropped the condition; its sites are not
    # reached by a note that never names it
    result = walk_line(tree, "gout", "Acute gout flare of the right knee.")
    assert result is not None and not result.code.startswith("M10.3"), result


def test_a_without_subterm_is_the_default_below_an_uncoded_subterm(tree):
    # Migraine > without aura > not intractable (no code) > without status migrainosus G43.009
    result = walk_line(tree, "migraine", "Migraine without aura, episodic, not intractable.")
    assert result is not None and result.code == "G43.009", result
    result = walk_line(tree, "migraine", "Migraine without aura, intractable.")
    assert result is not None and result.code == "G43.019", result


@pytest.mark.parametrize(
    ("mention", "line", "code"),
    [
        # Fibroid > uterus D25.9, see also Leiomyoma, uterus (the same code): its sites are there
        ("fibroid", "Fibroid uterus with a 3 cm subserosal fibroid.", "D25.2"),
        # Injury > pressure > injury: see Ulcer, pressure, by site
        ("pressure injury", "Stage 2 pressure injury of the heel.", "L89.6"),
    ],
)
def test_see_also_with_the_same_code_and_by_site_references_are_followed(tree, mention, line, code):
    result = walk_line(tree, mention, line)
    assert result is not None and result.code.startswith(code), result


def test_not_in_remission_is_no_remission(tree):
    written, _ = written_and_index_words("AML, complex karyotype, not in remission.")
    assert "~remission" in written and "remission" not in written


@pytest.mark.parametrize(
    ("line", "code"),
    [
        # Ulcer > foot: see Ulcer, lower limb > foot specified NEC > left > with > exposed fat layer
        ("Diabetic foot ulcer, left plantar 1st MTH, fat layer exposed.", "L97.522"),
        ("Chronic ulcer of the right foot, with necrotic bone at the base.", "L97.514"),
    ],
)
def test_a_site_specified_nec_needs_only_the_site(tree, line, code):
    result = walk_line(tree, "foot ulcer", line)
    assert result is not None and result.code == code, result


@pytest.mark.parametrize(
    "line", ["Incarcerated umbilical hernia, preperitoneal fat.", "Painful umbilical hernia, irreducible on exam."]
)
def test_an_incarcerated_hernia_is_one_with_obstruction(tree, line):
    result = walk_line(tree, "umbilical hernia", line)
    assert result is not None and result.code == "K42.0", result


def test_a_spinal_level_before_with_keeps_the_combination_in_the_window():
    from cac.coding.engine import _WITH_BETWEEN

    assert _WITH_BETWEEN.fullmatch(" L3-5 with neurogenic ")
    assert _WITH_BETWEEN.fullmatch(" with ")
    assert not _WITH_BETWEEN.fullmatch(" and back pain with ")
