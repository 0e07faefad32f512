"""Wordings of translated case reports (CodiEsp train review, helper C) coded end to end on made-up one-line notes:
translated and European terms (enolism, polycystosis, neoformation, epigastralgia), a lymphadenopathy named by its
site, a mass of an organ the index's Mass entry does not list; and words that name no condition (the nervous system,
a blood gas, an inflammatory infiltrate, TAC as a scan, mitosis).

These test the lexicon and the index walk, so they read the hand-set scores (see test_common_wordings.py)."""

import pytest

from tests.coding.helpers import coded, spans


@pytest.fixture(scope="module")
def engine(store):
    from cac.coding import Engine

    return Engine(store=store, rerank=False)


def _note(sentence: str) -> str:
    return f"A 58-year-old man was admitted to our hospital.\n{sentence}\n"


@pytest.mark.parametrize(
    ("sentence", "code", "span"),
    [
        # translated and European wordings
        ("He reported severe enolism for years.", "F10.20", "enolism"),
        ("On arrival he was hypotensive and pale.", "I95.9", "hypotensive"),
        ("The girl had convergent strabismus.", "H50.9", "strabismus"),
        ("Ultrasound showed hepatorenal polycystosis.", "Q61.3", "hepatorenal polycystosis"),
        ("Laboratory tests showed plateletopenia.", "D69.6", "plateletopenia"),
        ("He consulted for macroscopic hematuria.", "R31.0", "macroscopic hematuria"),
        ("He was admitted for upper digestive hemorrhage.", "K92.2", "upper digestive hemorrhage"),
        ("The child had catarrhal symptoms for a week.", "J00", "catarrhal symptoms"),
        ("She is hysterectomized.", "Z90.710", "hysterectomized"),
        ("He was followed for hepatopathy.", "K76.9", "hepatopathy"),
        ("He presented with epigastralgia.", "R10.13", "epigastralgia"),
        ("The infant was dehydrated.", "E86.0", "dehydrated"),
        ("She had febricula in the evenings.", "R50.9", "febricula"),
        ("Ultrasound showed left ureterohydronephrosis.", "N13.30", "ureterohydronephrosis"),
        ("She noticed decreased visual acuity.", "H54.7", "decreased visual acuity"),
        # nodal metastases; a lymphadenopathy named by its site is localized (Lymphadenopathy > localized R59.0)
        ("Staging showed lymph node metastases.", "C77.9", "lymph node metastases"),
        ("He had painful cervical lymphadenopathy.", "R59.0", "cervical lymphadenopathy"),
        ("CT showed retroperitoneal adenopathies.", "R59.0", "retroperitoneal adenopathies"),
        # a mass of an organ the Mass entry does not list: Mass, specified organ NEC - see Disease, by site
        ("Ultrasound showed a left scrotal mass.", "N50.9", "scrotal mass"),
        ("Cystoscopy showed a bladder mass.", "N32.9", "bladder mass"),
        # the eyelid's edema written with its adjective ("palpebral")
        ("He had right palpebral edema.", "H02.843", "edema"),
        ("He has been wheelchair-bound since his stroke.", "Z99.3", "wheelchair-bound"),
        ("Fecal occult blood was positive.", "R19.5", "Fecal occult blood was positive"),
        ("He presented with ocular proptosis.", "H05.20", "ocular proptosis"),
        ("OCT showed macular edema.", "H35.81", "macular edema"),
        ("Neurological exam showed hyperreflexia.", "R29.2", "hyperreflexia"),
        ("Laboratory tests showed progressive anemization.", "D64.9", "anemization"),
        ("He was treated for cardiac insufficiency.", "I50.9", "cardiac insufficiency"),
        ("He had an upper respiratory tract infection.", "J06.9", "upper respiratory tract infection"),
        ("Laboratory tests showed deterioration of renal function.", "N28.9", "deterioration of renal function"),
        ("She was hypertensive, obese and a smoker.", "I10", "hypertensive"),
    ],
)
def test_translated_wording_is_coded(engine, sentence, code, span):
    text = _note(sentence)
    codes = coded(engine, text, setting="inpatient")
    assert code in codes, sorted(codes)
    assert span in spans(text, codes[code])


