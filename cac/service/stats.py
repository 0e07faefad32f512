"""Acceptance of the engine's suggestions, per code system and per code, over a period."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cac.service.db.models import Decision, Suggestion

DEFINITION = (
    "Over engine suggestions at or above the threshold whose latest decision falls in the period: "
    "acceptance_rate = accepted / decided; edited (replaced by another code) and rejected count as not accepted."
)


def _rates(c: Counter[str]) -> dict[str, Any]:
    decided = c["accept"] + c["edit"] + c["reject"]
    return {
        "decided": decided,
        "accepted": c["accept"],
        "edited": c["edit"],
        "rejected": c["reject"],
        "acceptance_rate": round(c["accept"] / decided, 4) if decided else None,
        "edit_rate": round(c["edit"] / decided, 4) if decided else None,
        "rejection_rate": round(c["reject"] / decided, 4) if decided else None,
    }


def acceptance(
    session: Session, start: dt.datetime, end: dt.datetime, system: str | None = None, top: int = 50
) -> dict[str, Any]:
    latest_ids = select(func.max(Decision.id)).group_by(Decision.suggestion_id)
    stmt = (
        select(
            Suggestion.system,
            Suggestion.code,
            Suggestion.title,
            Suggestion.origin,
            Suggestion.proposed,
            Decision.action,
            Decision.reason,
            Decision.system,
            Decision.code,
        )
        .join(Decision, Decision.suggestion_id == Suggestion.id)
        .where(Decision.id.in_(latest_ids), Decision.created_at >= start, Decision.created_at < end)
    )
    if system:
        stmt = stmt.where(Suggestion.system == system)
    by_system: dict[str, Counter[str]] = defaultdict(Counter)
    by_code: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    titles: dict[tuple[str, str], str] = {}
    overall: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    added: Counter[str] = Counter()
    below_accepted: Counter[str] = Counter()
    edits: Counter[str] = Counter()
    for s_system, s_code, title, origin, proposed, action, reason, d_system, d_code in session.execute(stmt):
        if origin == "coder":
            if action in ("add", "accept", "edit"):
                added[d_system] += 1
            continue
        if not proposed:
            if action in ("accept", "edit"):
                below_accepted[s_system] += 1
            continue
        by_system[s_system][action] += 1
        by_code[(s_system, s_code)][action] += 1
        titles[(s_system, s_code)] = title
        overall[action] += 1
        if action == "reject" and reason:
            reasons[reason] += 1
        if action == "edit":
            edits[f"{s_system} {s_code} -> {d_system} {d_code}"] += 1
    codes = sorted(by_code.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:top]
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "system": system,
        "definition": DEFINITION,
        "overall": _rates(overall),
        "by_system": {k: _rates(v) for k, v in sorted(by_system.items())},
        "by_code": [{"system": k[0], "code": k[1], "title": titles[k], **_rates(v)} for k, v in codes],
        "reject_reasons": dict(reasons.most_common()),
        "frequent_edits": dict(edits.most_common(20)),
        "added_by_coder": dict(sorted(added.items())),
        "below_threshold_kept": dict(sorted(below_accepted.items())),
    }
