"""Dimension scores, the overall and its grade, and hard gates that refuse a release."""

from collections.abc import Callable
from datetime import date

import pytest

from catalog.models import Dataset, ExpectationDecl, PublishTarget, ScoringConfig, Source
from checks.expectations import ExpectationOutcome, SuiteResult
from checks.facts import ReleaseFacts
from checks.metrics import compute_metrics, not_evaluated, ratio
from checks.report import build_report
from checks.scoring import GRADE_CUTOFFS, assess, gbt_dimensions, grade, overall, tc609_dimensions

MakeFacts = Callable[..., ReleaseFacts]


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        (100, "A"),
        (90, "A"),
        (89.99, "B"),
        (80, "B"),
        (79.99, "C"),
        (70, "C"),
        (60, "D"),
        (59.99, "E"),
        (0, "E"),
        (None, None),
    ],
)
def test_grade_cutoffs(score: float | None, letter: str | None):
    assert grade(score) == letter


def test_cutoffs_are_one_descending_constant():
    assert [c for _, c in GRADE_CUTOFFS] == sorted((c for _, c in GRADE_CUTOFFS), reverse=True)


def test_not_evaluated_metrics_never_score_and_dimensions_drop_out():
    metrics = [
        ratio("a", "a", "准确性", None, a=1, b=2, rule="r"),
        not_evaluated("b", "b", "准确性", None, rule="r", why="no data"),
        not_evaluated("c", "c", "时效性", None, rule="r", why="no data"),
        ratio("d", "d", "规范性", None, a=1, b=1, rule="r"),
    ]
    dims = {d.id: d for d in gbt_dimensions(metrics, ScoringConfig().weights)}
    assert dims["准确性"].score == 50.0  # the not-evaluated metric is not a 1 (nor a 0)
    assert dims["时效性"].score is None
    assert dims["时效性"].status == "not_evaluated"
    assert dims["完整性"].status == "not_evaluated"
    assert overall(list(dims.values())) == 75.0


def test_weights_shift_the_overall():
    metrics = [
        ratio("a", "a", "准确性", None, a=1, b=2, rule="r"),
        ratio("d", "d", "规范性", None, a=1, b=1, rule="r"),
    ]
    weights = ScoringConfig(weights={"准确性": 3.0, "规范性": 1.0}).weights
    assert overall(gbt_dimensions(metrics, weights)) == 62.5


def test_clean_release_is_publishable(make_facts: MakeFacts):
    report = build_report(make_facts())
    assert report.decision == "published"
    assert report.refusal_reasons == []
    assert {g.status for g in report.hard_gates} == {"passed"}
    assert report.summary["grade"] == grade(report.summary["overall"])


def _refused(facts: ReleaseFacts, gate: str, needle: str) -> None:
    report = build_report(facts)
    status = {g.id: g.status for g in report.hard_gates}
    assert status[gate] == "failed", status
    assert report.decision == "refused"
    assert any(needle in reason for reason in report.refusal_reasons), report.refusal_reasons


def _with_grant(source: Source, **grant: object) -> Source:
    data = source.model_dump(by_alias=True)
    data["authorisation"].update(grant)
    return Source.model_validate(data)


def test_expired_grant_refuses(make_facts: MakeFacts, make_source: Callable[..., Source]):
    blog = _with_grant(make_source("blog"), valid_until=date(2026, 6, 30))
    _refused(make_facts(sources=[make_source("news"), blog]), "authorisation", "valid_until 2026-06-30 has passed")


def test_grant_for_another_purpose_refuses(make_facts: MakeFacts, make_source: Callable[..., Source]):
    blog = _with_grant(make_source("blog"), purposes=["statistics"])
    _refused(
        make_facts(sources=[make_source("news"), blog]),
        "authorisation",
        "allows purposes ['statistics'], not 'model-training'",
    )


