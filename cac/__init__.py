"""cac: an open-source computer-aided coding engine for clinical notes."""

__version__ = "0.1.0"

__all__ = ["__version__"]
