"""The engine adapter: anything with ``suggest(text, setting, note_type) -> dict`` (interfaces.md section 2)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

ENGINE_NAMES = ("auto", "baseline", "cac")


@runtime_checkable
class SuggestEngine(Protocol):
    def suggest(self, text: str, setting: str = "outpatient", note_type: str | None = None) -> dict[str, Any]: ...


class EngineUnavailableError(RuntimeError):
    """The requested engine cannot be loaded in this installation."""


def _cac_load() -> Any | None:
    try:
        import cac
    except ImportError:
        return None
    return getattr(cac, "load", None)


def resolve_engine(name: str = "auto") -> tuple[str, SuggestEngine]:
    """(resolved name, engine) for ``baseline``, ``cac`` or ``auto`` (cac when ``cac.load`` exists, else baseline)."""
    if name not in ENGINE_NAMES:
        raise EngineUnavailableError(f"unknown engine {name!r}; expected one of: {', '.join(ENGINE_NAMES)}")
    load = _cac_load()
    if name == "auto":
        name = "cac" if load is not None else "baseline"
    if name == "baseline":
        from evaluation.baselines import TermMatchBaseline

        return name, TermMatchBaseline.from_store()
    if load is None:
        raise EngineUnavailableError("the cac engine is not available (cac.load is missing); use --engine baseline")
    return name, load()


def warm_up(engine: SuggestEngine, setting: str = "outpatient") -> None:
    """One untimed call on a short note, so lazy loading does not count as the first note's latency."""
    engine.suggest("Patient seen for follow-up. No fever.", setting=setting)