def test_missing_grant_or_declaration_refuses(make_facts: MakeFacts, make_source: Callable[..., Source]):
    _refused(
        make_facts(sources=[make_source("news"), make_source("blog", authorisation=None)]),
        "authorisation",
        "source blog has no authorisation",
    )
    _refused(make_facts(sources=[make_source("news")]), "authorisation", "blog: no source declaration")


def test_harmful_content_over_five_percent_in_one_source_refuses(make_facts: MakeFacts):
    _refused(make_facts(harmful_hits={"news": 0, "blog": 1}), "harmful_content", "over 5% in blog")
    _refused(make_facts(harmful_hits=1), "harmful_content", "1 hits in 6 records")


def test_harmful_content_not_evaluated_does_not_block(make_facts: MakeFacts):
    report = build_report(make_facts(harmful_hits=None))
    gate = next(g for g in report.hard_gates if g.id == "harmful_content")
    assert gate.status == "not_evaluated"
    assert report.decision == "published"


def test_unmasked_pii_refuses(make_facts: MakeFacts):
    _refused(make_facts(unmasked_valid_pii=1), "unmasked_pii", "1 checksum-valid")


def test_classification_above_target_refuses(make_facts: MakeFacts, make_source: Callable[..., Source]):
    sources = [make_source("news"), make_source("blog", classification="important")]
    _refused(make_facts(sources=sources), "classification", "blog (important)")
    dataset = Dataset(
        name="tourism-zh",
        kind="text",
        sources=["news", "blog"],
        purpose="model-training",
        publish=PublishTarget(max_classification="important"),
    )
    assert build_report(make_facts(sources=sources, dataset=dataset)).decision == "published"


def test_blocking_expectation_refuses_but_warning_does_not(
    make_facts: MakeFacts, make_outcome: Callable[..., ExpectationOutcome]
):
    def suite(severity: str) -> SuiteResult:
        decl = ExpectationDecl(expect="not_null", column="text", severity=severity)
        return SuiteResult(suite_name="builtin", row_count=6, outcomes=[make_outcome(decl, rows=6, unexpected=1)])

    refused = build_report(make_facts(suite=suite("error")))
    assert refused.decision == "refused"
    assert refused.refusal_reasons == ["builtin: FAILED: hand-made failure"]
    assert {g.status for g in refused.hard_gates} == {"passed"}
    assert build_report(make_facts(suite=suite("warn"))).decision == "published"


def test_decision_does_not_wait_for_a_version(make_facts: MakeFacts):
    # the pipeline assesses before it claims a version, then fills it in
    report = build_report(make_facts(version=None))
    assert report.decision == "published"
    assert report.model_copy(update={"version": "v2"}).version == "v2"


def test_gates_are_not_averaged(make_facts: MakeFacts, make_source: Callable[..., Source]):
    sources = [make_source("news", classification="core"), make_source("blog")]
    clean, refused = build_report(make_facts()), build_report(make_facts(sources=sources))
    assert refused.decision == "refused"
    assert refused.summary["overall"] == clean.summary["overall"]
    assert refused.summary["grade"] == clean.summary["grade"]


def test_tc609_view(make_facts: MakeFacts):
    facts = make_facts()
    view = {d.id: d for d in tc609_dimensions(facts, compute_metrics(facts))}
    items = {i.id: i for d in view.values() for i in d.items}
    assert items["0302"].status == "not_evaluated"
    assert items["0203"].status == "not_evaluated"
    assert items["0201"].score == pytest.approx(95.0)  # parse 0.9 and conformance expectations 1.0
    assert items["0101"].score == 80.0
    assert "support contact" in items["0101"].evidence
    assert view["03"].score == 100.0  # only 0303 timeliness evaluated
    facts = make_facts(size_target=12)
    items = {i.id: i for d in tc609_dimensions(facts, compute_metrics(facts)) for i in d.items}
    assert items["0302"].score == 50.0


def test_assess_lists_publishability(make_facts: MakeFacts):
    facts = make_facts()
    card = assess(facts, compute_metrics(facts))
    assert card.publishable
    assert card.suite_passed
    assert card.grade == "A"
