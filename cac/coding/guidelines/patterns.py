"""Word patterns several rule families share: the patient's stated age, a denial just before a phrase, an allergy
list or statement. One definition each, imported where a rule reads them."""

from __future__ import annotations

import re

# The patient's age in years: "14-year-old", "12 yo", "68 y/o", "3 y.o.", "35 yrs. old", "Age: 9" (the number in
# the first group that took part).
AGE = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:y/?o\b|yo\b|y\.o\.|yrs?\.?[- ]?old\b|years?[- ]?old\b|years?/o\b)|\bage[:\s]+(\d{1,3})\b",
    re.IGNORECASE,
)


def age_years(match: re.Match[str]) -> int:
    """The age a match of ``AGE`` (or of a pattern built on it) states."""
    return int(next(g for g in match.groups() if g))


def stated_age(text: str) -> int | None:
    """The patient's age in years where the note states it first, None when it does not."""
    match = AGE.search(text)
    return age_years(match) if match else None


# Words that deny what follows them in the clause ("no septic shock", "denies prior preterm birth"); each rule family
# adds the words its own reading needs (``denied_before``).
DENIAL_WORDS = r"no|without|denies|negative for"


def denied_before(extra: str = "", reach: int | None = 25, stops: str = ".;\\n") -> re.Pattern[str]:
    """A denial word standing at most ``reach`` characters (None: any number) before the end of a text, within its
    clause (``stops`` end a clause); ``extra``: more alternatives that deny in that rule's reading."""
    words = f"{DENIAL_WORDS}|{extra}" if extra else DENIAL_WORDS
    within = "*" if reach is None else f"{{0,{reach}}}"
    return re.compile(rf"\b(?:{words})\b[^{stops}]{within}$", re.IGNORECASE)


# A section header of an allergy list ("ALLERGIES:", "Drug intolerances:", "Adverse reactions:").
ALLERGY_HEADER = re.compile(r"allerg|intoleran|sensitivit|adverse (?:drug )?reactions?", re.IGNORECASE)
# An allergy statement before a reaction in its clause: "allergic to latex (hives)", "PCN allergy - rash",
# "intolerant of statins (myalgias)"; not an allergic condition ("allergic reaction", "allergic rhinitis").
ALLERGY_STATEMENT = re.compile(
    r"\ballerg(?:y|ies|ic)\b(?!\s+(?:reaction|response|rhinitis|conjunctivitis|dermatitis|asthma|bronchopulmonary|"
    r"contact|shiners|colitis|proctocolitis|gastroenteritis|eosinophilic|symptoms|season|flare))"
    r"|\bintoleran\w*|\bsensitivity to\b",
    re.IGNORECASE,
)


# Another person named as the subject before a fact in its sentence ("Her daughter is 32 weeks pregnant", "wife is
# expecting"): the fact is theirs, not the patient's.
ANOTHER_PERSON = re.compile(
    r"\b(?:(?:maternal|paternal)\s+)?(?:daughter|son|sister|brother|mother|mom|father|dad|wife|husband|partner|"
    r"girl-?friend|boy-?friend|fianc[eé]e?|friend|niece|nephew|cousin|aunt|grand-?daughter|grand-?mother|"
    r"(?:daughter|sister)-in-law|room-?mate|co-?worker|neighbou?r)s?(?:'s)?\b",
    re.IGNORECASE,
)
# The patient named again after that person: "her sister is pregnant and she is at 20 weeks" is the patient's.
_PATIENT_AGAIN = re.compile(r"\b(?:she|he|patient|pt|herself|himself|G\d+\s*P\d+\w*)\b", re.IGNORECASE)
_SENTENCE_START = re.compile(r"[.;!?](?:\s|$)|\n")


def about_another_person(text: str, start: int) -> bool:
    """The words at ``start`` are about another person named before them in their sentence, not the patient."""
    cuts = [m.end() for m in _SENTENCE_START.finditer(text, max(0, start - 200), start)]
    lead = text[cuts[-1] if cuts else max(0, start - 200) : start]
    people = list(ANOTHER_PERSON.finditer(lead))
    return bool(people) and not _PATIENT_AGAIN.search(lead, people[-1].end())
