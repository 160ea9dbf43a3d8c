"""Strict decoding: bytes that do not decode send the record to quarantine, never become U+FFFD."""

from catalog.models import Encoding


def decode(raw: bytes, encoding: Encoding, *, first_line: bool = False) -> str:
    """Decode one record's bytes, raising ``UnicodeDecodeError`` when they are not valid.

    ``auto`` tries UTF-8 and falls back to GB18030 (the superset of GBK used by Chinese public
    systems); a UTF-8 byte-order mark on a file's first line is dropped.
    """
    if encoding == "gb18030":
        return raw.decode("gb18030")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if encoding == "auto":
            return raw.decode("gb18030")
        raise
    return text.removeprefix("\ufeff") if first_line else text
