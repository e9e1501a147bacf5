"""Finding English in texts that must be Vietnamese (regulation texts, framework pages, documents).

A text counts as English when it holds a common English word that is not also a Vietnamese syllable written
without diacritics ("to", "in", "an", "may", "than", "so" are Vietnamese too, so they are not on the list). Web
addresses and identifiers (S_TDG_APP, utils.js, tt17-2018) are left out: they are names, not prose.
"""

import html
import re

ENGLISH_WORDS = frozenset(
    re.findall(
        r"\w+",
        """
    the of and is are was were with from for not this that these those which when where who whose has have had been
    at by or it its into also only same see found source text texts school schools level levels each every any all
    other more most their there they them then because should would could must students student teachers teacher
    library education educational results years consecutive least percent item items page typo copied verified
    unverified missing approximate translation english paraphrase public repository app name names list
    stored read reads case regulation circular article clause criterion criteria benchmark indicator indicators
    """,
    )
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_IDENTIFIER = re.compile(r"\S*(?:_|\.[a-z]{1,4}\b|/)\S*")
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def english_words(text: str) -> list[str]:
    """The English words of a text (empty when it reads as Vietnamese)."""
    text = _IDENTIFIER.sub(" ", _URL.sub(" ", text or ""))
    return [w for w in re.findall(r"\w+", text) if w.lower() in ENGLISH_WORDS]


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page: no tags, scripts or styles, entities decoded."""
    return html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", page)))
