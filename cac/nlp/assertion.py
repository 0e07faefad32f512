"""ConText-style assertion: triggers, their scopes, and the label each target span receives.

Trigger lists are negspacy's ``en_clinical`` termset, extended and re-classified by
``resources/assertion_triggers.tsv``. Everything works on character offsets of a plain string, so the same
code serves ``assert_target`` (one sentence), ``detect_cues`` and the pipeline (every sentence of a note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cac.nlp import experiencer
from cac.nlp.lexicon import read_rows
from cac.nlp.types import AssertionResult, Cue, Trigger

LABEL_CATEGORIES = ("negated", "family", "hypothetical", "possible", "historical")
# Lower index wins when several triggers reach one target.
PRECEDENCE = {c: i for i, c in enumerate(LABEL_CATEGORIES)}
BACKWARD_MAX_WORDS = 6
FORWARD_MAX_WORDS = 40
PHRASE_MAX_WORDS = 3  # a backward trigger reaching this few words does not cross a comma
# A denial's scope may pass FORWARD_MAX_WORDS within a list of short items ("She denies fevers, chills, weight
# loss, ... , hematuria, or history of TB exposure"): up to this many words, each item at most LIST_ITEM_MAX_WORDS.
LIST_MAX_WORDS = 120
LIST_ITEM_MAX_WORDS = 6
_LIST_SEPARATOR = re.compile(r",|\b(?:and|or|nor)\b", re.IGNORECASE)

# Clause boundaries inside a sentence: ; ! ? , a full stop before a space, a colon, a line break (not a
# wrapped line, whose next line goes on in lower case: "No fever, neck stiffness,\nvisual loss"), and a list
# enumerator ("  2) ", "  3. ").
_BOUNDARY = re.compile(
    r"[;!?\u2028\u2029]|(?:\r\n|[\n\r])(?![ \t]*[a-z])|\.(?=\s|$)|:(?!\d)"
    r"|(?:(?<=\s\s)|(?<=^))\d{1,2}[.)](?=\s|[A-Za-z])"
)
_WORD = re.compile(r"\w+")
# A closing parenthesis, not a list enumerator ("a) fever", "2) cough").
_PAREN = re.compile(r"[()]")
_ENUMERATOR_BEFORE = re.compile(r"(?:^|\s)\w$")
_SPACED_DASH = re.compile(r"\s(?:-{1,2}|\u2013|\u2014)\s")


@dataclass(frozen=True)
class Rule:
    category: str
    direction: str
    max_words: int = 0  # 0: no limit of its own
    item: bool = False  # the forward scope ends at a comma unless the list after it is a disjunction ("or")
    listed: bool = False  # the backward scope may pass its word limit over a list of short items


@dataclass(frozen=True)
class Hit:
    """A trigger found in text."""

    start: int
    end: int
    text: str
    rule: Rule


def _base_rows() -> list[tuple[str, ...]]:
    """negspacy's en_clinical termset as (phrase, category, direction) rows."""
    try:
        from negspacy.termsets import termset
    except ImportError:  # pragma: no cover - negspacy is a pinned dependency
        return []
    patterns = termset("en_clinical").get_patterns()
    mapping = {
        "pseudo_negations": ("pseudo", "forward"),
        "preceding_negations": ("negated", "forward"),
        "following_negations": ("negated", "backward"),
        "termination": ("terminate", "forward"),
    }
    rows: list[tuple[str, ...]] = []
    for key, (category, direction) in mapping.items():
        rows.extend((phrase, category, direction) for phrase in patterns.get(key, []))
    return rows


def _norm(phrase: str) -> str:
    return " ".join(phrase.lower().split())


_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")


def expand_phrase(phrase: str) -> list[str]:
    """Every phrase a data row's ``{a|b|}`` groups spell ("{no|without} relevant history": two phrases; an empty
    alternative drops the group), spaces normalised."""
    m = _ALTERNATIVES.search(phrase)
    if m is None:
        return [_norm(phrase)]
    out: list[str] = []
    for alt in m.group(1).split("|"):
        out.extend(expand_phrase(phrase[: m.start()] + alt + phrase[m.end() :]))
    return list(dict.fromkeys(p for p in out if p))


