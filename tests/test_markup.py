"""An entry's or a record's HTML as plain text (issue 7): paragraphs kept, nothing hidden shown, no crash."""

from __future__ import annotations

import pytest

from analysis.ingest.markup import clean_text, html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("Lead <b>bold</b><p>Paragraph.</p>tail", "Lead bold\n\nParagraph.\n\ntail"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("line<br>next", "line\n\nnext"),
        ("<p>Shown.</p><script>track();</script><style>p {}</style>", "Shown."),
        ("plain words, no markup", "plain words, no markup"),
        (" <!DOCTYPE ", ""),  # lxml: "Document is empty"
        ("<!-- only a comment -->", ""),
        ("\x06<p>x y</p>", "x y"),  # lxml refuses control characters
        ("<p>a &#6; b</p>", "a b"),  # ... and resolves references to them
        ("<p>a \ud800 b</p>", "a b"),
        ("<p>unclosed <b", "unclosed"),
        ("", ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


def test_clean_text_keeps_tabs_and_newlines():
    assert clean_text("a\tb\nc\r\n\x00\x1f\x7f\udc00") == "a\tb\nc\r\n"
