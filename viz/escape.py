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
surrogates). They are shown as their Python escape, e.g. `\\x07`, so that the picture says
what the label holds instead of failing.
"""

import html
import json
import unicodedata


def visible(text):
    """`text` with characters XML cannot hold replaced by their escape (newlines kept)."""
    return "".join(_visible_char(c) for c in text)


def _visible_char(c):
    if c == "\n":
        return c
    category = unicodedata.category(c)
    if category in ("Cc", "Cs") or c in ("\ufffe", "\uffff"):
        return repr(c)[1:-1] if category != "Cs" else f"\\u{ord(c):04x}"
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
