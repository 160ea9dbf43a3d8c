"""Throughput of the text stages on the demo corpus scaled up: clean (normalise, t2s, PII, signals)
and dedup (exact + MinHash LSH with exact verification), single process.

    .venv/bin/python -m bench.stages --docs 20000

The corpus is the generated demo tourism articles (with their planted copies), repeated with a
per-copy suffix so that repeats are near-duplicates of their originals rather than exact ones.
Prints docs/s and MB/s per stage and the process's peak RSS; results go in bench/RESULTS.md with
the command, date and machine.
"""

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from catalog.models import CleanConfig, DedupConfig, PiiConfig
from examples.generate import generate
from pipelines.dedup.exact import dedup_exact
from pipelines.dedup.near import dedup_near
from pipelines.text.chain import clean_text


def corpus(n_docs: int) -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root)
        texts = [
            record["content"]
            for path in sorted((root / "data" / "tourism").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("{")
            and isinstance((record := _parse(line)), dict)
            and isinstance(record.get("content"), str)
        ]
    rows = [f"{texts[i % len(texts)]}\n第{i // len(texts)}版" for i in range(n_docs)]
    now = datetime(2026, 11, 23, tzinfo=UTC)
    return pl.DataFrame(
        {
            "id": [f"b{i}" for i in range(n_docs)],
            "text": rows,
            "source_id": "bench",
            "source_key": [str(i) for i in range(n_docs)],
            "grant_id": "G",
            "source_uri": "bench",
            "original_time": now,
            "ingested_at": now,
            "content_sha256": "",
        }
    )


def _parse(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    records = corpus(args.docs)
    megabytes = records["text"].str.len_bytes().sum() / 1e6
    print(f"corpus: {records.height:,} docs, {megabytes:.1f} MB UTF-8")

    start = time.perf_counter()
    cleaned = clean_text(records, clean=CleanConfig(), pii=PiiConfig()).kept
    clean_s = time.perf_counter() - start
    start = time.perf_counter()
    exact = dedup_exact(cleaned, columns=["text"]).kept
    near = dedup_near(exact, config=DedupConfig())
    dedup_s = time.perf_counter() - start

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"clean: {clean_s:.2f} s, {records.height / clean_s:,.0f} docs/s, {megabytes / clean_s:.2f} MB/s")
    print(
        f"dedup: {dedup_s:.2f} s, {cleaned.height / dedup_s:,.0f} docs/s, kept {near.kept.height:,} "
        f"of {cleaned.height:,} ({near.stats.get('dedup_candidate_pairs', 0):,.0f} candidate pairs)"
    )
    print(f"peak RSS: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
