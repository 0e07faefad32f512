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
