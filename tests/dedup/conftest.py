"""Records for the dedup tests, carrying the provenance columns the ledger needs."""

from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest
from dedup_helpers import RecordsFactory


@pytest.fixture
def make_records() -> RecordsFactory:
    """``make_records(texts, **columns)``: one record per text, ids ``r0``, ``r1``, ..."""

    def build(texts: Sequence[str | None], **columns: Sequence[Any]) -> pl.DataFrame:
        n = len(texts)
        frame = pl.DataFrame(
            {
                "id": [f"r{i}" for i in range(n)],
                "source_id": ["src"] * n,
                "source_key": [f"line-{i}" for i in range(n)],
                "text": pl.Series(list(texts), dtype=pl.String),
            }
        )
        return frame.with_columns(pl.Series(name, list(values)) for name, values in columns.items())

    return build
