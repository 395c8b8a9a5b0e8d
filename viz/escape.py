"""Every escaping rule of viz, in one place: labels are user text and must render as written.

Three languages carry a label, each with its own rules:
- DOT, inside an HTML-like label (`label=<...>`): XML text. `&`, `<`, `>`, `"` become
  entities, a newline becomes `<BR/>`, and a backslash is doubled (Graphviz still expands
  escapes such as \\N there). HTML-like labels, unlike record labels, give no meaning to
  `|`, `{`, `}`, so nothing else needs care.
- SVG and HTML text: XML text again (`xml_text`).
- JSON inside a `<script>` element: `</` and `<!--` would end or confuse the script,
  so every `<`, `>` and `&` is written as a \\u escape (`script_json`).

A label may hold characters no XML document can carry (control characters, lone
surrogates), or that Graphviz's renderers cannot draw (noncharacters such as U+FFFE and
U+FDD0, unassigned code points: Cairo truncates a PDF at them). They are shown as their
Python escape, e.g. `\\x07` or `\\ufdd0`, so that the picture says what the label holds
instead of failing or silently losing text.

A label longer than MAX_LABEL characters is shortened for display with an ellipsis
(`shortened`); the full label stays in the tooltip, up to MAX_TOOLTIP characters, well under
Graphviz's limit of 16,384 characters for one string.
"""

import html
import json
import unicodedata


def visible(text):
    """`text` with characters XML cannot hold replaced by their escape (newlines kept)."""
    return "".join(_visible_char(c) for c in text)


MAX_LABEL = 60
MAX_TOOLTIP = 2000


def shortened(text, limit=MAX_LABEL):
    """(text to draw, text for its tooltip): the first `limit` characters and "…" when the
    text is longer; the tooltip keeps the text whole, up to MAX_TOOLTIP characters."""
    if len(text) <= limit:
        return text, text
    tooltip = text if len(text) <= MAX_TOOLTIP else text[:MAX_TOOLTIP - 1] + "…"
    return text[:limit - 1] + "…", tooltip


def _visible_char(c):
    if c == "\n":
        return c
    category = unicodedata.category(c)
    if category in ("Cc", "Cs", "Cn"):  # Cn: unassigned, which includes the 66 noncharacters
        code = ord(c)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return c


def xml_text(text):
    """Text for an SVG/HTML element or attribute value."""
    return html.escape(visible(text), quote=True)


def dot_html(text):
    """Text for a cell of a DOT HTML-like label: XML-escaped, newlines as line breaks, and
    backslashes doubled: Graphviz expands \\N, \\G, ... (node and graph names) even here."""
    return "<BR/>".join(xml_text(line).replace("\\", "\\\\") for line in text.split("\n"))


def dot_string(text):
    """A double-quoted DOT string (for ids, colours, tooltips): only `"` and `\\` matter there."""
    text = visible(text).replace("\n", " ")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script_json(data):
    """JSON that is safe to place inside <script>: no `</script>`, `<!--` or `]]>` can appear."""
    text = json.dumps(data, ensure_ascii=True)  # also keeps the page ASCII, whatever the labels
    for c in "<>&\u2028\u2029":
        text = text.replace(c, f"\\u{ord(c):04x}")
    return text
