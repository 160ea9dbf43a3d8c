"""Loading a catalog root: ``sources/``, ``datasets/``, ``suites/`` and an optional ``catalog.yaml``.

Every problem is reported with the file, the field and a fix, and all problems of a root are
reported together so one edit-run cycle fixes them all.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ValidationError

from catalog.errors import DeclarationError, closest
from catalog.models import CatalogSettings, Dataset, Source, Suite

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Catalog:
    """Every declaration of one catalog root, cross-checked."""

    root: Path
    settings: CatalogSettings
    sources: dict[str, Source]
    datasets: dict[str, Dataset]
    suites: dict[str, Suite]
    files: dict[str, Path]  # "source:<id>" / "dataset:<name>" / "suite:<name>" -> declaring file

    def today(self) -> date:
        """Today in the catalog's timezone: the default date grants are checked against."""
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    def dataset(self, name: str) -> Dataset:
        if name not in self.datasets:
            raise DeclarationError(
                f"no dataset named {name!r} in {self.root}/datasets{_did_you_mean(name, self.datasets)}"
            )
        return self.datasets[name]

    def sources_of(self, dataset: Dataset) -> list[Source]:
        return [self.sources[source_id] for source_id in dataset.sources]

    def where(self, kind: str, name: str) -> str:
        """The declaring file, relative to the root, for messages."""
        path = self.files.get(f"{kind}:{name}")
        return str(path.relative_to(self.root)) if path else f"{kind} {name}"


def load_catalog(root: str | Path) -> Catalog:
    root = Path(root).resolve()
    if not (root / "sources").is_dir() or not (root / "datasets").is_dir():
        raise DeclarationError(
            f"{root} is not a catalog root: it needs sources/ and datasets/ folders "
            "(pass --catalog-root DIR or set HQDATA_CATALOG_ROOT)"
        )
    problems: list[str] = []
    files: dict[str, Path] = {}
    settings_file = root / "catalog.yaml"
    settings = CatalogSettings()
    if settings_file.exists():
        settings = _parse(settings_file, root, CatalogSettings, problems) or settings
    sources = _load_dir(root, "sources", Source, "id", "source", files, problems)
    datasets = _load_dir(root, "datasets", Dataset, "name", "dataset", files, problems)
    suites = _load_dir(root, "suites", Suite, "name", "suite", files, problems)
    problems += _cross_check(root, sources, datasets, suites, files)
    if problems:
        raise DeclarationError(
            f"{len(problems)} problem(s) in catalog {root}:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return Catalog(root=root, settings=settings, sources=sources, datasets=datasets, suites=suites, files=files)


def _load_dir(
    root: Path, folder: str, model: type[M], key: str, kind: str, files: dict[str, Path], problems: list[str]
) -> dict[str, M]:
    loaded: dict[str, M] = {}
    directory = root / folder
    if not directory.is_dir():
        return loaded
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        item = _parse(path, root, model, problems)
        if item is None:
            continue
        name = getattr(item, key)
        if name in loaded:
            problems.append(
                f"{path.relative_to(root)}: {key} {name!r} is already declared in {files[f'{kind}:{name}'].relative_to(root)}; rename one"
            )
            continue
        loaded[name] = item
        files[f"{kind}:{name}"] = path
    return loaded


def _parse(path: Path, root: Path, model: type[M], problems: list[str]) -> M | None:
    where = path.relative_to(root)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        problems.append(f"{where}: not valid UTF-8 YAML ({err}); fix the syntax")
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping of fields, got {type(data).__name__}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems.extend(f"{where}: {_describe(error, model)}" for error in err.errors())
        return None


def _describe(error: Any, model: type[BaseModel]) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        allowed = _field_names(model, error["loc"][:-1])
        return f"unknown field {field}{_did_you_mean(str(error['loc'][-1]), allowed)}; remove it or fix its name"
    if error["type"] == "missing":
        return f"field {field} is required; add it"
    return f"field {field}: {message} (got {error.get('input')!r})"


def _field_names(model: type[BaseModel], loc: Iterable[Any]) -> list[str]:
    """The names allowed at ``loc``, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = field.annotation
    fields = getattr(current, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = closest(name, options)
    return f" (did you mean {close!r}?)" if close else ""


def _cross_check(
    root: Path,
    sources: dict[str, Source],
    datasets: dict[str, Dataset],
    suites: dict[str, Suite],
    files: dict[str, Path],
) -> list[str]:
    problems: list[str] = []
    for dataset in datasets.values():
        where = files[f"dataset:{dataset.name}"].relative_to(root)
        for index, source_id in enumerate(dataset.sources):
            source = sources.get(source_id)
            if source is None:
                problems.append(
                    f"{where}: field sources.{index}: no source {source_id!r} in sources/{_did_you_mean(source_id, sources)}"
                )
            elif source.kind != dataset.kind:
                problems.append(
                    f"{where}: field sources.{index}: source {source_id!r} is a {source.kind} source but the dataset is "
                    f"kind {dataset.kind}; use a {dataset.kind} source"
                )
        for index, suite in enumerate(dataset.suites):
            if suite not in suites:
                problems.append(
                    f"{where}: field suites.{index}: no suite {suite!r} in suites/{_did_you_mean(suite, suites)}"
                )
        table_sources = [sources[s] for s in dataset.sources if s in sources and sources[s].kind == "table"]
        if len({tuple(sorted(s.schema_)) for s in table_sources}) > 1:
            problems.append(
                f"{where}: field sources: table sources {dataset.sources} declare different columns; a table dataset needs one schema"
            )
    return problems