# A data row may write "<year>" for any calendar year ("in <year>": "DVT in 2018").
YEAR_SLOT = "<year>"
_YEAR_REGEX = r"(?:19|20)\d\d"
_YEAR = re.compile(rf"(?<!\d){_YEAR_REGEX}(?!\d)")


def _phrase_regex(phrase: str) -> str:
    return r"\s+".join(_YEAR_REGEX if w == YEAR_SLOT else re.escape(w) for w in phrase.split(" "))


def _rule_key(matched: str) -> str:
    """The lexicon key of a matched trigger: spaces normalised, a year read as the year slot."""
    key = _norm(matched)
    return _YEAR.sub(YEAR_SLOT, key) if any(ch.isdigit() for ch in key) else key


def by_first_character(alternatives: list[str]) -> str:
    """The case-insensitive alternation of ``alternatives`` (regexes, each opening with one escaped character) with
    those opening with the same character grouped behind a look-ahead for it, in their order: the same matches as the
    plain alternation (at a position only the alternatives opening with its character can match), without trying a
    thousand phrases at every word. The plain alternation when two openings are one letter to the matcher."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = alt[:2] if alt.startswith("\\") else alt[:1]
        groups.setdefault(first.lower(), []).append(alt)
    keys = list(groups)
    if any(re.fullmatch(a, re.sub(r"^\\", "", b), re.IGNORECASE) for a in keys for b in keys if a != b):
        return "|".join(alternatives)
    return "|".join(f"(?={first})(?:{'|'.join(alts)})" for first, alts in groups.items())


class TriggerLexicon:
    """All trigger phrases compiled into one case-insensitive regex (longest phrase first)."""

    def __init__(self, rows: list[tuple[str, ...]]) -> None:
        rules: dict[str, Rule] = {}
        for row in rows:
            category, direction = row[1], row[2]
            limit = int(row[3]) if len(row) > 3 and row[3].isdigit() else 0
            item = len(row) > 3 and row[3] == "item"
            listed = len(row) > 3 and row[3] == "list"
            for key in expand_phrase(row[0]):
                if category == "ignore":
                    rules.pop(key, None)
                else:
                    rules[key] = Rule(category, direction, limit, item, listed)
        self.rules = rules
        alternation = by_first_character([_phrase_regex(p) for p in sorted(rules, key=len, reverse=True)])
        self.regex = re.compile(rf"(?<!\w)(?:{alternation})(?![\w-])", re.IGNORECASE)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Hit]:
        """Every trigger in text[start:end], left to right, non-overlapping."""
        end = len(text) if end is None else end
        hits = []
        for m in self.regex.finditer(text, start, end):
            rule = self.rules.get(_rule_key(m.group()))
            if rule is not None:
                hits.append(Hit(m.start(), m.end(), m.group(), rule))
        return hits


@lru_cache(maxsize=1)
def lexicon() -> TriggerLexicon:
    """The trigger lexicon, built once per process."""
    rows = _base_rows() + [r for r in read_rows("assertion_triggers.tsv") if len(r) >= 3]
    # the persons of the experiencer rule are family triggers with a scope on both sides
    rows += [(w, "family", "both") for role in ("relative", "spouse") for w in experiencer.person_words(role)]
    return TriggerLexicon(rows)


def boundaries(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Clause-boundary positions in text[start:end]."""
    end = len(text) if end is None else end
    return [m.start() for m in _BOUNDARY.finditer(text, start, end)]


# Modifiers that combine with the others rather than cut their scope ("no family history of X", "no prior X").
_COMBINING = frozenset({"historical", "family"})


def _stops(hit: Hit, other: Hit) -> bool:
    """Whether trigger other ends the scope of hit (historical modifiers combine with the others)."""
    if other.rule.category == hit.rule.category:
        return False
    if other.rule.category in ("terminate", "pseudo"):
        return True
    return not {other.rule.category, hit.rule.category} & _COMBINING


