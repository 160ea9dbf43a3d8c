"""A tiny template language: ``{slot}`` takes a value from the context, ``[a|b|c]`` picks one option.

Options nest (``[很[美|好看]|不错]``) and may be empty (``[真|]``). Choosing wording inside every
sentence is what keeps two articles built from the same templates from sharing long n-grams.
"""

import random
import re
from collections.abc import Callable, Mapping

Value = str | Callable[[], str]
Context = Mapping[str, Value]

_SLOT = re.compile(r"\{(\w+)\}")
_OPTIONS = re.compile(r"\[([^\[\]]*)\]")
_MAX_DEPTH = 6


def expand(template: str, ctx: Context, rng: random.Random) -> str:
    """Fill slots (callables are called on every use), then resolve options innermost first."""
    text = template
    for _ in range(_MAX_DEPTH):
        if not _SLOT.search(text):
            break
        text = _SLOT.sub(lambda m: _value(ctx, m.group(1)), text)
    else:
        raise ValueError(f"template slots nest deeper than {_MAX_DEPTH} levels: {template!r}")
    while _OPTIONS.search(text):
        text = _OPTIONS.sub(lambda m: rng.choice(m.group(1).split("|")), text)
    return text


def _value(ctx: Context, name: str) -> str:
    try:
        value = ctx[name]
    except KeyError as err:
        raise KeyError(f"template slot {{{name}}} has no value; add it to the article context") from err
    return value() if callable(value) else value
