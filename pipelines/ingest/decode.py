"""Strict decoding: bytes that do not decode send the record to quarantine, never become U+FFFD.

Each file gets a ``FileEncoding``: the codecs its records are tried with, in order. A byte-order
mark decides it outright (as browsers do); otherwise the declared encoding is the only codec, and
``auto`` tries strict UTF-8 first (valid UTF-8 is almost never another encoding by accident),
then the encoding charset-normalizer detects when it is confident enough, then GB18030, the
superset of GBK and GB2312 that Chinese public systems write.
"""

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from catalog.models import Encoding

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The detector only chooses among encodings Chinese data comes in: left free, it calls short
# GB18030 samples Korean (cp949) or Thai (cp874) with full confidence. Listed in order of
# preference: a short sample often decodes equally well as GB18030 and Big5, and mainland
# public data is far more often the former.
DETECTABLE = ["utf_8", "gb18030", "big5"]
SUBSETS = {"ascii": "utf-8", "utf_8": "utf-8", "gb2312": "gb18030", "gbk": "gb18030"}
# Below this many bytes the detector's guesses are weak; charset-normalizer's own ``detect``
# lowers its confidence by the same amount there.
SMALL_SAMPLE_BYTES = 32
# The detector looks at most at this much of a file's head: enough to be sure, and fast.
DETECTION_SAMPLE_BYTES = 1 << 20
SMALL_SAMPLE_PENALTY = 0.2
# Text where more than this share of characters are control characters is binary data.
MAX_CONTROL_SHARE = 0.3
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]"  # the same for ``re`` and polars
_CONTROL = re.compile(CONTROL_PATTERN)
# What Python's ``str.strip`` removes, for polars' ``strip_chars``: a blank record is blank on both paths.
PY_WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())


@dataclass(frozen=True)
class FileEncoding:
    """How one file's records are decoded, and how its lines end."""

    codecs: tuple[str, ...]
    name: str  # what the stats call it: the codec, or the fallback chain when auto found none
    bom: bytes = b""

    @property
    def wide(self) -> bool:
        """UTF-16, whose text is full of zero bytes."""
        return self.codecs[0].startswith("utf-16")

    @property
    def newline(self) -> bytes:
        return "\n".encode(self.codecs[0])

    @property
    def cr(self) -> bytes:
        return "\r".encode(self.codecs[0])

    def decode(self, raw: bytes) -> tuple[str, str]:
        """The text and the codec that decoded it; the first codec's ``UnicodeDecodeError`` when none does."""
        errors: list[UnicodeDecodeError] = []
        for codec in self.codecs:
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError as err:
                errors.append(err)
        raise errors[0]


def file_encoding(head: bytes, *, encoding: Encoding, confidence: float, hint: str | None = None) -> FileEncoding:
    """Settle a file's encoding from its first bytes.

    ``head`` is the start of the file (or all of it); ``hint`` is an encoding the file declares
    about itself, such as an HTML ``<meta charset>``, honoured under ``auto`` right after UTF-8.
    """
    for bom, codec in BOMS:
        if head.startswith(bom):
            return FileEncoding(codecs=(codec,), name=codec, bom=bom)
    if encoding != "auto":
        return FileEncoding(codecs=(encoding,), name=encoding)
    detected, score = detect(head)
    found = hint or (detected if detected is not None and score >= confidence else None)
    chain = tuple(dict.fromkeys(c for c in ("utf-8", hint, found, "gb18030") if c is not None))
    return FileEncoding(codecs=chain, name=found or "+".join(chain))


def detect(head: bytes) -> tuple[str | None, float]:
    """The detector's best encoding for a file's first bytes, and its confidence (1 − chaos).

    The sample is cut at its last line break so a multi-byte character split by the chunk
    boundary does not rule the right encoding out.
    """
    head = head[:DETECTION_SAMPLE_BYTES]
    sample = head[: head.rindex(b"\n") + 1] if b"\n" in head else head
    if not sample:
        return None, 0.0
    if _is_utf8_prefix(sample):
        return "utf-8", 1.0
    for cut in range(4):
        matches = list(from_bytes(sample[: len(sample) - cut], cp_isolation=DETECTABLE))
        if matches:
            break
    else:
        return None, 0.0
    preference = {codec: rank for rank, codec in enumerate(DETECTABLE)}
    best = min(matches, key=lambda m: (m.chaos, -m.coherence, preference.get(m.encoding, len(DETECTABLE))))
    score = 1.0 - best.chaos
    if len(sample) < SMALL_SAMPLE_BYTES:
        score -= SMALL_SAMPLE_PENALTY
    return SUBSETS.get(best.encoding, best.encoding), max(score, 0.0)


def _is_utf8_prefix(sample: bytes) -> bool:
    """Whether ``sample`` is valid UTF-8, allowing a character cut off at its end."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def codec_for_label(label: str) -> str | None:
    """The codec for a charset label a file declares (``gbk``, ``x-gbk``, ``UTF8``), or None if unknown.

    As in browsers, a UTF-16 label on a byte-oriented page means UTF-8, and GBK-family labels
    mean GB18030, their superset.
    """
    name = label.strip().strip("\"'").lower()
    if name in ("x-gbk", "gb_2312-80", "csgb2312", "chinese", "iso-ir-58", "windows-936", "cp936"):
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    try:
        b"a".decode(codec)  # rules out bytes-to-bytes codecs such as base64 and zlib
    except LookupError:
        return None
    return SUBSETS.get(codec.replace("-", "_"), codec)


def binary_problem(text: str) -> str | None:
    """Why decoded text looks like binary data (a NUL, or mostly control characters), or None."""
    nul = text.find("\x00")
    if nul >= 0:
        return f"NUL character at character {nul}: binary data, not text"
    if _CONTROL.search(text) is not None:
        controls = len(_CONTROL.findall(text))
        if controls > MAX_CONTROL_SHARE * len(text):
            return f"{controls} of {len(text)} characters are control characters: binary data, not text"
    return None