def test_an_unqualified_lymphadenopathy_stays_generalized(engine):
    codes = coded(engine, _note("He had lymphadenopathy."), setting="inpatient")
    assert "R59.1" in codes and "R59.0" not in codes


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        # Neoplasm, by site, unspecified behavior: a neoplasm the note calls neither malignant nor benign
        ("Colonoscopy showed a neoformation of the sigmoid colon.", "D49.0"),
        ("CT showed a neoformation in the right kidney.", "D49.511"),
        ("Biopsy confirmed a colon neoplasia.", "D49.0"),
        # the site is stated: "unspecified behavior" is no detail for a sibling to add (not D49.9)
        ("Cystoscopy showed a bladder neoplasm.", "D49.4"),
    ],
)
def test_a_neoplasm_of_unspecified_behaviour_takes_its_site(engine, sentence, code):
    text = _note(sentence)
    codes = coded(engine, text, setting="inpatient")
    assert code in codes, sorted(codes)
    assert not any(c.startswith("C") for c in codes)


def test_a_malignant_or_intraepithelial_neoplasia_is_not_of_unspecified_behaviour(engine):
    assert "C67.9" in coded(engine, _note("He had a malignant neoplasm of the bladder."), setting="inpatient")
    codes = coded(engine, _note("She had cervical intraepithelial neoplasia."), setting="inpatient")
    assert not any(c.startswith("D49") for c in codes), sorted(codes)


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("Sarcoidosis with involvement of the central nervous system was diagnosed.", "R45.0"),
        ("Arterial gas showed a pH of 7.21.", "R14.3"),
        ("Venous blood gas was normal.", "R14.3"),
        ("Duodenal biopsy showed an inflammatory infiltrate in the lamina propria.", "R91.8"),
        ("The mesentery was infiltrated by the sarcoma.", "R91.8"),
        ("Transit was restored with an end-to-end anastomosis.", "K63.89"),
        ("Pain was controlled with a PCA pump.", "R20.0"),
        ("A TAC was performed, which showed a liver mass.", "G44.099"),
        ("In the FFA (fluorescein angiography), leakage was seen.", "L66.12"),
        ("Histology showed numerous mitosis.", "H57.03"),
        ("He presented with macroscopic hematuria.", "R31.29"),
        ("A fecal occult blood test was ordered.", "R19.5"),
        # "Tumor, benign - see Neoplasm, benign, by site" names the Table of Neoplasms, not the main term
        # "Neoplasm, benign lipomatous" (D17.9)
        ("He had a benign tumor of the parotid gland.", "D17.9"),
    ],
)
def test_a_word_that_names_no_condition_is_not_coded(engine, sentence, absent):
    assert absent not in coded(engine, _note(sentence), setting="inpatient")


def test_nervousness_and_a_headache_syndrome_are_still_coded(engine):
    result = engine.suggest(_note("He was nervous before the operation."), setting="inpatient")
    assert any(s["code"] == "R45.0" for s in result["suggestions"])  # still read (hand-set score below threshold)
    codes = coded(engine, _note("He has a TAC with daily headaches and lacrimation."), setting="inpatient")
    assert "G44.099" in codes, sorted(codes)


def test_neoplasm_column_of_an_unspecified_neoplasm():
    from cac.coding.neoplasm import BENIGN, PRIMARY, UNSPECIFIED, neoplasm_column

    assert neoplasm_column("neoformation", "a neoformation of the colon") == UNSPECIFIED
    assert neoplasm_column("neoplasm", "a benign neoplasm of the parotid") == BENIGN
    assert neoplasm_column("malignant neoplasm", "malignant neoplasm of the bladder") == PRIMARY
    assert neoplasm_column("tumor", "a tumor of the ovary") is None  # a lone tumour: its histology is elsewhere
    assert neoplasm_column("neoplasia", "cervical intraepithelial neoplasia") is None


def test_macular_edema_is_integral_to_a_diabetic_retinopathy_with_macular_edema(engine):
    text = _note("Type 2 diabetes with moderate NPDR with macular edema, right eye.")
    codes = coded(engine, text, setting="inpatient")
    assert "E11.3311" in codes, sorted(codes)
    assert "H35.81" not in codes and "R60.9" not in codes
