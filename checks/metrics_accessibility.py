"""可访问性 (accessibility) indicators: grants that cover the dataset and declared licences."""

from catalog.authorisation import check_grant
from catalog.models import Source
from checks.facts import ReleaseFacts
from checks.metric import Metric, ratio

PLACEHOLDER_LICENCES = frozenset({"", "unknown", "none", "n/a", "tbd"})


def grant_problems(source: Source, facts: ReleaseFacts) -> list[str]:
    """Why ``source``'s grant does not cover the dataset on the run date (empty when it does).

    Classification is left to its own gate: it is about the publish target, not the grant.
    """
    verdict = check_grant(source, run_date=facts.run_date, settings=facts.settings, dataset=facts.dataset)
    return [] if verdict.rule in ("valid", "classification") else [verdict.message]


def _declared_sources(facts: ReleaseFacts) -> tuple[list[Source], list[str]]:
    known = {s.id: s for s in facts.sources}
    return [known[i] for i in facts.dataset.sources if i in known], [i for i in facts.dataset.sources if i not in known]


def grant_validity(facts: ReleaseFacts) -> Metric:
    sources, undeclared = _declared_sources(facts)
    problems = [p for s in sources for p in grant_problems(s, facts)]
    problems += [f"{i}: no source declaration" for i in undeclared]
    valid = sum(not grant_problems(s, facts) for s in sources)
    return ratio(
        "authorisation_validity",
        "授权有效率 / Authorisation validity",
        "可访问性",
        None,
        a=valid,
        b=len(facts.dataset.sources),
        rule="sources whose grant is valid on the run date and covers the dataset's purpose / sources",
        evidence="; ".join(problems) or f"all grants valid on {facts.run_date} for {facts.dataset.purpose}",
    )


def licence_declared(facts: ReleaseFacts) -> Metric:
    sources, _ = _declared_sources(facts)
    missing = [s.id for s in sources if s.license.strip().lower() in PLACEHOLDER_LICENCES]
    return ratio(
        "licence_declared",
        "许可声明率 / Licence declared",
        "可访问性",
        None,
        a=len(sources) - len(missing),
        b=len(facts.dataset.sources),
        rule="sources with a declared licence (not empty or 'unknown') / sources",
        evidence=f"missing: {', '.join(missing)}" if missing else ", ".join(sorted({s.license for s in sources})),
    )
