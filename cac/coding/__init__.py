"""Diagnosis and procedure coding: from the NLP pipeline's mentions to ranked code suggestions."""

from cac.coding.engine import DEFAULT_THRESHOLD, Engine, InvalidRequestError, load
from cac.coding.types import ASSERTIONS, SETTINGS, Candidate, Span

__all__ = ["ASSERTIONS", "DEFAULT_THRESHOLD", "SETTINGS", "Candidate", "Engine", "InvalidRequestError", "Span", "load"]
