"""Generate the demo organisation's raw data and the truth about every defect planted in it.

    python -m examples.generate [--root examples] [--seed 20261123]

The output depends on the seed only (no clock, no global random state): the same seed gives
byte-identical files. It (re)writes, under ``root``:

- ``data/tourism/articles-2026-10.jsonl``, ``data/tourism/articles-2026-11.jsonl`` (source
  ``gz-tourism-articles``): records ``{doc_id, title, content, published_at, url, site}``;
- ``data/power/notices-2026.jsonl`` (source ``gz-power-outage-notices``, whose grant has expired):
  records ``{notice_id, title, body, issued_at, url}``;
- ``data/weather/daily-2026-11.csv`` (source ``gz-weather-daily``), GB18030, header
  ``站号,站名,行政区划代码,观测日期,最高气温,最低气温,降水量,相对湿度,平均风速``;
- ``truth/planted.json``, the dict :func:`generate` returns:

``seed``
``tourism``
    ``source_id``; ``files`` {file name: {n_lines, n_records}}; ``n_lines`` (physical lines, blank
    ones included); ``n_records_total`` (well-formed records: JSON objects with non-empty content);
    ``n_malformed`` (= n_lines - n_records_total);
    ``base_ids`` (the distinct articles); ``base_topics`` {id: {kind, topic}} (kind is one of guide,
    note, review, news, food, itinerary, festival; topic is a place, "<city>美食" or a festival);
    planted copies, each ``{id, of}`` where ``of`` is a base id, plus:
    ``exact_copies`` (same title and content), ``reposts`` {site, jaccard5} (header and footer lines
    added), ``traditional`` (title and content in Traditional script), ``punctuation_variants``
    {direction: to_halfwidth | to_fullwidth, jaccard5}, ``small_edits`` {edit: chars | sentence,
    n_edits, jaccard5}; ``jaccard5`` is the exact character 5-gram Jaccard with the base after NFKC
    and whitespace removal;
    ``duplicate_groups`` [{base, members}] (every planted copy of each base);
    ``navigation_junk``, ``too_short`` (under 30 characters), ``non_chinese``: lists of ids;
    ``pii`` [{doc_id, kind, value, valid, of}] for every well-formed record containing a planted
    value verbatim (``of`` is null for a base article, else the base id); kind is resident_id,
    mobile, email or bank_card; ``valid`` is the check-digit (GB 11643) or Luhn verdict;
    ``malformed`` [{file, line, problem, reason, doc_id}] with 1-based line numbers; problem is
    broken_json (truncated), not_an_object, missing_content, empty_content or blank (an empty
    line), reason the ingest reason code expected in the ledger, doc_id set where the line parses;
    ``locations`` {doc_id: "file:line"} of every well-formed record;
    ``expected`` {quarantined, junk, planted_copies, distinct_articles}: totals for end-to-end checks.
``power``
    ``source_id``, ``file``, ``n_records``, ``grant_expired``.
``weather``
    ``source_id``, ``file``, ``encoding``, ``header``, ``columns`` {declared: header}, ``required``,
    ``key``, ``ranges`` {column: [min, max]} the planted out-of-range values violate, ``stations``;
    ``n_stations``, ``n_days``, ``n_lines`` (header included), ``n_data_rows``;
    ``defects`` [{line, reason, problem, column, value, station_id, obs_date}] (physical 1-based line,
    header = 1; one defect per row; station_id/obs_date are the key the row was meant to carry);
    reason is the ledger reason code, except cross_field_min_gt_max for rows breaking
    temp_min_c <= temp_max_c (the pipeline files those under clean_row_rule);
    ``exact_duplicates`` and ``key_duplicates`` [{line, of_line, station_id, obs_date}];
    ``kept_nulls`` [line] and ``kept_null_cells`` [{line, column}] (optional cells left empty: keep);
    ``n_keys`` (stations x days) and ``n_valid_keys`` (keys whose row has no defect: the rows to publish
    once duplicates are dropped).
"""

import argparse
import json
import random
from pathlib import Path
from typing import Any

from examples.demo import power, tourism, weather

DEFAULT_SEED = 20261123


def generate(root: Path, *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write every demo source and ``truth/planted.json`` under ``root``; return the truth."""
    truth: dict[str, Any] = {"seed": seed}
    for name, module in (("tourism", tourism), ("power", power), ("weather", weather)):
        truth[name] = module.build(root, random.Random(f"{seed}:{name}"))
    (root / "truth").mkdir(parents=True, exist_ok=True)
    text = json.dumps(truth, ensure_ascii=False, indent=2) + "\n"
    (root / "truth" / "planted.json").write_bytes(text.encode("utf-8"))
    return truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the demo raw data and its planted truth.")
    parser.add_argument("--root", type=Path, default=Path("examples"), help="catalog root to write under")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same bytes")
    args = parser.parse_args(argv)
    truth = generate(args.root, seed=args.seed)
    t, w = truth["tourism"], truth["weather"]
    print(
        f"wrote {args.root}/data: {t['n_records_total']} tourism records ({len(t['base_ids'])} distinct, "
        f"{t['n_malformed']} malformed lines), {truth['power']['n_records']} outage notices, "
        f"{w['n_data_rows']} weather rows ({len(w['defects'])} defective); truth in {args.root}/truth/planted.json"
    )


if __name__ == "__main__":
    main()
