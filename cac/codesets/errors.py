"""Errors raised by the code-set layer; each carries a one-line, user-facing message."""


class CodeSetError(Exception):
    """Base class for code-set errors."""


class UnknownSystemError(CodeSetError):
    """The name is not a code system cac knows."""


class InvalidCodeError(CodeSetError):
    """The code is malformed for its system."""


class ImportFailedError(CodeSetError):
    """A code-set file could not be imported; the store is left as it was."""
