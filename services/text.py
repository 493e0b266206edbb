"""User text shown as plain text: the one helper for every Markdown-rendering call.

Names, remarks, comments, file names, company names and addresses come from
users. Streamlit renders most of its calls (st.markdown, st.write, st.info,
labels) as Markdown, so `[klikk her](http://…)` would become a live link and
`![](http://…)` a request to someone else's server. `plain` escapes every
character Markdown, Streamlit's directives (`:red[…]`, `:material/…:`) and
LaTeX (`$`) give meaning to, so the text shows exactly as typed.
"""

from __future__ import annotations

import re

# Characters that start Markdown, GFM, a Streamlit directive or LaTeX anywhere in a line (any
# ASCII punctuation may be backslash-escaped in CommonMark; these are the ones that need it).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!~$:|@])")
# Those that only count at the start of a line: headings, lists, quotes, rules.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))", re.MULTILINE)
# GFM turns bare addresses into links after escapes are resolved, so no escape stops it: a
# zero-width space breaks "scheme://", "www." and "name@host" apart without changing what is seen.
_AUTOLINK = re.compile(r"(?i)\b(www)(\.)|\b([a-z][a-z0-9+\-]*)(\\?:)(?=//)|(@)")
_ZERO_WIDTH = "\u200b"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def plain(value: object) -> str:
    """`value` as text that any Markdown-rendering call shows literally (line breaks kept)."""
    text = _MARKDOWN.sub(r"\\\1", _CONTROL.sub(" ", "" if value is None else str(value)))
    text = _AUTOLINK.sub(_break_autolink, text)
    return _LINE_START.sub(
        lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2).isdigit() else m.group(1) + m.group(2) + "\\", text
    )


def _break_autolink(match: re.Match) -> str:
    if match.group(5):
        return match.group(5) + _ZERO_WIDTH
    word, mark = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return word + _ZERO_WIDTH + mark


def one_line(value: object, *, limit: int = 200) -> str:
    """`value` on one line, without control characters: for file names in mail and logs."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", "" if value is None else str(value)).replace("\n", " ")).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def masked_email(address: str) -> str:
    """An address shown so its owner knows it and a passer-by learns little: k***@firma.no."""
    local, at, domain = (address or "").strip().partition("@")
    if not at or not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"
