"""Assertion rules on short clinical sentences: assert_target and detect_cues."""

from __future__ import annotations

import pytest

from cac.nlp import ASSERTIONS, assert_target, detect_cues


def label(sentence: str, target: str) -> str:
    i = sentence.index(target)
    return assert_target(sentence, i, i + len(target)).label


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        # negation, forward and backward
        ("Patient denies chest pain.", "chest pain", "negated"),
        # a diagnosis weighed and set aside
        ("Adrenal crisis was considered and is not supported by the normal sodium.", "Adrenal crisis", "negated"),
        # "ruled out for" excludes what follows it; a question or a concern weighed is no diagnosis
        ("She was ruled out for myocardial infarction with serial troponins.", "myocardial infarction", "negated"),
        ("His wife snores too; he is questioning whether he has sleep apnea.", "sleep apnea", "possible"),
        ("There is a question whether this is early pulmonary edema.", "pulmonary edema", "possible"),
        ("Given his steady weight gain, diabetes is a real concern.", "diabetes", "possible"),
        # resolved with or after a treatment: present and treated this stay; resolved alone: gone
        ("Delirium superimposed on dementia - resolved with treatment of infection.", "Delirium", "present"),
        ("Nausea - resolved after ondansetron.", "Nausea", "present"),
        ("Nausea resolved.", "Nausea", "negated"),
        # a wrapped line goes on in lower case: the negation reaches the next line
        ("No fever, neck stiffness,\nvisual loss, weakness or numbness.", "weakness", "negated"),
        ("No fever.\nWeakness of the left arm.", "Weakness", "present"),
        # return and call precautions
        ("RTC 3 months or PRN; call for fever, redness or swelling of the knee.", "swelling", "hypothetical"),
        ("Return if unable to swallow liquids, drooling, or fever persists > 48 h.", "fever", "hypothetical"),
        ("Return to the ED for chest pain or shortness of breath.", "shortness of breath", "hypothetical"),
        ("Return of chest pain yesterday.", "chest pain", "present"),
        # immunity and vaccines, testing for, healed scars
        ("Rubella immune; HIV negative.", "Rubella", "negated"),
        ("Serology: tested for hepatitis C.", "hepatitis C", "possible"),
        ("WLE scar L upper back well healed, no pigment.", "scar", "historical"),
        ("No evidence of pneumothorax.", "pneumothorax", "negated"),
        ("Negative for fever.", "fever", "negated"),
        # a past illness the patient is over
        ("Had shingles in 2019, fully recovered.", "shingles", "historical"),
        ("Negative   for fever.", "fever", "negated"),
        ("ROS is -ve for weight loss.", "weight loss", "negated"),
        ("Free of any rash.", "rash", "negated"),
        ("Pulmonary embolism was ruled out.", "Pulmonary embolism", "negated"),
        ("Blood cultures were negative.", "Blood cultures", "negated"),
        ("Her nausea resolved.", "nausea", "negated"),
        ("Allergies: None.", "Allergies", "present"),
        ("She was not tachycardic.", "tachycardic", "negated"),
        ("In no acute distress.", "acute distress", "negated"),
        ("No change in vision or diplopia.", "diplopia", "negated"),
        ("There is lack of edema.", "edema", "negated"),
        # lists
        ("No fever, chills, or cough.", "fever", "negated"),
        ("No fever, chills, or cough.", "chills", "negated"),
        ("No fever, chills, or cough.", "cough", "negated"),
        # scope stops at but/however and at sentence/clause ends
        ("No fever but has productive cough.", "productive cough", "present"),
        ("Denies nausea; however, reports abdominal pain.", "abdominal pain", "present"),
        ("No edema. Crackles at the bases.", "Crackles", "present"),
        ("IMPRESSION: No pneumothorax. FINDINGS: Left effusion.", "Left effusion", "present"),
        ("Denies headache, reports dizziness.", "dizziness", "present"),
        # pseudo-triggers
        ("No increase in the size of the nodule.", "nodule", "present"),
        ("Not only pneumonia but also sepsis.", "pneumonia", "present"),
        ("Gram negative rods in the urine.", "rods", "present"),
        ("No significant change in the pleural effusion.", "pleural effusion", "present"),
        ("No interval change in hydronephrosis.", "hydronephrosis", "present"),
        # possible
        ("Rule out pneumonia.", "pneumonia", "possible"),
        ("R/O celiac sprue.", "celiac sprue", "possible"),
        ("CT to evaluate for appendicitis.", "appendicitis", "possible"),
        ("Atelectasis versus pneumonia.", "Atelectasis", "possible"),
        ("Atelectasis versus pneumonia.", "pneumonia", "possible"),
        ("Findings suspicious for malignancy.", "malignancy", "possible"),
        ("Cannot rule out early appendicitis.", "early appendicitis", "possible"),
        ("Probable viral syndrome.", "viral syndrome", "possible"),
        ("PE considered: D-dimer mildly elevated, Wells low.", "PE", "possible"),
        ("Pneumonia was considered but the film is clear.", "Pneumonia", "possible"),
        ("Considered adrenal crisis; cortisol pending.", "adrenal crisis", "possible"),
        ("CKD stage 3, considered stable.", "CKD stage 3", "present"),
        ("PE was considered and ruled out by CTA.", "PE", "negated"),
        # historical
        ("History of myocardial infarction.", "myocardial infarction", "historical"),
        ("S/p appendectomy.", "appendectomy", "historical"),
        ("Lymphoma in remission.", "Lymphoma", "historical"),
        ("Acute leukemia, not in remission.", "Acute leukemia", "present"),
        ("No history of seizures.", "seizures", "negated"),
        ("45 year old man with pneumonia.", "pneumonia", "present"),
        # hypothetical
        ("Return if fever develops.", "fever", "hypothetical"),
        ("Call if chest pain recurs.", "chest pain", "hypothetical"),
        # family
        ("Mother had breast cancer.", "breast cancer", "family"),
        ("Family history of colon cancer.", "colon cancer", "family"),
        ("Diabetes in his father.", "Diabetes", "family"),
        ("Patient has hypertension.", "hypertension", "present"),
        # a spaced dash heads what follows: the cause is uncertain, the headline is not
        ("Syncope - likely orthostatic vs arrhythmic.", "Syncope", "present"),
        ("Chest pain - likely GERD vs musculoskeletal.", "GERD", "possible"),
        ("Abd pain - appendicitis ruled out.", "Abd pain", "present"),
        ("DVT - ruled out.", "DVT", "negated"),
        ("Pneumonia vs atelectasis.", "Pneumonia", "possible"),
        # "X risk" is a risk, within its own phrase; "not tested" denies
        ("Salpingectomy may lower ovarian cancer risk.", "ovarian cancer", "hypothetical"),
        ("Atrial fibrillation, stroke risk CHA2DS2-VASc 4.", "Atrial fibrillation", "present"),
        ("HTN - risk factor modification.", "HTN", "present"),
        ("No diarrhea; C. diff not tested.", "C. diff", "negated"),
        # a history said to hold nothing of note negates only itself, not the findings after it
        ("A boy with no relevant past medical history presented with fever and neck swelling.", "fever", "present"),
        ("A man without relevant medical history, who consulted for chest pain.", "chest pain", "present"),
        ("A woman with no family history of interest and personal history of asthma.", "asthma", "historical"),
        ("No significant history of bleeding.", "bleeding", "negated"),
        # a test named between "negative" and "for"; "were negative for" names what was not found
        ("Negative exercise stress echocardiogram for inducible ischemia.", "inducible ischemia", "negated"),
        ("Cultures were negative for MRSA.", "MRSA", "negated"),
        # a negation inside parentheses ends at the closing one; one heading a list reaches over an aside
        ("CAD (stent 2015, no angina since), COPD on inhalers, HTN.", "angina", "negated"),
        ("CAD (stent 2015, no angina since), COPD on inhalers, HTN.", "COPD", "present"),
        ("CAD (stent 2015, no angina since), COPD on inhalers, HTN.", "HTN", "present"),
        ("No fever (checked at home), chills or cough.", "cough", "negated"),
        ("Denies: a) fever, b) chills.", "chills", "negated"),
    ],
)
def test_assertion_rules(sentence: str, target: str, expected: str) -> None:
    assert label(sentence, target) == expected