def _scope_end(text: str, hit: Hit, hits: list[Hit], bounds: list[int], limit: int) -> int:
    """Where the forward scope of hit stops."""
    stop = limit
    for b in bounds:
        if b >= hit.end:
            # A colon (or other mark) right after the trigger ("Negative for: fever") does not stop it.
            if b == hit.end or not text[hit.end : b].strip():
                continue
            stop = b
            break
    for other in hits:
        if other.start >= hit.end and other.start < stop and _stops(hit, other):
            stop = other.start
            break
    stop = _paren_close(text, hit.end, stop)
    if hit.rule.item:
        stop = _item_end(text, hit.end, stop)
    # Cap very long scopes by word count.
    cap = hit.rule.max_words or FORWARD_MAX_WORDS
    for words, m in enumerate(_WORD.finditer(text, hit.end, stop), start=1):
        if words > cap:
            if hit.rule.category == "negated" and not hit.rule.max_words and _short_list(text, hit.end, stop):
                return stop
            return m.start()
    return stop


_DISJUNCTION_WORD = re.compile(r"\b(?:or|versus|vs)\b", re.IGNORECASE)


def _item_end(text: str, start: int, stop: int) -> int:
    """Where a list item's scope ends: its first comma, unless the list after it is a disjunction ("possible
    ischemic colitis, hydronephrosis, renal failure" leaves the last two certain; "possible pneumonia, bronchitis
    or asthma" does not)."""
    comma = text.find(",", start, stop)
    if comma < 0 or _DISJUNCTION_WORD.search(text, comma, stop):
        return stop
    return comma


def _short_list(text: str, start: int, stop: int) -> bool:
    """Whether text[start:stop] is a list of short items, LIST_MAX_WORDS words at most."""
    words = 0
    for item in _LIST_SEPARATOR.split(text[start:stop]):
        n = len(_WORD.findall(item))
        if n > LIST_ITEM_MAX_WORDS:
            return False
        words += n
    return words <= LIST_MAX_WORDS


def _paren_close(text: str, start: int, stop: int) -> int:
    """A trigger inside parentheses reaches no further than their closing one: "CAD (stent 2019, no angina since),
    COPD, HTN" leaves COPD and HTN present."""
    depth = 0
    for m in _PAREN.finditer(text, start, stop):
        if m.group() == "(":
            depth += 1
        elif depth:
            depth -= 1
        elif not _ENUMERATOR_BEFORE.search(text, max(start, m.start() - 2), m.start()):
            return m.start()
    return stop


def _paren_open(text: str, begin: int, end: int) -> int:
    """A trigger inside parentheses reaches back no further than their opening one: "Acute cystitis (culture 3 days
    ago)" leaves the cystitis current."""
    depth = 0
    for m in reversed(list(_PAREN.finditer(text, begin, end))):
        if m.group() == ")":
            depth += 1
        elif depth:
            depth -= 1
        else:
            return m.end()
    return begin


def _scope_start(text: str, hit: Hit, hits: list[Hit], bounds: list[int], limit: int) -> int:
    """Where the backward scope of hit begins."""
    begin = limit
    for b in bounds:
        if b < hit.start:
            begin = b + 1
        else:
            break
    for other in hits:
        if other.end <= hit.start and other.end > begin and _stops(hit, other):
            begin = other.end
    # A spaced dash heads what follows it: "Syncope - likely orthostatic vs arrhythmic" leaves syncope
    # certain, while a trigger right after the dash still looks back ("DVT - ruled out").
    for dash in _SPACED_DASH.finditer(text, begin, hit.start):
        if _WORD.search(text, dash.end(), hit.start):
            begin = dash.end()
    begin = _paren_open(text, begin, hit.start)
    cap = hit.rule.max_words or BACKWARD_MAX_WORDS
    if cap <= PHRASE_MAX_WORDS:
        # a short reach stays inside its noun phrase: "stroke risk" is not "atrial fibrillation, stroke risk"
        begin = max(begin, text.rfind(",", begin, hit.start) + 1)
    words = [m.start() for m in _WORD.finditer(text, begin, hit.start)]
    if len(words) > cap and not (hit.rule.listed and _short_list(text, begin, hit.start)):
        begin = words[-cap]
    return begin


def _split_overlaps(text: str, target_start: int, target_end: int, hits: list[Hit]) -> list[Hit]:
    """Re-read a trigger that runs into the target ("no acute" + "acute distress") up to the target's start."""
    out: list[Hit] = []
    for hit in hits:
        if hit.start < target_start < hit.end:
            out.extend(h for h in lexicon().find(text, hit.start, target_start) if h.end <= target_start)
        else:
            out.append(hit)
    return out


