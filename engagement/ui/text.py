"""Messages that may repeat what someone typed, made safe for Streamlit's Markdown elements (st.error etc.)."""

from __future__ import annotations

import re

# What turns text into markup in Streamlit's Markdown: emphasis, code, links and images (and, with "[", colour
# directives), LaTeX and strikethrough. HTML is not rendered by these elements; intraword "_" does not emphasise.
_INLINE = re.compile(r"([\\`*\[\]$~])")
# A line starting like a heading, list item or quote.
_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+\.)", flags=re.MULTILINE)


def escape_markdown(text: str) -> str:
    """The text shown literally: Markdown's characters are backslash-escaped, so a typed link, image, bold or
    colour directive in an error message stays as typed."""
    escaped = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
