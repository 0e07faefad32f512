"""The Neoplasm Table: a malignancy's code from its site, by the mention's own words, then its near words."""

import pytest

from cac.coding.index_walk import context_words
from cac.coding.neoplasm import IN_SITU, NeoplasmTable


@pytest.fixture(scope="module")
def table(store, imported):
    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")
    return NeoplasmTable(store)


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("pancreatic cancer", "C25.9"),
        ("carcinoma of the esophagus", "C15.9"),
        ("prostate adenocarcinoma", "C61"),
        ("bladder cancer", "C67.9"),
        ("colon cancer", "C18.9"),
    ],
)
def test_site_gives_the_malignant_primary_code(table, words, code):
    found = table.lookup([context_words(words)])
    assert found is not None and found.code == code, found
    assert "Neoplasm, neoplastic" in found.path and found.path.endswith("Malignant Primary")


def test_the_mention_names_the_site_before_its_clause(table):
    # the clause names a second site; the mention's own words decide
    found = table.lookup([context_words("gastric cancer"), context_words("gastric cancer with liver lesions")])
    assert found is not None and found.code == "C16.9"


def test_two_sites_named_equally_decide_nothing(table):
    assert table.lookup([context_words("cancer of the bladder or kidney")]) is None
    assert table.lookup([context_words("cancer, workup ongoing")]) is None


def test_in_situ_column(table):
    found = table.lookup([context_words("carcinoma in situ of the cervix uteri")], IN_SITU)
    assert found is not None and found.code.startswith("D06")


@pytest.fixture(scope="module")
def engine(table, store):
    from cac.coding import Engine

    return Engine(store=store)


@pytest.mark.parametrize(
    ("note", "setting", "expected"),
    [
        ("Assessment: pancreatic cancer, starting FOLFIRINOX.", "outpatient", "C25.9"),
        ("Assessment: adenocarcinoma of the colon, s/p resection, on adjuvant therapy.", "outpatient", "C18.9"),
        ("PMH: history of prostate cancer, s/p prostatectomy 2015.\nA/P: HTN.", "outpatient", "Z85.46"),
        ("FH: sister with colon cancer at 58.\nIndication: screening colonoscopy.", "outpatient", "Z80.0"),
    ],
)
def test_engine_codes_a_malignancy_by_its_site(engine, note, setting, expected):
    result = engine.suggest(note, setting=setting)
    codes = {s["code"] for s in result["suggestions"] if s["system"] == "ICD-10-CM"}
    assert expected in codes and "C80.1" not in codes


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Assessment: liver metastases.", "C78.7"),
        ("Assessment: metastatic disease to bone.", "C79.51"),
        ("Assessment: brain metastases from lung cancer.", "C79.31"),
        ("Assessment: brain cancer.", "C71.9"),  # "brain NEC" is the brain's general site
    ],
)
def test_metastasis_gives_the_secondary_code_of_its_site(engine, note, expected):
    result = engine.suggest(note, setting="outpatient")
    assert expected in {s["code"] for s in result["suggestions"] if s["system"] == "ICD-10-CM"}


def test_secondary_named_and_metastatic_primary(engine):
    codes = lambda note: {s["code"] for s in engine.suggest(note, setting="outpatient")["suggestions"]}  # noqa: E731
    assert "C79.31" in codes("Assessment: secondary malignant neoplasm of brain.")
    # "metastatic colon cancer" names the primary site; where it spread is not written
    found = codes("Assessment: metastatic colon cancer.")
    assert "C18.9" in found and "C78.5" not in found


def test_secondary_to_a_cause_is_no_metastasis(engine):
    from cac.coding.neoplasm import SECONDARY, neoplasm_column

    # "secondary to" names a cause; only a secondary neoplasm asks for the Malignant Secondary column
    assert neoplasm_column("Varices, secondary", "Varices, secondary to portal hypertension") is None
    assert neoplasm_column("cardiomyopathy secondary to chemotherapy", "") is None
    assert neoplasm_column("secondary malignant neoplasm of liver", "") == SECONDARY
    note = "Assessment: Esophageal varices, secondary to alcoholic cirrhosis."
    result = engine.suggest(note, setting="outpatient")
    assert not any(s["code"].startswith(("C77", "C78", "C79")) for s in result["suggestions"])
    varices = next(s for s in result["suggestions"] if s["code"] == "I85.10")
    assert note[varices["evidence"][0]["start"] : varices["evidence"][0]["end"]].startswith("Esophageal varices")


