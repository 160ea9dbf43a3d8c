"""Provenance: stable record ids, content hashes and the quarantine rows of ingest."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import polars_hash as plh

from catalog.records import LEDGER_SCHEMA
from pipelines.reasons import Outcome, Stage, outcome

EXCERPT_CHARS = 120
ID_CHARS = 20


def record_id(source_id: str, source_key: str) -> str:
    """A stable id: the same record of the same source gets the same id on every run."""
    return hashlib.sha256(f"{source_id}\x1f{source_key}".encode()).hexdigest()[:ID_CHARS]


def record_ids(source_id: str, keys: pl.Expr) -> pl.Expr:
    """``record_id`` for a column of keys, computed in polars (the same digest, byte for byte)."""
    return sha256_expr(pl.format("{}\x1f{}", pl.lit(source_id), keys)).str.head(ID_CHARS)


def sha256_expr(values: pl.Expr) -> pl.Expr:
    """The hex SHA-256 of each string's UTF-8 bytes, as ``catalog.records.sha256_hex`` gives it.

    ``pl.hash`` is not stable across polars versions, so persisted digests come from polars-hash.
    """
    return plh.CryptographicHashingNameSpace(values).sha2_256()


def excerpt(raw: bytes | str) -> str:
    """A short, printable excerpt of a bad record for the quarantine detail.

    Only the head of ``raw`` is looked at, so a record of many megabytes costs nothing extra;
    bytes that are not UTF-8 and control characters are shown escaped.
    """
    head = raw[: EXCERPT_CHARS + 1] if isinstance(raw, str) else raw[: 4 * (EXCERPT_CHARS + 1)]
    text = head if isinstance(head, str) else head.decode("utf-8", errors="backslashreplace")
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return text if len(text) <= EXCERPT_CHARS and len(head) == len(raw) else text[:EXCERPT_CHARS] + "…"


@dataclass
class Quarantine:
    """Collects the records ingest could not accept, each with where it was and why."""

    source_id: str
    root: Path
    rows: list[dict[str, str]] = field(default_factory=list)
    _relative: dict[Path, str] = field(default_factory=dict)  # computed once per file, not per record

    def location(self, path: Path, line: int | str | None) -> str:
        """``file:line`` (or ``file:#index`` for an element of a JSON array, or ``file`` for a whole document)."""
        rel = self._relative.get(path)
        if rel is None:
            rel = self._relative[path] = str(path.relative_to(self.root) if path.is_relative_to(self.root) else path)
        return f"{rel}:{line}" if line is not None else rel

    def add(self, *, path: Path, line: int | str | None, reason: str, message: str, raw: bytes | str = b"") -> None:
        self.add_at(self.location(path, line), reason=reason, message=message, raw=raw)

    def add_at(self, key: str, *, reason: str, message: str, raw: bytes | str = b"") -> None:
        """Quarantine the record at ``key`` (``file:line``)."""
        detail = f"{key}: {message}" + (f" | {excerpt(raw)}" if raw else "")
        self.rows.append(
            {
                "record_id": record_id(self.source_id, key),
                "source_id": self.source_id,
                "source_key": key,
                "stage": Stage.INGEST.value,
                "outcome": outcome(Outcome.QUARANTINED, reason),
                "detail": detail,
            }
        )

    def drain(self) -> pl.DataFrame:
        """The rows collected since the last drain, as ledger rows; the collection starts empty again."""
        frame = pl.DataFrame(self.rows, schema=LEDGER_SCHEMA)
        self.rows.clear()
        return frame
