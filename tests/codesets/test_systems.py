import pytest

from cac.codesets import InvalidCodeError, UnknownSystemError, canonical_system, normalise_code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("icd10cm", "ICD-10-CM"),
        ("ICD-10-CM", "ICD-10-CM"),
        ("icd-10-pcs", "ICD-10-PCS"),
        ("pcs", "ICD-10-PCS"),
        ("cpt", "CPT"),
        ("HCPCS", "HCPCS"),
    ],
)
def test_canonical_system_accepts_aliases(name, expected):
    assert canonical_system(name) == expected


def test_unknown_system_is_rejected_with_the_known_ones_named():
    with pytest.raises(UnknownSystemError, match="ICD-10-CM"):
        canonical_system("icd9")


@pytest.mark.parametrize(
    ("system", "raw", "expected"),
    [
        ("ICD-10-CM", " e1122 ", "E11.22"),
        ("ICD-10-CM", "E11.22", "E11.22"),
        ("ICD-10-CM", "e11", "E11"),
        ("ICD-10-CM", "s72.001a", "S72.001A"),
        ("ICD-10-CM", "QA0.0101", "QA0.0101"),
        ("ICD-10-CM", "I63.9-", "I63.9"),
        ("ICD-10-PCS", "0dtj4zz", "0DTJ4ZZ"),
        ("ICD-10-PCS", "0DTJ", "0DTJ"),
        ("CPT", "45380", "45380"),
        ("CPT", "0001u", "0001U"),
        ("HCPCS", "j1885", "J1885"),
    ],
)
def test_normalise_code(system, raw, expected):
    assert normalise_code(system, raw) == expected


@pytest.mark.parametrize(
    ("system", "raw"),
    [
        ("ICD-10-CM", "E1"),
        ("ICD-10-CM", "123.4"),
        ("ICD-10-CM", "E11.22222"),
        ("ICD-10-PCS", "0DTJ4ZZ9"),
        ("ICD-10-PCS", "0DIJ4ZZ"),
        ("CPT", "4538"),
        ("CPT", "4538X"),
        ("HCPCS", "J188"),
        ("HCPCS", "Z1885"),
    ],
)
def test_malformed_codes_raise(system, raw):
    with pytest.raises(InvalidCodeError):
        normalise_code(system, raw)
