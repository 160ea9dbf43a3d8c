"""Declarations: sources with their grants, dataset recipes and expectation suites.

Field names here are a contract (DESIGN §3): add fields, never rename them. Every model forbids
unknown fields so a typo fails loudly instead of silently falling back to a default.
"""

import hashlib
import json
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
Kind = Literal["text", "table"]
Format = Literal["jsonl", "json", "csv", "tsv", "parquet", "txt", "html"]
Encoding = Literal["utf-8", "gb18030", "auto"]
# One document per file: the reader supplies text (and, for html, time and URL) itself.
DOCUMENT_FORMATS: tuple[str, ...] = ("txt", "html")
UpdateCycle = Literal["realtime", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]

# GB/T 43697-2024 levels, least to most sensitive; a combination takes the highest (就高从严).
CLASSIFICATION_LEVELS: tuple[str, ...] = ("general-1", "general-2", "general-3", "general-4", "important", "core")
Classification = Literal["general-1", "general-2", "general-3", "general-4", "important", "core"]


def classification_rank(level: str) -> int:
    return CLASSIFICATION_LEVELS.index(level)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def fingerprint(self) -> str:
        """A stable short hash of the settings, recorded with every output they produced."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


class Authorisation(Model):
    """A grant to operate public data (公共数据授权运营): who may use it, for what, until when."""

    grant_id: str = Field(min_length=1, description="The grant's identifier, e.g. GZDA-2026-0042.")
    grantor: str = Field(min_length=1, description="The authority that granted the data.")
    grantee: str = Field(min_length=1, description="The operator the grant was given to.")
    scope: Literal["whole", "domain", "scenario"] = Field(description="整体 / 分领域 / 依场景.")
    purposes: list[str] = Field(min_length=1, description="Purposes the data may serve, e.g. model-training.")
    valid_from: date
    valid_until: date
    environment: str = Field(default="in-domain", description="Where the data may be processed.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Authorisation":
        if self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}; swap them or fix the grant"
            )
        return self


ColumnType = Literal["string", "int", "float", "bool", "date", "datetime"]


class ColumnSpec(Model):
    """One declared column of a table source."""

    type: ColumnType = "string"
    required: bool = False
    key: bool = Field(default=False, description="Part of the record key (unique together).")
    min: float | None = None
    max: float | None = None
    values: list[str] | None = Field(default=None, description="Allowed values (a reference set).")
    pattern: str | None = Field(default=None, description="Regex every non-null value must match.")
    format: str | None = Field(default=None, description="strftime format for date/datetime columns.")
    description: str = ""


class CsvOptions(Model):
    """How a CSV or TSV file is split into cells; ``format: tsv`` defaults the delimiter to a tab."""

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    quote: str = Field(default='"', min_length=1, max_length=1)
    header: bool = True
    null_values: list[str] = Field(
        default_factory=lambda: [""],
        description="Cells equal to one of these, after trimming whitespace, become null. "
        'Markers such as "N/A" are data unless listed here.',
    )

    @model_validator(mode="after")
    def _distinct_characters(self) -> "CsvOptions":
        if self.delimiter == self.quote:
            raise ValueError(f"csv.delimiter and csv.quote are both {self.delimiter!r}; give them different characters")
        if self.delimiter in "\r\n" or self.quote in "\r\n":
            raise ValueError("csv.delimiter and csv.quote cannot be line breaks: records are one line each")
        return self


class Source(Model):
    """A declared input: where it is, how to read it, and the grant that lets us read it."""

    id: Slug
    title: str
    kind: Kind
    format: Format
    location: str = Field(description="Path or glob relative to the catalog root, or a URI.")
    encoding: Encoding = "utf-8"
    fields: dict[str, str] = Field(default_factory=dict, description="Canonical name -> name in the file.")
    schema_: dict[str, ColumnSpec] = Field(default_factory=dict, alias="schema")
    csv: CsvOptions = CsvOptions()
    rules: dict[str, str] = Field(
        default_factory=dict,
        description="Table row rules: name -> SQL boolean expression over declared columns, e.g. temp_min_c <= temp_max_c.",
    )
    license: str
    classification: Classification
    update_cycle: UpdateCycle
    authorisation: Authorisation | None = None
    description: str = ""
    document_per: Literal["file", "line"] = Field(
        default="file", description="txt sources: one document per file, or one per line (keyed file:line)."
    )
    max_record_bytes: int = Field(default=1_000_000, gt=0, description="Larger records go to quarantine.")
    max_file_bytes: int = Field(
        default=256 * 1024 * 1024,
        gt=0,
        description="A JSON file is parsed whole, so a larger one goes to quarantine; split it into JSONL.",
    )
    encoding_confidence: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="encoding auto: below this detector confidence a file's records are tried as UTF-8, then GB18030.",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _kind_rules(self) -> "Source":
        if self.kind == "text" and "text" not in self.fields and self.format not in DOCUMENT_FORMATS:
            raise ValueError(
                "a text source must map the canonical field 'text' in fields, e.g. fields: {text: content}"
            )
        if self.kind == "table" and self.format in DOCUMENT_FORMATS:
            raise ValueError(
                f"format {self.format} holds one document per file, not table rows; use csv, tsv, jsonl, json or parquet"
            )
        renamed = sorted(name for name, in_file in self.fields.items() if name != in_file)
        if self.format in DOCUMENT_FORMATS and renamed:
            raise ValueError(
                f"format {self.format} reads a whole file as one document, so fields cannot rename {renamed}; "
                "remove fields (html takes original_time and source_uri from the page itself)"
            )
        if self.kind == "text" and self.format in ("csv", "tsv") and not self.csv.header:
            raise ValueError("a text source in csv/tsv needs csv.header: true so fields can name the text column")
        if self.kind == "table" and not self.schema_:
            raise ValueError(
                "a table source must declare its columns under schema, e.g. schema: {station_id: {type: string, key: true}}"
            )
        unknown = sorted(set(self.fields) - set(self.schema_)) if self.kind == "table" else []
        if unknown:
            raise ValueError(
                f"fields maps {unknown} which are not declared under schema; declare them or remove the mapping"
            )
        return self

    def file_field(self, canonical: str) -> str:
        """The name a canonical field has in the file (itself when not mapped)."""
        return self.fields.get(canonical, canonical)

    @property
    def delimiter(self) -> str:
        """The cell delimiter: a tab for ``format: tsv`` unless ``csv.delimiter`` says otherwise."""
        if self.format == "tsv" and "delimiter" not in self.csv.model_fields_set:
            return "\t"
        return self.csv.delimiter


class CleanConfig(Model):
    """Cleaning recipe. Text options apply to text datasets; tables validate against their schema."""

    nfkc: bool = True
    convert: Literal["t2s", "none"] = Field(default="t2s", description="OpenCC conversion; t2s for mainland datasets.")
    min_chars: int = Field(default=50, ge=0, description="Drop texts shorter than this after cleaning.")
    min_cjk_ratio: float = Field(default=0.3, ge=0, le=1, description="Drop texts with fewer CJK characters.")
    min_quality_score: float = Field(
        default=0.35, ge=0, le=1, description="Drop records scoring lower (see pipelines.text.signals)."
    )
    accepted_languages: list[str] = Field(default_factory=lambda: ["zh"])
    drop_invalid_rows: bool = Field(default=True, description="Tables: drop rows breaking declared rules.")


PiiKind = Literal["resident_id", "mobile", "email", "bank_card", "uscc"]


class PiiConfig(Model):
    enabled: bool = True
    kinds: list[PiiKind] = Field(default_factory=lambda: ["resident_id", "mobile", "email", "bank_card", "uscc"])


class DedupConfig(Model):
    enabled: bool = True
    ngram: int = Field(default=5, ge=1, le=32, description="Character n-gram size for CJK text.")
    num_perm: int = Field(default=128, ge=16, le=1024)
    threshold: float = Field(
        default=0.7,
        gt=0,
        lt=1,
        description="Jaccard similarity of two normalised texts' n-gram sets at which they are duplicates "
        "(checked exactly on every LSH candidate pair).",
    )
    candidate_recall: float = Field(
        default=0.95,
        gt=0,
        lt=1,
        description="Least probability that a pair at exactly the threshold becomes an LSH candidate; "
        "higher finds more borderline pairs and checks more candidates.",
    )
    seed: int = 1


class PublishTarget(Model):
    max_classification: Classification = Field(
        default="general-2", description="Highest GB/T 43697 level the target may hold."
    )
    license: str | None = Field(default=None, description="Licence of the published dataset (default: the sources').")


Dimension = Literal["规范性", "完整性", "准确性", "一致性", "时效性", "可访问性"]


class ScoringConfig(Model):
    weights: dict[Dimension, float] = Field(
        default_factory=lambda: dict.fromkeys(("规范性", "完整性", "准确性", "一致性", "时效性", "可访问性"), 1.0)
    )

    @field_validator("weights")
    @classmethod
    def _positive(cls, weights: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return weights


class Dataset(Model):
    """A dataset recipe: which sources, for what purpose, and how to clean, dedup and assess them."""

    name: Slug
    kind: Kind
    sources: list[Slug] = Field(min_length=1)
    purpose: str
    title: str = ""
    description: str = ""
    clean: CleanConfig = CleanConfig()
    pii: PiiConfig = PiiConfig()
    dedup: DedupConfig = DedupConfig()
    suites: list[str] = Field(default_factory=list)
    scoring: ScoringConfig = ScoringConfig()
    partitioning: Literal["none", "daily"] = "none"
    publish: PublishTarget = PublishTarget()


ExpectKind = Literal["not_null", "unique", "unique_together", "between", "in_set", "regex", "length_between"]


class ExpectationDecl(Model):
    """A friendly expectation that maps onto one Great Expectations class."""

    expect: ExpectKind
    column: str | None = Field(default=None, description="The column (all kinds but unique_together).")
    columns: list[str] | None = Field(default=None, description="The columns of unique_together.")
    min: float | None = None
    max: float | None = None
    values: list[str | int | float] | None = None
    pattern: str | None = None
    mostly: float = Field(default=1.0, gt=0, le=1)
    severity: Literal["error", "warn"] = "error"
    dimension: Dimension | None = Field(default=None, description="GB/T 36344 dimension it evidences.")

    @model_validator(mode="after")
    def _arguments(self) -> "ExpectationDecl":
        if (self.expect == "unique_together") != (self.columns is not None) or (self.column is None) == (
            self.columns is None
        ):
            raise ValueError("give column for a single-column expectation, or columns for unique_together")
        needs = {
            "between": ("min", "max"),
            "length_between": ("min", "max"),
            "in_set": ("values",),
            "regex": ("pattern",),
        }
        for name in needs.get(self.expect, ()):
            if name in ("min", "max"):
                if self.min is None and self.max is None:
                    raise ValueError(f"expect: {self.expect} needs min, max or both")
            elif getattr(self, name) is None:
                raise ValueError(f"expect: {self.expect} needs {name}")
        return self


class Suite(Model):
    name: Slug
    description: str = ""
    expectations: list[ExpectationDecl] = Field(min_length=1)


class CatalogSettings(Model):
    """Optional ``catalog.yaml`` at the root: who we are, for the authorisation gate."""

    operator: str | None = Field(default=None, description="Our organisation; grants must name it as grantee.")
    environment: str = Field(default="in-domain", description="Where this deployment processes data.")
    timezone: str = "Asia/Shanghai"