@pytest.mark.parametrize(
    ("words", "histology", "code"),
    [
        ("basal cell carcinoma of the mid back", "basal cell carcinoma", "C44.519"),  # skin, back: trunk, BCC
        ("basal cell carcinoma of the cheek", "basal cell carcinoma", "C44.319"),
        ("basal cell carcinoma", "basal cell carcinoma", "C44.91"),  # no site: skin, unspecified
        ("squamous cell carcinoma of the forearm", "squamous cell carcinoma", "C44.62"),  # forearm NEC: the skin
        ("squamous cell carcinoma of the scalp", "squamous cell carcinoma", "C44.42"),
        ("squamous cell carcinoma of the lung", "squamous cell carcinoma", "C34.9"),  # a site of its own
    ],
)
def test_skin_cancer_histology_walks_the_skin_rows(table, words, histology, code):
    found = table.lookup([context_words(words)], histology=histology)
    assert found is not None and found.code == code, found


def test_the_clause_names_the_subsite_of_the_site_found(table):
    # the near words name the breast; the clause after the comma names its quadrant
    near, clause = context_words("L breast carcinoma"), context_words("L breast carcinoma, upper outer quadrant")
    found = table.lookup([context_words("carcinoma"), near, clause])
    assert found is not None and found.code == "C50.4" and "upper-outer quadrant" in found.path
    # the clause may deepen the site found, not replace it with another root
    found = table.lookup([context_words("gastric cancer"), context_words("gastric cancer, liver lesions")])
    assert found is not None and found.code == "C16.9"


@pytest.mark.parametrize(
    ("clause", "words"),
    [
        ("left breast mass at 2 o'clock", "upper-outer quadrant"),  # left breast: 12-3 is upper-outer
        ("right breast mass at 2 o'clock", "upper-inner quadrant"),
        ("right breast, 10:30 position", "upper-outer quadrant"),  # right breast: 9-12 is upper-outer
        ("L breast IDC at 7 o'clock", "lower-inner quadrant"),
        ("right breast 12 o'clock", "upper"),  # on the border of two quadrants: the half
        ("left breast cancer, UOQ", "upper-outer quadrant"),
        ("breast cancer, lower inner", "lower-inner quadrant"),
        ("subareolar breast cancer", "central portion"),
        ("breast mass at 2 o'clock", ""),  # no side: the clock does not say which quadrant
    ],
)
def test_breast_quadrant_from_clock_and_abbreviations(clause, words):
    from cac.coding.neoplasm import breast_quadrant

    assert breast_quadrant(clause) == words


@pytest.mark.parametrize(
    ("note", "code", "evidence"),
    [
        ("A/P: Basal cell carcinoma of the mid back - excised today, await margins.", "C44.519", "Basal cell"),
        ("A/P: SCC of the left forearm, excision scheduled.", "C44.629", "SCC"),
        (
            "HPI: 52 y/o F.\nA/P: Malignant neoplasm of upper-outer quadrant of left breast, on adjuvant chemo.",
            "C50.412",
            "neoplasm",
        ),
        ("A/P: 60 year old woman with right breast cancer at 10 o'clock, on tamoxifen.", "C50.411", "breast cancer"),
    ],
)
def test_engine_codes_skin_and_breast_sites(engine, note, code, evidence):
    result = engine.suggest(note, setting="outpatient")
    found = next((s for s in result["suggestions"] if s["code"] == code), None)
    assert found is not None, [s["code"] for s in result["suggestions"]]
    assert any(evidence in e["text"] for e in found["evidence"])
    assert found["score"] >= result["threshold"]


def test_past_dcis_is_history_of_in_situ_breast_neoplasm(engine):
    result = engine.suggest("PMH: h/o left breast DCIS 2003 s/p lumpectomy and radiation.\nA/P: HTN.", "outpatient")
    z = next((s for s in result["suggestions"] if s["code"] == "Z86.000"), None)
    assert z is not None and any("DCIS" in e["text"] for e in z["evidence"])
