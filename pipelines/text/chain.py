"""The text cleaning chain: its stages in order, as data.

Normalisation runs first so masking and scoring see canonical text; masking runs before
scoring so tokens, not raw identifiers, are what the length and ratio signals count. Adding an
operator means adding a module and a line to ``TEXT_STAGES``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from catalog.models import CleanConfig, PiiConfig
from catalog.records import sha256_hex
from pipelines.stage import StageResult
from pipelines.text.normalise import normalise_text
from pipelines.text.pii import mask_pii
from pipelines.text.signals import score_and_filter


@dataclass(frozen=True)
class TextStage:
    """One stage of the chain and which section of the recipe configures it."""

    name: str
    run: Callable[..., StageResult]
    config: Literal["clean", "pii"]


TEXT_STAGES: tuple[TextStage, ...] = (
    TextStage("normalise", normalise_text, "clean"),
    TextStage("mask_pii", mask_pii, "pii"),
    TextStage("score_and_filter", score_and_filter, "clean"),
)


def content_sha256(texts: pl.Series) -> pl.Series:
    """Hex SHA-256 of each text's UTF-8 bytes (polars has no SHA-256 expression)."""
    return pl.Series("content_sha256", [sha256_hex(t) for t in texts.to_list()], dtype=pl.String)


def clean_text(records: pl.DataFrame, *, clean: CleanConfig, pii: PiiConfig) -> StageResult:
    """Run ``TEXT_STAGES`` in order; ledger rows and stats of all stages are merged.

    ``content_sha256`` is recomputed last so the published hash is the hash of the published text.
    """
    configs: dict[str, CleanConfig | PiiConfig] = {"clean": clean, "pii": pii}
    kept = records
    removed: list[pl.DataFrame] = []
    stats: dict[str, float] = {}
    for stage in TEXT_STAGES:
        result = stage.run(kept, config=configs[stage.config])
        kept = result.kept
        removed.append(result.removed)
        stats.update(result.stats)
    return StageResult(
        kept=kept.with_columns(content_sha256(kept["text"])),
        removed=pl.concat(removed, how="vertical"),
        stats=stats,
    )
