"""The asset factory: one ``raw/<source>`` per source, and per dataset recipe the chain
``clean/<dataset>`` → ``dedup/<dataset>`` → ``published/<dataset>``.

Assets are thin: resolve what they need from the resource, call a step, stage the result and
report counts as metadata. The steps themselves live in ``pipelines.steps`` and ``pipelines.publish``.
"""

import dagster as dg

from catalog.errors import AuthorisationError
from catalog.loader import Catalog
from catalog.models import Dataset, Source
from checks.report import QualityReport
from pipelines.defs.resources import HqdataResource
from pipelines.publish import publish_release
from pipelines.staging import Staged, combine
from pipelines.steps import check_dataset_grants, clean_step, dedup_step, ingest_step

EXPECTATIONS_CHECK = "expectations"
HARD_GATES_CHECK = "hard_gates"
LEDGER_CHECK = "ledger_balance"
DEDUP_POOL = "hqdata-dedup"  # limited to one at a time by dagster.yaml


def raw_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_id])


def dataset_key(stage: str, dataset: str) -> dg.AssetKey:
    return dg.AssetKey([stage, dataset])


def dagster_name(name: str) -> str:
    """Dagster group and job names allow only letters, digits and underscores."""
    return name.replace("-", "_").replace(".", "_")


def _counts(staged: Staged, *, rows: int | None = None) -> dict[str, dg.MetadataValue]:
    """Counts for the UI; ``rows`` when the records were streamed to disk rather than held."""
    outcomes = staged.ledger["outcome"].value_counts().sort("outcome")
    return {
        "rows": dg.MetadataValue.int(staged.records.height if rows is None else rows),
        "removed_so_far": dg.MetadataValue.int(staged.ledger.height),
        "removed_by_reason": dg.MetadataValue.json(dict(outcomes.iter_rows())),
        **{
            f"stat/{stage}/{k}": dg.MetadataValue.float(float(v))
            for stage, c in staged.stats.items()
            for k, v in c.items()
        },
    }


def _refuse(err: AuthorisationError) -> dg.Failure:
    return dg.Failure(description=str(err), metadata={"refused_by": "authorisation gate"}, allow_retries=False)


def raw_asset(source: Source) -> dg.AssetsDefinition:
    grant = source.authorisation.grant_id if source.authorisation else "none"

    @dg.asset(
        key=raw_key(source.id),
        group_name="raw",
        kinds={"polars"},
        description=f"{source.title}: ingested records of source {source.id} (grant {grant}); malformed ones quarantined.",
        metadata={"format": source.format, "location": source.location, "classification": source.classification},
        tags={"hqdata/source": source.id},
    )
    def _raw(context: dg.AssetExecutionContext, hqdata: HqdataResource) -> dg.MaterializeResult:
        catalog = hqdata.catalog()
        store = hqdata.staging()
        key = list(raw_key(source.id).path)
        with store.writer(key) as out:
            try:
                stats = ingest_step(
                    catalog,
                    catalog.sources[source.id],
                    run_date=hqdata.today(catalog),
                    ingested_at=hqdata.now(),
                    out=out,
                )
            except AuthorisationError as err:
                raise _refuse(err) from err
            path = out.commit(stats)
        summary = store.summary(key)
        rows = store.record_count(key)
        context.log.info(f"{source.id}: {rows} records, {summary.ledger.height} quarantined")
        return dg.MaterializeResult(
            metadata={**_counts(summary, rows=rows), "staged_at": dg.MetadataValue.path(str(path))}
        )

    return _raw


def clean_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=dataset_key("clean", dataset.name),
        deps=[raw_key(s) for s in dataset.sources],
        group_name=dagster_name(dataset.name),
        kinds={"polars"},
        description=f"{dataset.title or dataset.name}: normalised, masked and scored records; low-quality ones filtered.",
        metadata={"recipe_fingerprint": dataset.clean.fingerprint(), "pii_fingerprint": dataset.pii.fingerprint()},
    )
    def _clean(hqdata: HqdataResource) -> dg.MaterializeResult:
        catalog = hqdata.catalog()
        current = catalog.dataset(dataset.name)
        try:
            check_dataset_grants(catalog, current, run_date=hqdata.today(catalog))
        except AuthorisationError as err:
            raise _refuse(err) from err
        store = hqdata.staging()
        upstream = combine([store.read(list(raw_key(s).path)) for s in current.sources])
        staged = clean_step(current, catalog.sources_of(current), upstream)
        store.write(list(dataset_key("clean", dataset.name).path), staged)
        return dg.MaterializeResult(metadata=_counts(staged))

    return _clean


