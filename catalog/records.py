"""Column contracts for published records and the ledger (DESIGN §4 and §5)."""

import hashlib

import polars as pl

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(),
    "source_id": pl.String(),
    "source_key": pl.String(),
    "stage": pl.String(),
    "outcome": pl.String(),
    "detail": pl.String(),
}

# Added by ingest to every record, text or table.
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "id",
    "source_id",
    "grant_id",
    "source_uri",
    "source_key",
    "ingested_at",
    "content_sha256",
)

# What a text dataset publishes at least, besides `sig_*` signal columns.
TEXT_COLUMNS: tuple[str, ...] = (
    *PROVENANCE_COLUMNS,
    "text",
    "original_time",
    "lang",
    "n_chars",
    "quality_score",
    "pii_masked",
    "dup_cluster_size",
)


def sha256_hex(text: str) -> str:
    """``content_sha256``: hex SHA-256 of the text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def empty_ledger() -> pl.DataFrame:
    return pl.DataFrame(schema=LEDGER_SCHEMA)
