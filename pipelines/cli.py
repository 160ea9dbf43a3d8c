"""The ``hqdata`` command line: build datasets, check grants, browse the published catalog.

Exit codes (DESIGN §8): 0 published / ok, 1 a gate or blocking check refused publishing,
2 bad declarations or usage.
"""

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from catalog import consumer
from catalog.authorisation import check_source
from catalog.errors import DeclarationError, HqdataError, WarehouseError
from catalog.loader import load_catalog
from catalog.settings import resolve_catalog_root, resolve_warehouse
from catalog.warehouse import Warehouse
from pipelines.build import BuildResult, build_dataset

app = typer.Typer(
    help="hqdata: build, score and publish high-quality datasets from authorised data.", no_args_is_help=True
)
catalog_app = typer.Typer(help="Browse published datasets.", no_args_is_help=True)
sources_app = typer.Typer(help="Inspect declared sources and their grants.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(sources_app, name="sources")

# Piped output (make, CI, logs) gets 120 columns instead of rich's 80 so tables are not truncated.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CatalogRoot = Annotated[
    Path | None, typer.Option("--catalog-root", help="Catalog root (default: $HQDATA_CATALOG_ROOT or ./examples).")
]
WarehouseRoot = Annotated[
    Path | None, typer.Option("--warehouse", help="Warehouse root (default: $HQDATA_WAREHOUSE or ./warehouse).")
]
RunDate = Annotated[str | None, typer.Option("--run-date", help="Date grants are checked against (YYYY-MM-DD).")]


def _score(value: float | None) -> str:
    return "not evaluated" if value is None else f"{value:.1f}"


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@app.command()
def build(
    dataset: Annotated[str | None, typer.Argument(help="Dataset name; omit with --all.")] = None,
    all_datasets: Annotated[bool, typer.Option("--all", help="Build every declared dataset.")] = False,
    catalog_root: CatalogRoot = None,
    warehouse: WarehouseRoot = None,
    run_date: RunDate = None,
) -> None:
    """Materialise a dataset's assets in-process and publish a new version if nothing blocks it."""
    root = resolve_catalog_root(catalog_root)
    try:
        catalog = load_catalog(root)
        names = sorted(catalog.datasets) if all_datasets else [catalog.dataset(dataset).name] if dataset else []
        if run_date:
            date.fromisoformat(run_date)
    except (DeclarationError, ValueError) as error:
        raise _fail(str(error), 2) from error
    if not names:
        raise _fail("name a dataset, or pass --all", 2)
    results = []
    for name in names:
        out.print(f"[bold]building {name}[/bold] …")
        result = build_dataset(name, catalog_root=root, warehouse=resolve_warehouse(warehouse), run_date=run_date)
        _print_result(result)
        results.append(result)
    raise typer.Exit(0 if all(r.status == "published" for r in results) else 1)


def _print_result(result: BuildResult) -> None:
    if result.status == "published":
        out.print(
            f"[green]published[/green] {result.dataset} {result.version} · score {_score(result.score)} · "
            f"grade {result.grade} · {result.rows:,} rows\n  data:   {result.report.parents[1] / 'data'}\n"
            f"  report: {result.report}"
        )
        return
    out.print(f"[red]refused[/red] {result.dataset}: nothing was published")
    for reason in result.reasons:
        out.print(f"  - {reason}")
    if result.report:
        out.print(f"  report: {result.report}")


@sources_app.command("check")
def sources_check(catalog_root: CatalogRoot = None, run_date: RunDate = None) -> None:
    """Every source's grant status and days until expiry."""
    try:
        catalog = load_catalog(resolve_catalog_root(catalog_root))
        today = date.fromisoformat(run_date) if run_date else catalog.today()
    except (DeclarationError, ValueError) as error:
        raise _fail(str(error), 2) from error
    table = Table(title=f"Sources in {catalog.root} on {today}")
    table.add_column("source", no_wrap=True, min_width=max((len(s) for s in catalog.sources), default=6))
    table.add_column("kind")
    table.add_column("grant", no_wrap=True, min_width=14)
    table.add_column("valid until", no_wrap=True, min_width=10)
    for column in ("days left", "status"):
        table.add_column(column)
    for source in sorted(catalog.sources.values(), key=lambda s: s.id):
        verdict = check_source(catalog, source, run_date=today)
        grant = source.authorisation
        status = "[green]valid[/green]" if verdict.allowed else f"[red]{verdict.rule}[/red]"
        if verdict.expiring_soon:
            status = "[yellow]expiring soon[/yellow]"
        table.add_row(
            source.id,
            source.kind,
            verdict.grant_id or "—",
            str(grant.valid_until) if grant else "—",
            "—" if verdict.days_left is None else str(verdict.days_left),
            status,
        )
    out.print(table)
    for source in catalog.sources.values():
        verdict = check_source(catalog, source, run_date=today)
        if not verdict.allowed:
            out.print(f"[red]✗[/red] {verdict.message}")


