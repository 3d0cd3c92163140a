"""Markup a feed or an export holds as text (an entry's HTML, JSON Feed's content_html) to plain text."""

from __future__ import annotations

import re

# C0 controls other than tab and newlines, DEL, and lone surrogates: no text holds them, lxml
# refuses them and the store cannot encode a surrogate.
_UNTEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_TAG = re.compile(r"<[^<>]*(?:>|$)")  # an unclosed tag at the end too
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def clean_text(text: str) -> str:
    """``text`` without the characters no article holds (controls, lone surrogates)."""
    return _UNTEXT.sub("", text)


def html_to_text(html: str) -> str:
    """Paragraphs kept as blank lines, tags dropped; markup lxml cannot parse loses only its tags."""
    import lxml.etree
    import lxml.html

    html = clean_text(html)
    if not html.strip():
        return ""
    if "<" not in html:
        return html.strip()
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):  # "Document is empty" for a lone doctype or comment
        text = _TAG.sub(" ", _HIDDEN.sub(" ", html))
    else:
        for hidden in list(fragment.iter("script", "style", "noscript", "template")):  # never shown as text
            hidden.drop_tree()
        for block in list(fragment.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4")):
            block.tail = "\n\n" + (block.tail or "")
            before, parent = block.getprevious(), block.getparent()
            if block.tag != "br" and before is not None:  # text before a paragraph ends there too
                before.tail = (before.tail or "") + "\n\n"
            elif block.tag != "br" and parent is not None:
                parent.text = (parent.text or "") + "\n\n"
        text = clean_text(fragment.text_content())  # character references such as &#6; are resolved now
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()