def test_trigger_is_recorded_with_offsets() -> None:
    s = "Patient denies chest pain."
    res = assert_target(s, s.index("chest"), s.index("chest") + 10)
    assert res.label in ASSERTIONS
    assert res.trigger is not None
    assert s[res.trigger.start : res.trigger.end] == res.trigger.text == "denies"


def test_present_has_no_trigger() -> None:
    s = "Acute appendicitis."
    res = assert_target(s, 6, 18)
    assert res.label == "present" and res.trigger is None


def test_out_of_range_target_is_clamped() -> None:
    assert assert_target("No fever.", 50, 70).label in ASSERTIONS


def test_detect_cues() -> None:
    s = "No fracture, possibly a sprain."
    cues = detect_cues(s)
    kinds = {(c.kind, c.text) for c in cues}
    assert ("negation", "No") in kinds and ("speculation", "possibly") in kinds
    for c in cues:
        assert s[c.start : c.end] == c.text


def test_detect_cues_none_in_plain_sentence() -> None:
    assert detect_cues("Heart size is normal.") == []


def test_disjunction_is_speculation_unless_negated() -> None:
    assert any(c.kind == "speculation" for c in detect_cues("Atelectasis or pneumonia."))
    assert not any(c.kind == "speculation" for c in detect_cues("No fever or chills."))


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        ("Will refer to ophthalmology for dilated eye exam.", "dilated eye exam", "hypothetical"),
        ("Repeat EGD in 8 weeks.", "EGD", "hypothetical"),
        ("PE unlikely given negative D-dimer.", "PE", "possible"),
        ("No family history of aneurysm.", "aneurysm", "negated"),
        ("TTE not indicated.", "TTE", "negated"),
        ("Former smoker.", "smoker", "historical"),
        ("Flu vaccine given, preservative-free.", "Flu vaccine", "present"),
        ("Two-day history of fever.", "fever", "present"),
    ],
)
def test_plan_and_experiencer_rules(sentence: str, target: str, expected: str) -> None:
    assert label(sentence, target) == expected


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        ("EGD if no improvement.", "EGD", "hypothetical"),
        ("Septic arthritis not suspected.", "Septic arthritis", "negated"),
        ("Gallstone pancreatitis excluded by US.", "Gallstone pancreatitis", "negated"),
        ("Patient has not had genetic testing.", "genetic testing", "negated"),
    ],
)
def test_conditional_and_exclusion_rules(sentence: str, target: str, expected: str) -> None:
    assert label(sentence, target) == expected


