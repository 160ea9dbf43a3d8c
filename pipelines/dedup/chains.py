"""Duplicate chains in the ledger, resolved to the record finally kept.

Dedup runs in stages: exact dedup removes B as ``duplicate_of:C``, then near dedup removes C as
``duplicate_of:D``. The ledger should send a reader of B to D, the record that was published, so
every ``duplicate_of:X`` is rewritten to the end of its chain, and the detail keeps the direct
target (``dedup_exact via C``) so that no step of the decision is lost.
"""

import numpy as np
import polars as pl

from pipelines.reasons import Outcome, outcome

_PREFIX = outcome(Outcome.DUPLICATE, "")


def _chain_ends(sources: pl.Series, targets: pl.Series) -> pl.Series:
    """Per edge ``sources[k] -> targets[k]``: the record its chain ends at, by pointer doubling.

    A chain goes on from ``targets[k]`` while that record is itself a source (along its first edge,
    should it have several) and ends at the first record that is not. An edge whose chain never
    ends, because it runs into a cycle, gets null.
    """
    names = pl.concat([sources, targets])
    codes = names.rank("dense").to_numpy().astype(np.int64) - 1
    n_nodes = int(codes.max(initial=-1)) + 1
    name_at = np.empty(n_nodes, dtype=np.int64)
    name_at[codes[::-1]] = np.arange(len(codes))[::-1]
    source, target = codes[: len(sources)], codes[len(sources) :]
    step = np.arange(n_nodes)
    step[source[::-1]] = target[::-1]
    end = step.copy()
    for _ in range(n_nodes.bit_length()):  # after k rounds a pointer has moved 2**k steps
        end = end[end]
    reached = end[target]
    return pl.select(pl.when(pl.lit(step[reached] == reached)).then(names.gather(name_at[reached]))).to_series()


def resolve_duplicate_chains(ledger: pl.DataFrame) -> pl.DataFrame:
    """``ledger`` with every ``duplicate_of:X`` pointing at the record its chain of duplicates ends
    at, and `` via X`` appended to the detail of each row that changed.

    Rows, their order and every other outcome stay as they are, and so do rows whose chain runs
    into a cycle (none of its records was kept, which no dedup stage produces). Applying it twice
    changes nothing more.
    """
    duplicate = ledger.get_column("outcome").str.starts_with(_PREFIX)
    direct = ledger.get_column("outcome").filter(duplicate).str.strip_prefix(_PREFIX)
    ends = _chain_ends(ledger.get_column("record_id").filter(duplicate), direct)
    at = np.flatnonzero(duplicate.to_numpy())
    end = pl.repeat(None, ledger.height, dtype=pl.String, eager=True).scatter(at, ends)
    target = pl.repeat(None, ledger.height, dtype=pl.String, eager=True).scatter(at, direct)
    moved = end.is_not_null() & (end != target)
    detail = pl.col("detail").fill_null("")
    return ledger.with_columns(
        outcome=pl.when(moved).then(_PREFIX + end).otherwise(pl.col("outcome")),
        detail=pl.when(~moved)
        .then(pl.col("detail"))
        .when(detail == "")
        .then("via " + target)
        .otherwise(detail + " via " + target),
    )
