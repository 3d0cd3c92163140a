"""Each reader on fixtures we wrote, the reader registry, and text encodings."""

from __future__ import annotations

import codecs
from datetime import date, datetime, timedelta, timezone

import pytest

from analysis.ingest import READERS, ReadError, read_bytes, read_file, read_path
from analysis.ingest.decoding import decode_bytes

LAYOUT_A = (
    "Klaipėda port expands its LNG quay\n\n  • 2022-11-03\n  • Fixture Agency/FW Staff\n\n"
    "KLAIPĖDA - Šiaulių, Žemaitijos and Rūdninkų crews finished the quay on Thursday, "
    "the port authority said in a statement.\n"
)


def test_every_reader_has_a_fixture(fixtures_dir):
    read_by = {read_path(p).reader for p in fixtures_dir.rglob("*") if p.is_file()}
    assert read_by == {reader.name for reader in READERS}


def test_html_reader(fixtures_dir):
    [item] = read_file(fixtures_dir / "html" / "article.html")
    assert item.title == "Latvia orders more IRIS-T systems"
    assert item.published == datetime(2023, 9, 15, 9, 30, tzinfo=timezone(timedelta(hours=3)))
    assert item.byline == "Jānis Example"
    assert item.outlet == "Fixture Daily (demo)"
    assert item.url == "https://fixturedaily.example.org/2023/09/15/latvia-iris-t"
    assert item.section == "Defence" and item.tags == ("Air defence",)
    assert item.text.startswith("Latvia has signed a contract")
    assert item.text.endswith("maintenance.")
    for boilerplate in ("cookies", "Basketball", "All rights reserved", "Home"):
        assert boilerplate not in item.text


def test_json_reader(fixtures_dir):
    items = read_file(fixtures_dir / "exports" / "articles.json")
    assert [i.title for i in items] == ["Lithuania approves a larger defence budget", "Choir festival draws record crowds"]
    assert items[0].published == datetime(2022, 12, 6, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert items[1].published == date(2019, 7, 7)
    assert items[0].outlet == "Fixture Wire (demo)" and items[0].byline == "Staff"
    assert items[0].text.endswith("an allied brigade.")


def test_jsonl_reader_matches_other_column_names(fixtures_dir):
    items = read_file(fixtures_dir / "exports" / "articles.jsonl")
    assert [(i.title, i.published, i.outlet, i.byline) for i in items] == [
        ("Poland extends barrier on the Belarus border", date(2022, 6, 30), "Fixture Monitor (demo)", "A. Example"),
        ("Estonia reaches three percent of GDP for defence", date(2023, 9, 28), "Fixture Monitor (demo)", "B. Example"),
    ]


def test_csv_reader_handles_quotes_commas_and_newlines(fixtures_dir):
    items = read_file(fixtures_dir / "exports" / "articles.csv")
    assert items[0].text.endswith('Officials called it a "hybrid attack", and the government considered closing the border.')
    assert items[0].published == datetime(2025, 10, 7, 8, 15, tzinfo=timezone(timedelta(hours=3)))
    assert items[1].text == "Consumer prices rose by 2.1 percent, the statistics office said.\nThe slowdown came from cheaper fuel."


def test_rss_reader(fixtures_dir):
    items = read_file(fixtures_dir / "feeds" / "news.rss")
    assert [i.title for i in items] == ["Fighter jets scrambled over the Baltic Sea", "Basketball club signs a new coach"]
    assert items[0].text == (
        "Allied fighter jets on the air policing mission took off twice this week to identify Russian aircraft "
        "flying with their transponders off.\n\nThe aircraft did not enter allied airspace, the air force said."
    )
    assert items[0].byline == "Air desk" and items[0].tags == ("Air policing",)
    assert items[0].outlet == "Fixture Feed (demo)"
    assert items[0].published == datetime(2024, 3, 1, 10, 20, tzinfo=timezone(timedelta(hours=2)))


def test_atom_reader(fixtures_dir):
    [item] = read_file(fixtures_dir / "feeds" / "news.atom")
    assert item.title == "Lithuania declares a state of emergency at the border"
    assert item.url == "https://fixtureatom.example.org/2021/11/09/emergency"
    assert item.published == datetime(2021, 11, 9, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert item.byline == "Border desk"


def test_xml_suffix_is_sniffed(fixtures_dir, tmp_path):
    feed = tmp_path / "export.xml"
    feed.write_bytes((fixtures_dir / "feeds" / "news.atom").read_bytes())
    assert read_path(feed).reader == "feed"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8 (BOM)"),
        ("utf-16", "utf-16-le (BOM)"),
        ("utf-16-be", "utf-16-be"),
        ("windows-1257", "windows-1257"),
        ("iso-8859-13", "iso-8859-13"),
    ],
)
def test_encodings_are_detected_not_guessed(encoding, expected):
    page = LAYOUT_A.replace("said in a statement", "said in a “statement”")
    if encoding == "iso-8859-13":
        page = page.replace("•", "·")  # ISO-8859-13 has no bullet; pages saved in it use the middle dot
    if encoding == "windows-1257":
        page = page.replace("statement", "statement – in Vilnius")  # an en dash: a Windows-1257-only byte
    read = read_bytes(page.encode(encoding), name=f"page-{encoding}.txt", suffix=".txt")
    assert read.encoding == expected
    assert read.items[0].title == "Klaipėda port expands its LNG quay"
    assert "Šiaulių, Žemaitijos and Rūdninkų" in read.items[0].text
    assert read.items[0].dateline == "KLAIPĖDA"


