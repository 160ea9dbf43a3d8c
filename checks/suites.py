"""Built-in expectation suites per dataset kind, and the suites a dataset declares.

The built-ins restate the record contract (DESIGN §4) and a table's declared schema as
expectations, each tagged with the GB/T 36344 dimension it evidences, so that the same rules
that gate publishing also feed the quality report.
"""

from collections.abc import Mapping, Sequence

from catalog.errors import DeclarationError, closest
from catalog.models import ColumnSpec, Dataset, ExpectationDecl, Source, Suite
from checks.expectations import DEFAULT_DIMENSION

SHA256_PATTERN = r"^[0-9a-f]{64}$"


def builtin_expectations(dataset: Dataset, sources: Sequence[Source]) -> list[ExpectationDecl]:
    """The expectations every release of ``dataset`` must meet, whatever suites it declares."""
    source_ids = [s.id for s in sources if s.id in dataset.sources] or list(dataset.sources)
    provenance = [
        ExpectationDecl(expect="not_null", column="id", dimension="完整性"),
        ExpectationDecl(expect="unique", column="id", dimension="准确性"),
        ExpectationDecl(expect="in_set", column="source_id", values=list(source_ids), dimension="规范性"),
    ]
    if dataset.kind == "text":
        return [*provenance, *_text_expectations(dataset)]
    return [*provenance, *_table_expectations(dataset, [s for s in sources if s.id in source_ids])]


def suite_expectations(dataset: Dataset, suites: Mapping[str, Suite]) -> list[ExpectationDecl]:
    """The expectations of the suites ``dataset`` declares, each with its dimension filled in."""
    decls: list[ExpectationDecl] = []
    for name in dataset.suites:
        suite = suites.get(name)
        if suite is None:
            close = closest(name, suites)
            hint = f"did you mean {close!r}?" if close else f"known suites: {', '.join(sorted(suites)) or 'none'}"
            raise DeclarationError(
                f"dataset {dataset.name} lists suite {name!r} but no suites/*.yaml declares it; {hint}"
            )
        decls.extend(
            d if d.dimension else d.model_copy(update={"dimension": DEFAULT_DIMENSION[d.expect]})
            for d in suite.expectations
        )
    return decls


def _text_expectations(dataset: Dataset) -> list[ExpectationDecl]:
    return [
        ExpectationDecl(expect="not_null", column="text", dimension="完整性"),
        ExpectationDecl(expect="length_between", column="text", min=1, dimension="规范性"),
        ExpectationDecl(expect="between", column="quality_score", min=0, max=1, dimension="准确性"),
        ExpectationDecl(
            expect="in_set", column="lang", values=list(dataset.clean.accepted_languages), dimension="规范性"
        ),
        ExpectationDecl(expect="regex", column="content_sha256", pattern=SHA256_PATTERN, dimension="规范性"),
    ]


def _table_expectations(dataset: Dataset, sources: Sequence[Source]) -> list[ExpectationDecl]:
    """Rules from the shared schema; value rules only warn when the recipe keeps invalid rows."""
    schema = next((s.schema_ for s in sources if s.schema_), {})
    rule_severity = "error" if dataset.clean.drop_invalid_rows else "warn"
    decls: list[ExpectationDecl] = []
    for name, spec in schema.items():
        if spec.required or spec.key:
            decls.append(ExpectationDecl(expect="not_null", column=name, dimension="完整性"))
        if spec.type in ("int", "float") and (spec.min is not None or spec.max is not None):
            decls.append(
                ExpectationDecl(
                    expect="between",
                    column=name,
                    min=spec.min,
                    max=spec.max,
                    severity=rule_severity,
                    dimension="准确性",
                )
            )
        if spec.values is not None:
            decls.append(
                ExpectationDecl(
                    expect="in_set",
                    column=name,
                    values=_typed_values(name, spec),
                    severity=rule_severity,
                    dimension="规范性",
                )
            )
        if spec.pattern is not None:
            decls.append(
                ExpectationDecl(
                    expect="regex", column=name, pattern=spec.pattern, severity=rule_severity, dimension="规范性"
                )
            )
    keys = [name for name, spec in schema.items() if spec.key]
    if len(keys) == 1:
        decls.append(ExpectationDecl(expect="unique", column=keys[0], dimension="一致性"))
    elif keys:
        decls.append(ExpectationDecl(expect="unique_together", columns=keys, dimension="一致性"))
    return decls


def _typed_values(name: str, spec: ColumnSpec) -> list[str | int | float]:
    """Reference values are declared as strings; compare them as the column's type."""
    values = spec.values or []
    convert = {"int": int, "float": float}.get(spec.type)
    if convert is None:
        return list(values)
    try:
        return [convert(v) for v in values]
    except ValueError as error:
        raise DeclarationError(
            f"schema.{name}.values {values} are not all {spec.type}s ({error}); "
            f"list values of the column's type or change its type"
        ) from error
