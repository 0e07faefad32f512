"""The experiencer of a condition when a relative or a spouse stands near it (ConText's experiencer).

One rule, kept as data in ``resources/experiencer_triggers.tsv``: a person named as the one who lives with,
brings, reports for or is spoken with about the patient is no experiencer of the patient's conditions ("Mom
reports fever", "risks discussed with the parents including stroke"); a person who opens its own clause ("brother
with MI at 50", "daughter, who has breast cancer") has the conditions after it, not those before it. The assertion
module applies it to every "family" trigger; the coding rules ask it again about the words around a family
history (``spoken_with``, ``is_spouse``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from cac.nlp.lexicon import read_rows

ROLES = ("relative", "spouse", "helper", "listener", "reporter", "owner", "link", "attached")
# What a person's word may carry before it: "the patient's parents", "her daughter".
_DETERMINERS = r"(?:\s+(?:his|her|their|the|a|pt'?s|patient'?s)){0,2}"
# How far (characters) listener words may stand before "with" / "to" and the person.
_LISTENER_REACH = 120
_HELPER_REACH = 40


@lru_cache(maxsize=1)
def phrases() -> dict[str, tuple[str, ...]]:
    """The trigger phrases of each role, longest first."""
    out: dict[str, list[str]] = {role: [] for role in ROLES}
    for row in read_rows("experiencer_triggers.tsv"):
        if len(row) >= 2 and row[1] in out:
            out[row[1]].append(" ".join(row[0].lower().split()))
    return {role: tuple(sorted(words, key=len, reverse=True)) for role, words in out.items()}


def _alternation_of(words: list[str] | tuple[str, ...]) -> str:
    """Phrases as one regex alternation (a space matches any whitespace)."""
    return "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in words)


def _alternation(role: str) -> str:
    """The phrases of a role as one regex alternation."""
    return _alternation_of(phrases()[role])


def _word_end(role: str) -> str:
    """The phrases of a role as one alternation; a phrase ending in a word character ends at a word end."""
    words = [p for p in phrases()[role] if p[-1:].isalnum()]
    marks = [p for p in phrases()[role] if not p[-1:].isalnum()]
    parts = [rf"(?:{_alternation_of(words)})(?!\w)"] if words else []
    parts += [_alternation_of(marks)] if marks else []
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=1)
def _risk_words() -> re.Pattern[str]:
    """The listener words whose talk is of risks: what follows the person is hypothetical."""
    words = [
        " ".join(r[0].lower().split())
        for r in read_rows("experiencer_triggers.tsv")
        if r[1:3] == ("listener", "hypothetical")
    ]
    return re.compile(rf"(?<!\w)(?:{_alternation_of(words) or '(?!)'})(?!\w)", re.IGNORECASE)


def _owner_after_helper() -> str:
    """The owner words that make an owner even of a person after a helper word, as one alternation."""
    words = [
        " ".join(r[0].lower().split()) for r in read_rows("experiencer_triggers.tsv") if r[1:3] == ("owner", "helper")
    ]
    return _alternation_of(words) or "(?!)"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    """The compiled patterns of the rule."""
    helper = rf"(?<!\w){_word_end('helper')}(?:\s+(?:in|by|with))?{_DETERMINERS}\s*$"
    listener = rf"(?<!\w){_word_end('listener')}[^.;\n]{{0,{_LISTENER_REACH}}}\b(?:with|to){_DETERMINERS}\s*$"
    person = rf"(?:{_alternation('relative')}|{_alternation('spouse')})"
    link = rf"(?:\s+(?:{_word_end('link')}|{person}(?!\w)))"
    reporter = rf"{link}{{0,3}}\s+{_word_end('reporter')}"
    owner = rf"\s*(?:,\s*)?(?P<who>who\s+)?{_word_end('owner')}"
    # ... and naming no condition of their own: "mother, diagnosed in her 40s with breast cancer" is an owner
    attached = (
        rf"\s*(?:,\s*|\(\s*)?(?:who\s+)?(?:(?:was|were)\s+)?{_word_end('attached')}"
        r"(?:\s+(?!(?:with|of|for)\b)[\w'-]+){0,3}\s*(?:[.;,)\n]|$|(?=\s+and\b))"
    )
    helped_owner = rf"\s+(?:{_owner_after_helper()})(?!\w)"
    flags = re.IGNORECASE
    return {
        "attached": re.compile(attached, flags),
        "helped_owner": re.compile(helped_owner, flags),
        "helper": re.compile(helper, flags),
        "listener": re.compile(listener, flags),
        "reporter": re.compile(reporter, flags),
        "owner": re.compile(owner, flags),
        "person": re.compile(rf"(?<!\w){person}(?!\w)", flags),
        "spouse": re.compile(rf"^(?:{_alternation('spouse')})$", flags),
    }


def person_words(role: str = "relative") -> tuple[str, ...]:
    """The words naming a relative (role "relative") or a spouse (role "spouse")."""
    return phrases()[role]


def is_spouse(word: str) -> bool:
    """Whether a person's word names a spouse rather than a blood relative ("wife", "husband's")."""
    return bool(_patterns()["spouse"].match(" ".join(word.split())))


def persons(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """Every relative's or spouse's word in text[start:end]."""
    return list(_patterns()["person"].finditer(text, start, len(text) if end is None else end))


def spoken_with(text: str, start: int, end: int, lo: int = 0) -> bool:
    """Whether the person at text[start:end] is one the clinician speaks with or who agrees to the plan
    ("discussed with the patient's parents", "mother and daughter agreed")."""
    p = _patterns()
    reach = max(lo, start - _LISTENER_REACH - 40)
    return bool(p["listener"].search(text, reach, start) or _reports(text, end))


def _reports(text: str, end: int) -> bool:
    """Whether words after the person make it the one who tells, agrees or is there ("Mom reports")."""
    return bool(_patterns()["reporter"].match(text, end))


def role(text: str, start: int, end: int, lo: int = 0) -> str:
    """The part the person at text[start:end] plays for the conditions around it, within a sentence starting at lo:
    "bystander" (lives with, brings, reports for or is spoken with: has none of them), "risks" (a bystander spoken
    with about risks: what follows it is hypothetical), "attached" (says when it had the condition just before it:
    has that one only, "colon cancer, with mother diagnosed at 50"), "owner" (opens its own clause: has those
    after it only) or "relative" (has those on either side)."""
    p = _patterns()
    if _reports(text, end):
        return "bystander"
    if p["attached"].match(text, end):
        return "attached"
    owner = p["owner"].match(text, end)
    if owner is not None and owner.group("who"):
        return "owner"  # "Discussed with daughter, who has breast cancer"
    listener = p["listener"].search(text, max(lo, start - _LISTENER_REACH - 40), start)
    if listener is not None:
        return "risks" if _risk_words().search(listener.group()) else "bystander"
    if p["helper"].search(text, max(lo, start - _HELPER_REACH), start):
        # "history of polyps, with father diagnosed with colon cancer": the father has the cancer
        return "owner" if p["helped_owner"].match(text, end) else "bystander"
    return "owner" if owner is not None else "relative"


def has_conditions(text: str, start: int, end: int, lo: int = 0) -> bool:
    """Whether the person at text[start:end] is one whose conditions the words around it state."""
    return role(text, start, end, lo) in ("owner", "relative", "attached")
