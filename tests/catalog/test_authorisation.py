"""The authorisation gate: each rule refuses with its own message naming grant, rule and fix."""

from datetime import date

import pytest

from catalog.authorisation import authorise, check_source
from catalog.errors import AuthorisationError
from catalog.loader import Catalog, load_catalog
from tests.support import EXAMPLES

RUN_DATE = date(2026, 11, 23)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(EXAMPLES)


def _with(catalog: Catalog, source_id: str, **grant_changes: object) -> Catalog:
    source = catalog.sources[source_id]
    changed = source.model_copy(update={"authorisation": source.authorisation.model_copy(update=grant_changes)})
    return Catalog(**{**catalog.__dict__, "sources": {**catalog.sources, source_id: changed}})


def test_valid_grant_passes(catalog: Catalog) -> None:
    verdict = check_source(catalog, catalog.sources["gz-tourism-articles"], run_date=RUN_DATE)
    assert verdict.allowed
    assert verdict.days_left == (date(2027, 12, 31) - RUN_DATE).days


def test_expired_grant_names_grant_date_and_source(catalog: Catalog) -> None:
    with pytest.raises(AuthorisationError) as caught:
        authorise(catalog, catalog.dataset("guizhou-services-corpus"), run_date=RUN_DATE)
    message = str(caught.value)
    assert "[expired]" in message
    assert "GZDA-2025-0117" in message
    assert "2026-06-30" in message
    assert "sources/gz-power-outage-notices.yaml" in message
    assert "renew grant GZDA-2025-0117 or remove the source from dataset guizhou-services-corpus" in message


def test_grant_not_yet_valid(catalog: Catalog) -> None:
    verdict = check_source(catalog, catalog.sources["gz-weather-daily"], run_date=date(2026, 2, 1))
    assert verdict.rule == "not_yet_valid"
    assert "not valid until 2026-03-01" in verdict.message


def test_purpose_not_granted(catalog: Catalog) -> None:
    changed = _with(catalog, "gz-tourism-articles", purposes=["public-service"])
    verdict = check_source(
        changed, changed.sources["gz-tourism-articles"], run_date=RUN_DATE, dataset=changed.dataset("tourism-zh-corpus")
    )
    assert verdict.rule == "purpose"
    assert "allows purposes ['public-service'], not 'model-training'" in verdict.message


def test_classification_above_target(catalog: Catalog) -> None:
    source = catalog.sources["gz-tourism-articles"].model_copy(update={"classification": "important"})
    changed = Catalog(**{**catalog.__dict__, "sources": {**catalog.sources, source.id: source}})
    verdict = check_source(changed, source, run_date=RUN_DATE, dataset=changed.dataset("tourism-zh-corpus"))
    assert verdict.rule == "classification"
    assert "classification important is above general-2" in verdict.message


def test_grantee_must_be_this_operator(catalog: Catalog) -> None:
    changed = _with(catalog, "gz-tourism-articles", grantee="别的公司")
    verdict = check_source(changed, changed.sources["gz-tourism-articles"], run_date=RUN_DATE)
    assert verdict.rule == "grantee"
    assert "'别的公司', not to this operator '贵州大数据集团'" in verdict.message


def test_missing_grant(catalog: Catalog) -> None:
    source = catalog.sources["gz-tourism-articles"].model_copy(update={"authorisation": None})
    verdict = check_source(catalog, source, run_date=RUN_DATE)
    assert verdict.rule == "missing"
    assert not verdict.allowed


def test_expiring_soon_is_flagged(catalog: Catalog) -> None:
    verdict = check_source(catalog, catalog.sources["gz-weather-daily"], run_date=date(2027, 2, 10))
    assert verdict.allowed
    assert verdict.expiring_soon
