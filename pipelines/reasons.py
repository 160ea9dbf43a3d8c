"""Reason codes, declared once and shared by the stages, the ledger and the report.

A ledger outcome is ``published``, ``filtered:<rule>``, ``duplicate_of:<id>`` or
``quarantined:<reason>``; the constants below are the ``<rule>`` and ``<reason>`` parts.
"""

from enum import StrEnum


class Stage(StrEnum):
    INGEST = "ingest"
    CLEAN = "clean"
    DEDUP = "dedup"
    PUBLISH = "publish"


class Outcome(StrEnum):
    PUBLISHED = "published"
    FILTERED = "filtered"
    DUPLICATE = "duplicate_of"
    QUARANTINED = "quarantined"


# ingest: the record could not be read as declared
INGEST_UNDECODABLE = "ingest_undecodable"
INGEST_MALFORMED_JSON = "ingest_malformed_json"
INGEST_MALFORMED_ROW = "ingest_malformed_row"
INGEST_MISSING_FIELD = "ingest_missing_field"
INGEST_EMPTY_RECORD = "ingest_empty_record"
INGEST_TYPE_MISMATCH = "ingest_type_mismatch"
INGEST_TOO_LARGE = "ingest_too_large"
INGEST_BINARY = "ingest_binary"
INGEST_BAD_HEADER = "ingest_bad_header"

# clean: the record was read but is not good enough
CLEAN_TOO_SHORT = "clean_too_short"
CLEAN_LOW_CJK_RATIO = "clean_low_cjk_ratio"
CLEAN_LOW_QUALITY = "clean_low_quality"
CLEAN_REQUIRED_NULL = "clean_required_null"
CLEAN_OUT_OF_RANGE = "clean_out_of_range"
CLEAN_NOT_IN_SET = "clean_not_in_set"
CLEAN_PATTERN_MISMATCH = "clean_pattern_mismatch"
CLEAN_ROW_RULE = "clean_row_rule"

# dedup
DEDUP_EXACT = "dedup_exact"
DEDUP_NEAR = "dedup_near_duplicate"
DEDUP_KEY = "dedup_key"


def outcome(kind: Outcome, detail: str) -> str:
    """Format a ledger outcome such as ``filtered:clean_too_short``."""
    return f"{kind.value}:{detail}"
