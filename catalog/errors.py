"""The error hierarchy: every failure a user can cause names what failed and how to fix it."""

import difflib
from collections.abc import Iterable


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option most like ``name``, for "did you mean" hints; None when nothing is close."""
    matches = difflib.get_close_matches(name, list(options), n=1)
    return matches[0] if matches else None


class HqdataError(Exception):
    """Root of every error hqdata raises on purpose."""


class DeclarationError(HqdataError):
    """A source, dataset or suite declaration is invalid (file, field and fix are in the message)."""


class AuthorisationError(HqdataError):
    """A source may not be read for this dataset: its grant is missing, expired or does not cover it."""


class SchemaMismatchError(HqdataError):
    """Data does not fit the declared schema, or versions disagree on their schema."""


class PublishRefused(HqdataError):
    """A blocking check or a hard gate refused the release; the quality report was still written."""


class WarehouseError(HqdataError):
    """The warehouse is missing, corrupt, or asked for a version that does not exist."""
