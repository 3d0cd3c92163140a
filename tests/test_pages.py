"""The page parser on the two seed layouts: the real seed pages (read at run time) and our fixtures."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from analysis.ingest import read_file
from analysis.ingest.pages import parse_page

VILNIUS = ZoneInfo("Europe/Vilnius")


def _expected_titles(shared_dir) -> list[str]:
    """The titles EXPECTED.md names (read at run time: the seed pages' words stay in ../shared)."""
    return re.findall(r'title: "([^"]+)"', (shared_dir / "seeds" / "EXPECTED.md").read_text(encoding="utf-8"))


def test_baltic_times_seed(shared_dir):
    items = read_file(shared_dir / "seeds" / "000_31f9a79cbea712d5.txt")
    assert [item.kind for item in items] == ["article"]
    article = items[0]
    assert article.title == _expected_titles(shared_dir)[0]
    assert article.published == date(2021, 1, 26)
    assert article.byline == "BNS/TBT Staff"
    assert article.dateline == "VILNIUS"
    assert article.outlet == "The Baltic Times"
    assert article.text.startswith("Lithuania's Foreign Minister")
    assert article.text.endswith("the Shoah Memorial.")


def test_lrt_seed_article(shared_dir):
    article, *headlines = read_file(shared_dir / "seeds" / "004_2e0d8853a9753b2c.txt")
    assert article.kind == "article"
    assert article.title == _expected_titles(shared_dir)[1]
    assert article.published == datetime(2021, 6, 14, 16, 26, tzinfo=VILNIUS)
    assert article.published.isoformat() == "2021-06-14T16:26:00+03:00"
    assert article.byline == "BNS"
    assert article.section == "News"
    assert article.tags == ("News", "Defence")
    assert article.outlet == "LRT"
    assert article.text.startswith("During a meeting with US President Joe Biden")
    assert article.text.endswith("has got even stronger,” Nausėda said.")
    for noise in ("Joe Biden and Gitanas Nausėda\n", "Lithuanian President's Office", "1 / 3", "# News",
                  "Mums svarbus", "migrants", "Coronavirus"):
        assert noise not in article.text


def test_lrt_seed_related_headlines(shared_dir):
    article, *headlines = read_file(shared_dir / "seeds" / "004_2e0d8853a9753b2c.txt")
    assert len(headlines) == 10
    assert len({h.id for h in headlines}) == 10
    assert all(h.kind == "headline" and h.parent_id == article.id and h.text == h.title for h in headlines)
    approximate = [h for h in headlines if h.published_approximate]
    assert len(approximate) == 2
    assert all(h.published.date() == date(2021, 6, 13) for h in approximate)
    exact = {h.title: h.published for h in headlines if not h.published_approximate}
    assert len(exact) == 8
    [spending] = [title for title in exact if "defence spending to 2.5 percent by 2030" in title]
    assert f'"{spending}" at 2021-06-14 10:53' in (shared_dir / "seeds" / "EXPECTED.md").read_text(encoding="utf-8")
    assert exact[spending] == datetime(
        2021, 6, 14, 10, 53, tzinfo=VILNIUS
    )
    titles = {h.title for h in headlines}
    assert "5" not in titles and "A bar in Vilnius" not in titles
    assert any(t.startswith("Russia wants to ‘swallow’ Belarus") for t in titles)


def test_layout_b_fixture(fixtures_dir):
    article, *headlines = read_file(fixtures_dir / "pages" / "wire_layout_b.txt")
    assert article.section == "Defence"
    assert article.byline == "Fixture Wire"
    assert article.outlet == "fixturewire.example.org"
    assert article.tags == ("Defence", "Summit")
    assert article.text.startswith("Heads of state and government")
    assert article.text.endswith("on a permanent basis.")
    assert "Fixture Photo Desk" not in article.text and "Leaders on the summit stage" not in article.text
    by_title = {h.title: h for h in headlines}
    assert set(by_title) == {
        "Allies keep extra air defence batteries in Lithuania after the summit",
        "Border guards turn back a group of migrants near the Belarus border",
        "Ferry traffic resumes after storm in the Baltic Sea",
    }
    # An absolute timestamp wins over the relative age listed first; a "2 d ago" stays approximate.
    jets = by_title["Allies keep extra air defence batteries in Lithuania after the summit"]
    assert (jets.published, jets.published_approximate) == (datetime(2023, 7, 11, 15, 2, tzinfo=VILNIUS), False)
    border = by_title["Border guards turn back a group of migrants near the Belarus border"]
    assert (border.published, border.published_approximate) == (datetime(2023, 7, 9, 18, 5, tzinfo=VILNIUS), True)


def test_layout_a_fixture(fixtures_dir):
    [article] = read_file(fixtures_dir / "pages" / "wire_layout_a.txt")
    assert article.published == date(2024, 2, 9)
    assert article.byline == "Fixture Agency/FW Staff"
    assert article.dateline == "TALLINN"
    assert article.text.startswith("Navy divers from Estonia and Finland")
    assert article.text.count("\n\n") == 2


def test_generic_fixture(fixtures_dir):
    [article] = read_file(fixtures_dir / "pages" / "plain_article.txt")
    assert article.title == "Riga opens a new concert hall for the summer season"
    assert article.published == date(2022, 6, 3)
    assert article.byline == "Anna Example"
    assert article.dateline == "RIGA"
    assert article.text.startswith("The city council opened")


@pytest.mark.parametrize(
    ("page", "title", "published"),
    [
        ("Ferry strike ends\n2021-03-04\n\nThe ferry crews went back to work on Thursday.", "Ferry strike ends",
         date(2021, 3, 4)),
        ("Harbour reopens\nMay 5, 2020 14:30\n\nThe harbour reopened after repairs.", "Harbour reopens",
         datetime(2020, 5, 5, 14, 30)),
        ("A story with no date\n\nSomething happened somewhere on some day.", "A story with no date", None),
    ],
)
def test_generic_layout_header_dates(page, title, published):
    parsed = parse_page(page, name="x.txt")
    assert (parsed.layout, parsed.title, parsed.published) == ("generic", title, published)


def test_a_future_date_in_a_page_header_is_dropped_with_a_warning():
    parsed = parse_page("Title\n\n  • 2099-01-01\n  • Desk\n\nBody text of the article.", name="f.txt")
    assert parsed.published is None
    assert parsed.warnings == ("date 2099-01-01 is in the future; the item is kept without a date",)


@pytest.mark.parametrize(
    ("header", "outlet", "byline"),
    [
        ("Published 2 May 2024 by Harbour Daily", "Harbour Daily", None),
        ("Date: 2024-05-02 10:00  |  Coastal Review (demo)", "Coastal Review (demo)", None),
        ("Published 2 May 2024 by Anna Example", None, "Anna Example"),
    ],
)
def test_generic_header_credits(header, outlet, byline):
    parsed = parse_page(f"A title\n{header}\n\nThe body of the story.", name="x.txt")
    assert (parsed.published.isoformat()[:10], parsed.outlet, parsed.byline) == ("2024-05-02", outlet, byline)


# -- reading time is linear in a line's length (issue 7: an 80 KB line took 22-49 s) -------------

_MB = 1_000_000
_LRT_HEAD = "Lietuvoje\n2021.06.14 16:26\nA title for the long-line case\n"
LONG_LINES = {
    "bullet with a run of spaces": "Title\n• a" + " " * _MB + "b\n",
    "bullet then a line of spaces": "Title\n•" + " " * _MB + "\n",
    "byline glued to a missing stamp": _LRT_HEAD + "a" + " " * _MB + "b\n\nBody text of the article, long enough.\n",
    "byline of digits": _LRT_HEAD + "2021" * (_MB // 4) + "\n",
    "footer with no address": _LRT_HEAD + "Some body.\n\nPastebėjote klaidą? " + "a" * _MB + "\n",
    "footer of at-signs": _LRT_HEAD + "Some body.\n\nPastebėjote klaidą? " + "a@" * (_MB // 2) + "\n",
    "tag line of many tags": _LRT_HEAD + "Some body.\n\n" + "#  a  b  c  " * (_MB // 12) + "##\n",
    "first paragraph with a run of spaces (dateline)": "Title\n\nA" + " " * _MB + "b - c\n",
    "one line of prose": "word " * (_MB // 5),
    "one line of dates": "2021-01-26 " * (_MB // 11),
}


@pytest.mark.parametrize("page", LONG_LINES.values(), ids=LONG_LINES.keys())
def test_a_one_megabyte_line_is_read_in_seconds(page):
    import time

    started = time.perf_counter()
    try:
        parse_page(page, name="long.txt")
    except ValueError:  # a refusal is fine; only the time is measured
        pass
    assert time.perf_counter() - started < 5  # a regression guard: quadratic patterns take minutes


def test_tag_lines_and_glued_bylines_are_still_found():
    page = parse_page(_LRT_HEAD + "Jonas Jonaitis 2021.06.14 16:26\n\n"
                      "The body of the article says something in one sentence long enough.\n\n"
                      "# Tag one# Tag two \n\nPastebėjote klaidą? Rašykite naujienos@lrt.lt\n", name="x.txt")
    assert page.byline == "Jonas Jonaitis"
    assert page.tags == ("Tag one", "Tag two")
    assert page.outlet == "LRT"