def test_iso_8859_13_quotes_are_kept():
    data = "Title\n\nRīga \u201cquoted\u201d text of the article.".encode("iso-8859-13")
    assert decode_bytes(data, name="q.txt").text.endswith("Rīga \u201cquoted\u201d text of the article.")


def test_non_utf8_encoding_is_reported_as_a_warning():
    read = read_bytes(LAYOUT_A.encode("windows-1257"), name="p.txt", suffix=".txt")
    assert read.warnings[0] in ("decoded as windows-1257", "decoded as iso-8859-13")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"%PDF-1.7\n...", "this is a PDF document, not a text article"),
        (b"Title\n\x00\x01\x02\x03binary", "binary content (a NUL byte at offset 6); not a text article"),
        (b"Title\n\n\x81\x8d\x8f\x90 body", "cannot decode the text: byte 81 at offset 7 is not valid UTF-8"),
    ],
)
def test_unreadable_bytes_name_the_problem(data, problem):
    with pytest.raises(ReadError) as error:
        read_bytes(data, name="bad.txt", suffix=".txt")
    assert str(error.value).startswith("bad.txt: " + problem)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("broken.jsonl", '{"title": "a", "text": "b"}\n{"title": "c", "text": \n',
         "line 2: broken JSON (Expecting value at column 24)"),
        ("broken.json", '[{"title": "a", "text": "b"},', "broken JSON at line 1, column 30: Expecting value"),
        ("notext.csv", "title,date,url\nA,2021-01-01,https://x.example.org\n",
         "no text column: found columns date, title, url; expected one of text, body, content, articlebody, fulltext, ..."),
        ("notext.json", '[{"title": "a", "published": "2021-01-01"}]',
         "no text column: found columns published, title; expected one of text, body, content, articlebody, fulltext, ..."),
        ("scalar.json", "42", "the JSON holds neither an object nor a list of article objects"),
        ("mixed.jsonl", '{"text": "a"}\n[1, 2]\n', "line 2: expected an object with article fields, got list"),
        ("extra.csv", 'title,text\n"A","B","C"\n', "line 2: more cells than the header has columns"),
        ("feed.rss", "<rss><channel><title>x</title></channel></rss>", "no entries in the feed"),
        ("empty.html", "<html><body><nav>Home</nav></body></html>", "no article text found in the HTML"),
        ("notes.md", "# notes", "unsupported file type '.md'"),
        ("titleonly.txt", "Just a title\n", "no article text found (generic layout): only a title"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReadError) as error:
        read_file(path)
    assert str(error.value).startswith(f"{path}: {problem}")


def test_truncated_html_keeps_what_was_readable_and_warns(fixtures_dir, tmp_path):
    html = (fixtures_dir / "html" / "article.html").read_text(encoding="utf-8")
    cut = html[: html.index("Officials said")]
    path = tmp_path / "cut.html"
    path.write_text(cut, encoding="utf-8")
    read = read_path(path)
    assert read.items[0].text.startswith("Latvia has signed a contract")
    assert "Officials said" not in read.items[0].text
    assert "the HTML ends without </html>: the file looks truncated; kept what was readable" in read.warnings


def test_truncated_html_with_no_article_is_refused(tmp_path):
    path = tmp_path / "cut.html"
    path.write_text("<!DOCTYPE html><html><head><title>Latvia orders", encoding="utf-8")
    with pytest.raises(ReadError, match="no article text found in the HTML"):
        read_file(path)


def test_a_large_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(ReadError) as error:
        read_path(path)
    assert str(error.value) == f"{path}: the file is 52.4 MB, over the 32 MB limit for one file; split it into smaller files"


def test_missing_path(tmp_path):
    with pytest.raises(ReadError, match="no such file or folder"):
        read_file(tmp_path / "nope.txt")


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        ("2091-05-01", "record 1: date 2091-05-01 is in the future; the item is kept without a date"),
        ("soon-ish", "record 1: unparseable date 'soon-ish'; the item is kept without a date"),
    ],
)
def test_bad_dates_keep_the_item_without_a_date(tmp_path, value, warning):
    path = tmp_path / "dates.json"
    path.write_text(f'[{{"title": "T", "text": "Body.", "date": "{value}"}}]', encoding="utf-8")
    read = read_path(path)
    assert read.items[0].published is None
    assert read.warnings == (warning,)


def test_utf16_file_from_disk(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + LAYOUT_A.encode("utf-16-le"))
    assert read_path(path).items[0].dateline == "KLAIPĖDA"
