"""`{% link "app:name" arg … %}`: Django's url tag for the rows of long lists.

Reversing a URL costs about 80 µs (the resolver, the language, the converters, a regex check), and a list of a few
hundred rows with a few links each spent more on reversing than on the rest of the page. With primary keys (ints) and
plain words (letters, digits, "-" and "_") as arguments, the URL of every row has the same shape: the name is reversed
once per process with markers in place of the arguments (a number for an int, a word for a word), and each row's URL
is that shape with its arguments put in. The result is the same string `reverse` gives: such arguments need no
quoting, and a converter that accepts the marker accepts any argument of its kind (int, str, slug and path converters
all do). Anything else — other strings, a name whose shape cannot be made — goes through `reverse` itself.
"""

import re
from functools import lru_cache

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

_MARK = 7_390_000_000  # marker numbers: 7390000000, 7390000001, … (no URL of this site contains them otherwise)
_WORD = re.compile(r"[A-Za-z0-9_-]+")


def _kind(arg) -> str | None:
    if type(arg) is int:
        return "n"
    if isinstance(arg, str) and _WORD.fullmatch(arg):  # template literals are SafeStrings
        return "w"
    return None


@lru_cache(maxsize=1024)
def _shape(urlconf, prefix: str, name: str, kinds: tuple[str, ...]) -> tuple[str, ...] | None:
    """The literal pieces of the URL between its arguments, or None when this name cannot be shaped."""
    marks = [str(_MARK + i) if kind == "n" else f"kdmark{'x' * (i + 1)}q" for i, kind in enumerate(kinds)]
    try:
        url = reverse(name, args=marks, urlconf=urlconf)
    except NoReverseMatch:
        return None
    pieces = []
    for mark in marks:
        head, found, url = url.partition(mark)
        if not found or mark in url:
            return None
        pieces.append(head)
    return (*pieces, url)


def url_of(name: str, *args) -> str:
    """reverse(name, args=args), fast for int and plain-word arguments."""
    kinds = tuple(_kind(arg) for arg in args)
    if None not in kinds:
        shape = _shape(get_urlconf(), get_script_prefix(), name, kinds)
        if shape is not None:
            return "".join(piece + (str(args[i]) if i < len(args) else "") for i, piece in enumerate(shape))
    return reverse(name, args=args)


@register.simple_tag
def link(name, *args):
    return url_of(name, *args)
