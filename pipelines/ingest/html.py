"""Main text and metadata of an HTML page, extracted offline with trafilatura.

trafilatura drops navigation, headers, footers, sidebars, scripts and comments and keeps the
paragraph structure as lines. Metadata comes from the page's own tags only — no guessing from
the text — so ``original_time`` is what the publisher declared.
"""

import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

from pipelines.ingest.decode import codec_for_label

# The WHATWG prescan looks for a charset in the first 1024 bytes; so do we.
_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Publication-time tags, most specific first: Open Graph / article, Chinese government CMS
# (PubDate), schema.org, Dublin Core.
_TIME_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "datepublished",
    "dc.date.issued",
    "dc.date",
    "date",
)
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
# Control characters are parse errors in HTML and carry nothing, but one left in the tree makes
# trafilatura drop the whole page (lxml will not serialise it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Page:
    """What a page yields: its main text (None when there is none), when it was published and its URL."""

    text: str | None
    original_time: str | None
    source_uri: str | None


def meta_charset(data: bytes) -> str | None:
    """The codec a page's ``<meta charset>`` or ``http-equiv`` content-type names, if any and known."""
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    return codec_for_label(match.group(1).decode("ascii")) if match else None


def extract_page(html: str) -> Page:
    """Parse already-decoded HTML (so the page's own charset claims cannot re-decode it) and extract it."""
    try:
        tree = lxml.html.document_fromstring(_CONTROL.sub("", html).encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError):
        return Page(text=None, original_time=None, source_uri=None)
    metas = _metas(tree)
    original_time = next((metas[key] for key in _TIME_KEYS if key in metas), None)
    text = trafilatura.extract(tree, include_comments=False, include_tables=True, deduplicate=False)
    if text is not None and "\ufffd" not in html:
        # The parser stands U+FFFD in for character references to nothing (&#0;, &#xD800;) and
        # stray control characters; they carry no content, and published text never holds U+FFFD.
        text = text.replace("\ufffd", "")
    return Page(text=text, original_time=original_time, source_uri=_url(tree, metas))


def _metas(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """``<meta>`` contents by lower-cased property, name or itemprop; the first one of each wins."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            found.setdefault(key, content)
    return found


def _url(tree: lxml.html.HtmlElement, metas: dict[str, str]) -> str | None:
    """The page's canonical URL (``<link rel=canonical>``, else ``og:url``) when it is absolute."""
    candidates = [
        link.get("href", "").strip() for link in tree.iter("link") if "canonical" in link.get("rel", "").lower().split()
    ]
    candidates.append(metas.get("og:url", ""))
    return next((url for url in candidates if url.startswith(("http://", "https://"))), None)