def test_relative_heading_its_clause_does_not_reach_back_over_the_patients_items():
    sentence = "Risk factors: HTN, current smoker 1 ppd, brother with MI at 50."
    smoker = sentence.index("smoker")
    assert assert_target(sentence, smoker, smoker + 6).label == "present"
    mi = sentence.index("MI")
    assert assert_target(sentence, mi, mi + 2).label == "family"
    breast = "Breast cancer in mother."
    assert assert_target(breast, 0, 13).label == "family"


def test_relative_who_lives_with_brings_or_reports_is_no_experiencer():
    for sentence, target in [
        ("84-year-old woman (lives with daughter) with dementia", "dementia"),
        ("brought in by daughter for 2 days of confusion", "confusion"),
        ("Mom reports fever x 2 days", "fever"),
    ]:
        i = sentence.index(target)
        assert assert_target(sentence, i, i + len(target)).label == "present", sentence


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        # a relative the clinician speaks with is no experiencer, unless a clause of its own says what it has
        ("Discussed with daughter, who has breast cancer.", "breast cancer", "family"),
        ("Plan explained to the patient's parents; she has asthma.", "asthma", "present"),
        ("Spoke with son regarding her dementia.", "dementia", "present"),
        # a relative who reports, agrees or is at the bedside speaks for the patient
        ("Mother at bedside reports patient had fever.", "fever", "present"),
        ("Mother and daughter agree that her cellulitis is worse.", "cellulitis", "present"),
        # a spouse's own condition is not the patient's
        ("Wife has COPD.", "COPD", "family"),
        ("Lives with her husband, who has dementia.", "dementia", "family"),
        # risks talked of with a relative are hypothetical
        (
            "Risks were discussed with the patient's parents including malunion, infection and stroke.",
            "stroke",
            "hypothetical",
        ),
    ],
)
def test_experiencer_rule(sentence, target, expected):
    assert label(sentence, target) == expected