def _experiencer_hit(text: str, hit: Hit, lo: int) -> tuple[Hit | None, bool]:
    """A family trigger as the experiencer rule reads it (``experiencer.py``): None where the person is no
    experiencer, a hypothetical trigger where it is spoken with about risks ("risks discussed with the parents
    including stroke"); and whether its scope may reach backwards."""
    if hit.rule.category != "family":
        return hit, True
    part = experiencer.role(text, hit.start, hit.end, lo)
    if part == "bystander":
        return None, False
    if part == "risks":
        return Hit(hit.start, hit.end, hit.text, Rule("hypothetical", "forward")), False
    if part == "attached":  # "history of colon cancer, with mother diagnosed at 50": the condition before it only
        return Hit(hit.start, hit.end, hit.text, Rule("family", "backward")), True
    return hit, part == "relative"


def resolve(
    text: str, target_start: int, target_end: int, hits: list[Hit], bounds: list[int], lo: int, hi: int
) -> AssertionResult:
    """The label of text[target_start:target_end] given the triggers and boundaries of its sentence [lo, hi)."""
    best: tuple[int, int, Hit] | None = None
    hits = _split_overlaps(text, target_start, target_end, hits)
    for found in hits:
        if found.rule.category not in PRECEDENCE:
            continue
        hit, backward = _experiencer_hit(text, found, lo)
        if hit is None:
            continue
        category = hit.rule.category
        if hit.start < target_end and target_start < hit.end:
            continue  # a trigger inside the target is part of the concept's own words
        reached = False
        distance = 0
        if hit.end <= target_start and hit.rule.direction in ("forward", "both"):
            reached = target_start < _scope_end(text, hit, hits, bounds, hi)
            distance = target_start - hit.end
        elif hit.start >= target_end and hit.rule.direction in ("backward", "both") and backward:
            reached = target_end > _scope_start(text, hit, hits, bounds, lo)
            distance = hit.start - target_end
        if reached:
            key = (PRECEDENCE[category], distance)
            if best is None or key < best[:2]:
                best = (key[0], key[1], hit)
    if best is None:
        return AssertionResult("present", None)
    hit = best[2]
    return AssertionResult(hit.rule.category, Trigger(hit.start, hit.end, hit.text))


def assert_target(sentence: str, start: int, end: int) -> AssertionResult:
    """Assertion of the concept sentence[start:end]; the trigger offsets index into sentence."""
    if not isinstance(sentence, str):
        raise TypeError("sentence must be a str")
    start = max(0, min(start, len(sentence)))
    end = max(start, min(end, len(sentence)))
    lex = lexicon()
    hits = lex.find(sentence)
    bounds = boundaries(sentence)
    return resolve(sentence, start, end, hits, bounds, 0, len(sentence))


_CUE_KINDS = {"negated": "negation", "possible": "speculation"}
# A pseudo-trigger still negates its own head ("no significant change", "not improving"): a negation cue,
# though it does not negate the findings after it.
_NEGATING_PSEUDO = re.compile(r"^(?:no|not|without|never)\b(?!\s+(?:only|necessarily|certain))", re.I)
# "pneumonia or atelectasis": a disjunction of findings is a speculation cue when no negation governs it.
_DISJUNCTION = re.compile(r"(?<=\w)\s+(?:and/)?or\s+(?=\w)", re.I)


def detect_cues(sentence: str) -> list[Cue]:
    """Negation and speculation cues in a sentence."""
    cues = []
    for hit in lexicon().find(sentence):
        kind = _CUE_KINDS.get(hit.rule.category)
        if kind is None and hit.rule.category == "pseudo" and _NEGATING_PSEUDO.match(hit.text):
            kind = "negation"
        if kind:
            cues.append(Cue(kind, hit.start, hit.end, hit.text))
    first_negation = min((c.start for c in cues if c.kind == "negation"), default=len(sentence))
    for m in _DISJUNCTION.finditer(sentence):
        if m.start() < first_negation:
            word = m.group().strip()
            start = m.start() + m.group().index(word)
            cues.append(Cue("speculation", start, start + len(word), word))
    cues.sort(key=lambda c: c.start)
    return cues
