"""One function per asset: the stage chain for a source or dataset, free of Dagster.

Assets in ``pipelines.defs`` call these and only add I/O and metadata, so the same steps run
in-process, in a process pool or on a cluster.
"""

from dataclasses import replace
from datetime import date, datetime

import polars as pl

from catalog.authorisation import authorise, check_source
from catalog.errors import AuthorisationError
from catalog.loader import Catalog
from catalog.models import Dataset, Source
from pipelines.dedup.chains import resolve_duplicate_chains
from pipelines.dedup.exact import dedup_exact, dedup_on_key
from pipelines.dedup.near import dedup_near
from pipelines.ingest import SourceIngest
from pipelines.stage import StageResult
from pipelines.staging import Staged, StageWriter
from pipelines.tables.validate import validate_rows
from pipelines.text.chain import clean_text


def ingest_step(
    catalog: Catalog, source: Source, *, run_date: date, ingested_at: datetime, out: StageWriter
) -> dict[str, dict[str, float]]:
    """Read one source into ``out`` batch by batch, but only while its grant is valid: a refusal reads no byte."""
    verdict = check_source(catalog, source, run_date=run_date)
    if not verdict.allowed:
        raise AuthorisationError(verdict.message)
    run = SourceIngest(source, root=catalog.root, ingested_at=ingested_at)
    for part in run.batches():
        out.add(records=part.kept, ledger=part.removed)
    return {"ingest": run.stats}


def check_dataset_grants(catalog: Catalog, dataset: Dataset, *, run_date: date) -> None:
    """The dataset-level rules (purpose, classification) before any source's records are used."""
    authorise(catalog, dataset, run_date=run_date)


def clean_step(dataset: Dataset, sources: list[Source], upstream: Staged) -> Staged:
    if dataset.kind == "text":
        result = clean_text(upstream.records, clean=dataset.clean, pii=dataset.pii)
    else:
        source = sources[0]
        result = validate_rows(
            upstream.records, schema=source.schema_, rules=source.rules, drop_invalid=dataset.clean.drop_invalid_rows
        )
    return _advance(upstream, result, stage="clean")


def dedup_step(dataset: Dataset, sources: list[Source], upstream: Staged) -> Staged:
    """Exact, then near (text) or key (table) duplicates; every ``duplicate_of`` names the record kept."""
    staged = _dedup_stages(dataset, sources, upstream)
    return replace(staged, ledger=resolve_duplicate_chains(staged.ledger))


def _dedup_stages(dataset: Dataset, sources: list[Source], upstream: Staged) -> Staged:
    if dataset.kind == "text":
        exact = dedup_exact(upstream.records, columns=["text"], normalise=True)
        staged = _advance(upstream, exact, stage="dedup_exact")
        return _advance(staged, dedup_near(staged.records, config=dataset.dedup), stage="dedup_near")
    columns = list(sources[0].schema_)
    staged = _advance(upstream, dedup_exact(upstream.records, columns=columns, normalise=False), stage="dedup_exact")
    key = [name for name, spec in sources[0].schema_.items() if spec.key]
    if not key:
        return staged
    return _advance(staged, dedup_on_key(staged.records, key=key), stage="dedup_key")


def _advance(upstream: Staged, result: StageResult, *, stage: str) -> Staged:
    return Staged(
        records=result.kept,
        ledger=pl.concat([upstream.ledger, result.removed], how="vertical"),
        stats={**upstream.stats, stage: dict(result.stats)},
    )