def test_trigger_phrases_spell_alternatives_in_braces() -> None:
    from cac.nlp.assertion import expand_phrase

    assert expand_phrase("{no|without} {relevant |}history") == [
        "no relevant history",
        "no history",
        "without relevant history",
        "without history",
    ]
    assert expand_phrase("negative for") == ["negative for"]


def test_trigger_alternation_grouped_by_first_character_matches_as_the_plain_one() -> None:
    import re

    from cac.nlp.assertion import by_first_character

    alternatives = [r"no\s+evidence\s+of", r"negative\s+for", r"\(\-\)", r"not", r"no", r"denies"]
    text = "Pt denies CP. No evidence of DVT; negative for PE, not anemic, (-) edema, nothing else, no  fever."
    plain = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?![\w-])", re.IGNORECASE)
    grouped = re.compile(rf"(?<!\w)(?:{by_first_character(alternatives)})(?![\w-])", re.IGNORECASE)
    assert grouped.pattern != plain.pattern
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.group() for m in grouped.finditer(text)][:2] == ["denies", "No evidence of"]


def test_a_long_denial_list_of_short_items_is_denied_to_its_end() -> None:
    items = (
        "fevers, chills, weight loss, fatigue, thyroid disease, night sweats, anorexia, bone pain, headaches, "
        "seizures, angina, peripheral edema, claudication, orthopnea, rashes, cough, hemoptysis, shortness of "
        "breath, dyspnea at two flights of stairs, hoarseness, GI bleeding, dysphagia, or hematuria"
    )
    sentence = f"She denies {items}."
    assert label(sentence, "hematuria") == "negated"
    assert label(sentence, "GI bleeding") == "negated"
    # a run-on clause with no list still stops at the word cap
    prose = "He denies pain " + "and then he walked to the store with his brother " * 6 + "and reports hematuria."
    assert label(prose, "hematuria") == "present"


def test_a_possible_diagnosis_heads_its_own_list_item() -> None:
    sentence = "Possible ischemic colitis, bilateral hydronephrosis, acute renal failure, gastric ulcer."
    assert label(sentence, "ischemic colitis") == "possible"
    assert label(sentence, "acute renal failure") == "present"
    assert label(sentence, "gastric ulcer") == "present"
    # a disjunction keeps the whole list uncertain
    assert label("Possible pneumonia, bronchitis or asthma.", "bronchitis") == "possible"


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        # a lab result after its test
        ("HIV neg.", "HIV", "negated"),
        ("HIV screen nonreactive.", "HIV", "negated"),
        ("RPR non-reactive, HIV (-).", "HIV", "negated"),
        # an episode dated in a past year; the year it was found, or one to come, dates no past episode
        ("DTs in 2021.", "DTs", "historical"),
        ("PE in 2018 on no treatment.", "PE", "historical"),
        ("Pneumonia in March 2020.", "Pneumonia", "historical"),
        ("Addison disease diagnosed in 2018, on hydrocortisone.", "Addison disease", "present"),
        ("Pregnancy due in 2027.", "Pregnancy", "present"),
        ("Ulcerative colitis since 2019.", "Ulcerative colitis", "present"),
    ],
)
def test_lab_results_and_dated_episodes(sentence, target, expected):
    assert label(sentence, target) == expected


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        ("He smoked 1 pack per day for 40 years and quit in 2019.", "smoked", "historical"),
        ("She smokes 1 ppd and quit drinking last year.", "smokes", "present"),
    ],
)
def test_a_habit_given_up_later_in_its_sentence(sentence, target, expected):
    assert label(sentence, target) == expected