def dedup_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=dataset_key("dedup", dataset.name),
        deps=[dataset_key("clean", dataset.name)],
        group_name=dagster_name(dataset.name),
        kinds={"polars"},
        description=f"{dataset.title or dataset.name}: exact and near duplicates removed (MinHash LSH).",
        metadata={"dedup_fingerprint": dataset.dedup.fingerprint()},
        pool=DEDUP_POOL,
    )
    def _dedup(hqdata: HqdataResource) -> dg.MaterializeResult:
        catalog = hqdata.catalog()
        current = catalog.dataset(dataset.name)
        store = hqdata.staging()
        staged = dedup_step(
            current, catalog.sources_of(current), store.read(list(dataset_key("clean", dataset.name).path))
        )
        store.write(list(dataset_key("dedup", dataset.name).path), staged)
        return dg.MaterializeResult(metadata=_counts(staged))

    return _dedup


def published_asset(dataset: Dataset) -> dg.AssetsDefinition:
    key = dataset_key("published", dataset.name)

    @dg.asset(
        key=key,
        deps=[dataset_key("dedup", dataset.name)],
        group_name=dagster_name(dataset.name),
        kinds={"parquet"},
        description=f"{dataset.title or dataset.name}: the scored, versioned release in the warehouse.",
        check_specs=[
            dg.AssetCheckSpec(
                EXPECTATIONS_CHECK,
                asset=key,
                blocking=True,
                description="Great Expectations suite; error-severity failures refuse publishing.",
            ),
            dg.AssetCheckSpec(
                HARD_GATES_CHECK,
                asset=key,
                blocking=True,
                description="Authorisation, PII, harmful-content and classification gates.",
            ),
            dg.AssetCheckSpec(
                LEDGER_CHECK,
                asset=key,
                blocking=True,
                description="ingested = published + filtered + duplicates + quarantined.",
            ),
        ],
    )
    def _published(context: dg.AssetExecutionContext, hqdata: HqdataResource) -> dg.MaterializeResult:
        catalog = hqdata.catalog()
        current = catalog.dataset(dataset.name)
        upstream = hqdata.staging().read(list(dataset_key("dedup", dataset.name).path))
        outcome = publish_release(
            catalog,
            current,
            upstream,
            run_date=hqdata.today(catalog),
            run_id=context.run_id,
            warehouse=hqdata.warehouse(),
        )
        report = outcome.report
        summary = report.summary
        if not outcome.published:
            context.log.error(f"{dataset.name}: publishing refused: {'; '.join(report.refusal_reasons)}")
        return dg.MaterializeResult(
            metadata={
                "published": dg.MetadataValue.bool(outcome.published),
                "version": dg.MetadataValue.text(outcome.version or "refused"),
                "rows": dg.MetadataValue.int(upstream.records.height),
                "quality_score": dg.MetadataValue.float(float(summary.get("overall") or 0.0)),
                "grade": dg.MetadataValue.text(str(summary.get("grade"))),
                "report": dg.MetadataValue.path(str(outcome.report_dir / "report.html")),
                **{
                    f"dimension/{k}": dg.MetadataValue.float(float(v))
                    for k, v in summary.get("dimensions", {}).items()
                    if v is not None
                },
            },
            check_results=_check_results(report),
        )

    return _published


def _check_results(report: QualityReport) -> list[dg.AssetCheckResult]:
    """The report's verdicts as Dagster check results: the suite, the ledger gate and the other gates."""
    suite = report.expectations
    ledger = next(g for g in report.hard_gates if g.id == LEDGER_CHECK)
    gates = [g for g in report.hard_gates if g.id != LEDGER_CHECK]
    return [
        dg.AssetCheckResult(
            check_name=EXPECTATIONS_CHECK,
            passed=suite.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "evaluated": dg.MetadataValue.int(len(suite.outcomes)),
                "failed": dg.MetadataValue.json([o.model_dump(mode="json") for o in suite.outcomes if not o.success]),
            },
        ),
        dg.AssetCheckResult(
            check_name=HARD_GATES_CHECK,
            passed=not any(g.status == "failed" for g in gates),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"gates": dg.MetadataValue.json([g.model_dump(mode="json") for g in gates])},
        ),
        dg.AssetCheckResult(
            check_name=LEDGER_CHECK,
            passed=ledger.status == "passed",
            severity=dg.AssetCheckSeverity.ERROR,
            description=ledger.evidence,
        ),
    ]


def catalog_assets(catalog: Catalog) -> list[dg.AssetsDefinition]:
    used = sorted({s for d in catalog.datasets.values() for s in d.sources} | set(catalog.sources))
    assets = [raw_asset(catalog.sources[s]) for s in used]
    for dataset in catalog.datasets.values():
        assets += [clean_asset(dataset), dedup_asset(dataset), published_asset(dataset)]
    return assets