@catalog_app.command("list")
def catalog_list(warehouse: WarehouseRoot = None) -> None:
    """Published datasets with their latest version, size and score."""
    store = Warehouse(resolve_warehouse(warehouse))
    names = store.datasets()
    if not names:
        out.print(f"no published datasets in {store.root}; build one with `hqdata build DATASET`")
        return
    table = Table(title=f"Published datasets in {store.root}")
    table.add_column("dataset", no_wrap=True, min_width=max(len(name) for name in names))
    for column in ("latest", "versions", "rows", "score", "grade", "published at"):
        table.add_column(column)
    for name in names:
        manifest = store.manifest(name)
        summary = manifest.summary
        table.add_row(
            name,
            manifest.version,
            str(len(store.versions(name))),
            f"{manifest.row_count:,}",
            _score(summary.get("overall")),
            str(summary.get("grade", "—")),
            manifest.created_at.isoformat(timespec="seconds"),
        )
    out.print(table)


@catalog_app.command("show")
def catalog_show(
    dataset: str,
    version: Annotated[str, typer.Option("--version", help="vN or latest.")] = "latest",
    warehouse: WarehouseRoot = None,
) -> None:
    """A version's manifest summary, dimension scores, hard gates and files."""
    store = Warehouse(resolve_warehouse(warehouse))
    try:
        manifest = store.manifest(dataset, version)
        report = consumer.report(dataset, manifest.version, warehouse=store.root)
    except WarehouseError as error:
        raise _fail(str(error), 2) from error
    summary = manifest.summary
    out.print(
        f"[bold]{dataset} {manifest.version}[/bold]  (parent {manifest.parent_version or '—'}, run {manifest.run_id})"
    )
    out.print(f"rows {manifest.row_count:,} · score {_score(summary.get('overall'))} · grade {summary.get('grade')}")
    dims = Table(title="GB/T 36344 dimensions")
    dims.add_column("dimension")
    dims.add_column("score", justify="right")
    for name, value in summary.get("dimensions", {}).items():
        dims.add_row(name, _score(value))
    out.print(dims)
    gates = Table(title="Hard gates")
    for column in ("gate", "status", "evidence"):
        gates.add_column(column)
    for gate in report.get("hard_gates", []):
        gates.add_row(gate["id"], gate["status"], gate.get("evidence", ""))
    out.print(gates)
    files = Table(title="Files")
    for column in ("path", "size", "rows", "sha256"):
        files.add_column(column)
    for entry in manifest.files:
        files.add_row(entry.path, f"{entry.size:,}", "" if entry.rows is None else f"{entry.rows:,}", entry.sha256[:16])
    out.print(files)
    out.print(f"report: {store.version_dir(dataset, manifest.version) / 'quality' / 'report.html'}")


@catalog_app.command("read")
def catalog_read(
    dataset: str,
    version: Annotated[str, typer.Option("--version", help="vN or latest.")] = "latest",
    min_quality: Annotated[
        float | None, typer.Option("--min-quality", help="Only rows with quality_score ≥ this.")
    ] = None,
    columns: Annotated[str | None, typer.Option("--columns", help="Comma-separated columns to show.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows to print.")] = 10,
    output: Annotated[Path | None, typer.Option("--output", help="Write the rows to .parquet, .csv or .jsonl.")] = None,
    warehouse: WarehouseRoot = None,
) -> None:
    """Print (or export) a published version's rows."""
    try:
        frame = consumer.open(dataset, version, min_quality=min_quality, warehouse=resolve_warehouse(warehouse))
        if columns:
            frame = frame.select([c.strip() for c in columns.split(",")])
        if output is not None:
            _export(frame, output)
            out.print(f"wrote {output}")
            return
        rows = frame.head(limit).collect()
    except (HqdataError, pl.exceptions.ColumnNotFoundError) as error:
        raise _fail(str(error), 2) from error
    with pl.Config(tbl_rows=limit, fmt_str_lengths=60, tbl_width_chars=160):
        out.print(str(rows))


def _export(frame: pl.LazyFrame, output: Path) -> None:
    match output.suffix:
        case ".parquet":
            frame.sink_parquet(output)
        case ".csv":
            frame.sink_csv(output)
        case ".jsonl" | ".ndjson":
            frame.sink_ndjson(output)
        case other:
            raise DeclarationError(f"--output {output}: unknown format {other!r}; use .parquet, .csv or .jsonl")


if __name__ == "__main__":
    app()
