"""The authorisation gate (公共数据授权运营): may this source be read for this dataset, today?

It runs before a byte of the source is read. Each rule gives its own message naming the grant,
the rule and the fix, so an operator knows whether to renew, re-scope or re-target.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from catalog.errors import AuthorisationError
from catalog.loader import Catalog
from catalog.models import CatalogSettings, Dataset, Source, classification_rank

Rule = Literal["valid", "missing", "not_yet_valid", "expired", "purpose", "grantee", "environment", "classification"]
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class GrantVerdict:
    source_id: str
    grant_id: str | None
    rule: Rule
    message: str
    days_left: int | None

    @property
    def allowed(self) -> bool:
        return self.rule == "valid"

    @property
    def expiring_soon(self) -> bool:
        return self.allowed and self.days_left is not None and self.days_left <= EXPIRY_WARNING_DAYS


def check_source(catalog: Catalog, source: Source, *, run_date: date, dataset: Dataset | None = None) -> GrantVerdict:
    """Check the grant's own validity, and with ``dataset`` whether it covers that dataset too."""
    return check_grant(
        source, run_date=run_date, settings=catalog.settings, dataset=dataset, where=catalog.where("source", source.id)
    )


def check_grant(
    source: Source,
    *,
    run_date: date,
    settings: CatalogSettings,
    dataset: Dataset | None = None,
    where: str | None = None,
) -> GrantVerdict:
    """``check_source`` without a loaded catalog: ``where`` names the declaring file in messages."""
    where = where or f"source {source.id}"
    grant = source.authorisation
    if grant is None:
        return GrantVerdict(
            source.id,
            None,
            "missing",
            f"{where}: source {source.id} has no authorisation; declare the grant (grant_id, grantor, grantee, "
            "scope, purposes, valid_from, valid_until) before it can be read",
            None,
        )
    days_left = (grant.valid_until - run_date).days
    target = f" for dataset {dataset.name}" if dataset else ""
    remove = f" or remove the source from dataset {dataset.name}" if dataset else ""

    def verdict(rule: Rule, message: str) -> GrantVerdict:
        return GrantVerdict(source.id, grant.grant_id, rule, f"{where}: {message}", days_left)

    if run_date < grant.valid_from:
        return verdict(
            "not_yet_valid",
            f"grant {grant.grant_id} is not valid until {grant.valid_from} (run date {run_date}); "
            f"wait for it to start{remove}",
        )
    if run_date > grant.valid_until:
        return verdict(
            "expired",
            f"authorisation.valid_until {grant.valid_until} has passed (run date {run_date}): grant {grant.grant_id} "
            f"from {grant.grantor} has expired; renew grant {grant.grant_id}{remove}",
        )
    operator = settings.operator
    if operator is not None and grant.grantee != operator:
        return verdict(
            "grantee",
            f"grant {grant.grant_id} was given to {grant.grantee!r}, not to this operator {operator!r} (catalog.yaml); "
            "only the grantee may operate the data",
        )
    if grant.environment != settings.environment:
        return verdict(
            "environment",
            f"grant {grant.grant_id} allows processing only in environment {grant.environment!r}, but this deployment "
            f"is {settings.environment!r} (catalog.yaml); raw data must not leave its domain",
        )
    if dataset is not None and dataset.purpose not in grant.purposes:
        return verdict(
            "purpose",
            f"grant {grant.grant_id} allows purposes {grant.purposes}, not {dataset.purpose!r}{target}; "
            f"extend the grant's purposes{remove}",
        )
    if dataset is not None and classification_rank(source.classification) > classification_rank(
        dataset.publish.max_classification
    ):
        return verdict(
            "classification",
            f"classification {source.classification} is above {dataset.publish.max_classification}, the most the "
            f"publish target of dataset {dataset.name} allows (GB/T 43697, 就高从严); publish to a target cleared for "
            f"{source.classification}{remove}",
        )
    return verdict("valid", f"grant {grant.grant_id} valid until {grant.valid_until} ({days_left} days left)")


def authorise(catalog: Catalog, dataset: Dataset, *, run_date: date) -> list[GrantVerdict]:
    """Every source of ``dataset`` checked; raises if any may not be read, naming all refusals."""
    verdicts = [
        check_source(catalog, source, run_date=run_date, dataset=dataset) for source in catalog.sources_of(dataset)
    ]
    refused = [v for v in verdicts if not v.allowed]
    if refused:
        lines = "\n".join(f"  - [{v.rule}] {v.message}" for v in refused)
        raise AuthorisationError(f"dataset {dataset.name} may not be built on {run_date}:\n{lines}")
    return verdicts
