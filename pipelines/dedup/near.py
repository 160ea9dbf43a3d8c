"""Near-duplicate removal: MinHash signatures, LSH candidates, exactly verified pairs, clusters.

LSH banding is chosen for recall (see :func:`pipelines.dedup.lsh.banding`) and every candidate
pair is then verified by the exact Jaccard similarity of the two normalised texts' shingle sets
(see :mod:`pipelines.dedup.verify`) before it may join a cluster. That keeps precision high (two
short articles that share only a long footer have too few shingles in common) and makes the
decision at the threshold exact rather than a MinHash estimate. Clusters are the connected
components of verified pairs; each keeps one record (see :mod:`pipelines.dedup.clusters`) and
the others become ``duplicate_of:<kept id>``, with their exact Jaccard to the kept record in the
detail (``dedup_near_duplicate jaccard=0.83``).
"""

import numpy as np
import polars as pl

from catalog.errors import SchemaMismatchError
from catalog.models import DedupConfig
from pipelines.dedup.clusters import Clusters, components, keep_rank, resolve, split, with_cluster_size
from pipelines.dedup.lsh import banding, candidate_pairs
from pipelines.dedup.minhash import signatures
from pipelines.dedup.verify import exact_jaccard, verify
from pipelines.reasons import DEDUP_NEAR
from pipelines.stage import StageResult


def _similarity_to_kept(
    texts: pl.Series, clusters: Clusters, confirmed: np.ndarray, similarity: np.ndarray, *, ngram: int
) -> np.ndarray:
    """Exact Jaccard of each removed record (in row order) to the record its cluster keeps: taken
    from the verified pairs (sorted, ``i < j``) where the two were one, computed for the records
    joined to their kept record only through others."""
    removed = np.flatnonzero(~clusters.kept)
    kept = clusters.keeper[removed]
    n_rows = len(clusters.keeper)
    codes = np.minimum(removed, kept) * n_rows + np.maximum(removed, kept)
    known = np.append(confirmed[:, 0] * n_rows + confirmed[:, 1], n_rows * n_rows)  # sentinel above every code
    at = np.searchsorted(known, codes)
    direct = known[at] == codes
    result = np.empty(len(removed), dtype=np.float64)
    result[direct] = similarity[at[direct]]
    chained = np.stack((removed[~direct], kept[~direct]), axis=1)
    result[~direct] = exact_jaccard(texts, chained, ngram=ngram)
    return result


def dedup_near(records: pl.DataFrame, *, config: DedupConfig, text_column: str = "text") -> StageResult:
    """Remove near-duplicates of ``text_column`` at Jaccard >= ``config.threshold``.

    Stats: ``dedup_near_removed``, ``dedup_near_clusters`` (clusters of two or more),
    ``dedup_candidate_pairs`` (distinct LSH pairs before verification), ``dedup_bands`` and
    ``dedup_rows`` (the LSH banding; 0 when dedup is disabled).
    """
    if not config.enabled:
        stats = dict.fromkeys(
            ("dedup_near_removed", "dedup_near_clusters", "dedup_candidate_pairs", "dedup_bands", "dedup_rows"), 0.0
        )
        return StageResult(kept=with_cluster_size(records), stats=stats)
    if text_column not in records.columns:
        raise SchemaMismatchError(
            f"dedup_near needs the text column {text_column!r}, available {records.columns}: "
            "pass text_column= or map the text field in the source"
        )
    lsh = banding(config.threshold, config.num_perm, recall=config.candidate_recall)
    texts = records.get_column(text_column)
    sketches = signatures(texts, config=config)
    rank = keep_rank(records)
    pairs = candidate_pairs(sketches, banding=lsh, priority=rank)
    confirmed, similarity = verify(texts, sketches, pairs, config=config)
    clusters = resolve(records, components(records.height, confirmed), rank=rank)

    to_kept = _similarity_to_kept(texts, clusters, confirmed, similarity, ngram=config.ngram)
    detail = pl.Series([f"{DEDUP_NEAR} jaccard={value:.2f}" for value in to_kept], dtype=pl.String)
    kept, removed = split(records, clusters, detail=detail)
    return StageResult(
        kept=kept,
        removed=removed,
        stats={
            "dedup_near_removed": float(removed.height),
            "dedup_near_clusters": float(clusters.n_clusters),
            "dedup_candidate_pairs": float(len(pairs)),
            "dedup_bands": float(lsh.bands),
            "dedup_rows": float(lsh.rows),
        },
    )
