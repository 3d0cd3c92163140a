"""Bytes to text: declared charsets, legacy code pages, stray bytes in UTF-8 (bytes encoded here)."""

from __future__ import annotations

import pytest

from analysis.ingest import ReadError, read_bytes
from analysis.ingest.decoding import decode_bytes

# One paragraph per charset, in a language written in it; each long enough to be an article.
SAMPLES = {
    "windows-1252": "Le ministère a confirmé l’achat de systèmes de défense aérienne – une décision très attendue "
                    "à Paris, où l’on évoque «un tournant» pour l’Europe.",
    "windows-1250": "Ministerstvo obrany potvrdilo nákup systémů protivzdušné obrany – rozhodnutí, které vláda "
                    "„dlouho připravovala“, řekl mluvčí v Praze.",
    "iso-8859-1": "Das Verteidigungsministerium bestätigte den Kauf neuer Luftabwehrsysteme; die Änderung "
                  "gilt ab nächster Woche für größere Verbände in Köln.",
    "iso-8859-2": "Ministerstwo obrony potwierdziło zakup systemów obrony powietrznej; decyzja, którą rząd "
                  "przygotowywał od dawna, zapadła w środę w Łodzi.",
    "iso-8859-15": "Le ministère a confirmé l'achat pour 300 millions d'€ ; le cœur du programme reste la "
                   "défense aérienne, a précisé l'œuvre du comité à Lyon.",
    "koi8-r": "Министерство обороны подтвердило закупку новых систем противовоздушной обороны; решение "
              "правительство готовило давно, сообщили в Москве в среду.",
    "shift_jis": "防衛省は水曜日、新しい防空システムの購入を確認した。政府は長い間この決定を準備しており、"
                 "大臣は今年度の予算で防空により多くの資金を充てると述べた。",
    "euc-kr": "국방부는 수요일 새로운 방공 시스템 구매를 확인했다. 정부는 오랫동안 이 결정을 준비해 왔으며 "
              "장관은 올해 예산에서 방공에 더 많은 자금을 배정한다고 말했다.",
    "gb2312": "国防部周三确认购买新的防空系统。政府长期以来一直在准备这一决定，部长表示今年的预算将为"
              "防空提供更多资金。",
    "big5": "國防部週三確認購買新的防空系統。政府長期以來一直在準備這一決定，部長表示今年的預算將為"
            "防空提供更多資金。",
}

DECLARATIONS = {
    "meta charset": '<!DOCTYPE html>\n<html><head><meta charset="{charset}">',
    "http-equiv": '<!DOCTYPE html>\n<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
    "xml declaration": '<?xml version="1.0" encoding="{charset}"?>\n<!DOCTYPE html>\n'
                       '<html xmlns="http://www.w3.org/1999/xhtml"><head>',
}


def _page(charset: str, text: str, *, declaration: str = "meta charset") -> bytes:
    head = DECLARATIONS[declaration].format(charset=charset)
    html = (f"{head}<title>Page</title></head><body><article><h1>Headline</h1><p>{text}</p><p>{text}</p>"
            "</article></body></html>\n")
    return html.encode(charset)


@pytest.mark.parametrize("charset", sorted(SAMPLES))
def test_a_declared_charset_is_read(charset):
    decoded = decode_bytes(_page(charset, SAMPLES[charset]), name=f"{charset}.html")
    assert SAMPLES[charset] in decoded.text
    assert decoded.warnings == (f"decoded as {charset} (declared in the file)",)


@pytest.mark.parametrize("declaration", sorted(DECLARATIONS))
@pytest.mark.parametrize("charset", ["windows-1250", "koi8-r", "shift_jis"])
def test_each_form_of_declaration_is_evidence(charset, declaration):
    decoded = decode_bytes(_page(charset, SAMPLES[charset], declaration=declaration), name="p.html")
    assert SAMPLES[charset] in decoded.text


@pytest.mark.parametrize("charset", sorted(SAMPLES))
def test_a_declared_page_reaches_the_html_reader_intact(charset):
    read = read_bytes(_page(charset, SAMPLES[charset]), name=f"{charset}.html", suffix=".html")
    assert SAMPLES[charset] in read.items[0].text
    assert read.warnings[0] == f"decoded as {charset} (declared in the file)"


def test_a_declaration_late_in_a_long_head_is_found():
    head = '<!DOCTYPE html><html><head><script>' + "var x = 1;\n" * 3000 + '</script>'
    html = head + '<meta charset="koi8-r"><title>T</title></head><body><p>' + SAMPLES["koi8-r"] + "</p></body></html>"
    assert SAMPLES["koi8-r"] in decode_bytes(html.encode("koi8-r"), name="late.html").text


def test_valid_utf8_wins_over_a_wrong_legacy_declaration():
    data = _page("iso-8859-1", "").replace(b"<p></p>", "<p>Grybauskaitė sakė: „taip“.</p>".encode("utf-8"))
    decoded = decode_bytes(data, name="mislabelled.html")
    assert "Grybauskaitė sakė: „taip“." in decoded.text
    assert decoded.encoding == "utf-8"


def test_a_utf16_meta_in_an_8bit_file_is_ignored():
    data = '<html><head><meta charset="utf-16"></head><body><p>Grybauskaitė</p></body></html>'.encode("utf-8")
    assert "Grybauskaitė" in decode_bytes(data, name="p.html").text


def test_a_declaration_in_plain_text_is_not_markup():
    """Only files that start as markup declare a charset; an article quoting a meta tag does not."""
    text = 'Title\n\nThe page said <meta charset="koi8-r"> and Šiauliai “quoted” – Vilnius.\n'
    assert decode_bytes(text.encode("windows-1257"), name="p.txt").encoding == "windows-1257"


def test_one_stray_legacy_byte_in_utf8_is_replaced_not_the_whole_file_misread():
    data = "Grybauskaitė".encode("utf-8") + b"\x96" + " said Šiauliai would host the drill.".encode("utf-8")
    decoded = decode_bytes(data, name="stray.txt")
    assert decoded.encoding == "utf-8"
    assert decoded.text == "Grybauskaitė\ufffd said Šiauliai would host the drill."
    assert decoded.warnings == (
        "not valid UTF-8 at offset 13 (byte 96); read as UTF-8 with that byte replaced",
    )


def test_a_few_stray_bytes_in_a_long_utf8_file_are_counted():
    good = "Vyriausybė pritarė siūlymui didinti gynybos finansavimą. ".encode("utf-8")
    data = good * 20 + b"\xe8" + good * 20 + b"\x9a" + good + b"\x9a\x9a" + good  # the last two: one place
    decoded = decode_bytes(data, name="s.txt")
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 4
    assert decoded.warnings == (
        f"not valid UTF-8 at offset {len(good) * 20} (byte e8) and 2 more places; "
        "read as UTF-8 with those bytes replaced",
    )


@pytest.mark.parametrize("text", ["Prezidentė Dalia Grybauskaitė", "Valitsus kiitis õhutõrje heaks.",
                                  "Rīgā valdība apstiprināja budžetu."])
@pytest.mark.parametrize("stray", [b"\x96", b"\xe8", b"\xc3", b"\xbf"])
def test_a_stray_byte_anywhere_leaves_the_other_letters_alone(text, stray):
    """Also inside a letter's own byte sequence, which breaks that one letter but no other."""
    data = text.encode("utf-8")
    for position in range(len(data) + 1):
        decoded = decode_bytes(data[:position] + stray + data[position:], name="s.txt")
        assert decoded.encoding == "utf-8", (position, decoded)
        kept = decoded.text.replace("\ufffd", "")
        assert sum(a != b for a, b in zip(kept, text)) <= 1 or len(kept) < len(text), (position, decoded.text)


def test_stray_byte_reaches_the_reader_warnings():
    data = ("Grybauskaitė visits Riga\n\n  • 2022-11-03\n\nRIGA - Grybauskaitė".encode("utf-8") + b"\x96"
            + " said the drill would go ahead, officials in Riga confirmed.\n".encode("utf-8"))
    read = read_bytes(data, name="stray.txt", suffix=".txt")
    assert read.items[0].title == "Grybauskaitė visits Riga"
    assert read.warnings[0].startswith("not valid UTF-8 at offset ")  # the CLI prints it after the file's path


def test_wholly_legacy_baltic_text_still_follows_the_baltic_rule():
    text = "Vyriausybė trečiadienį pritarė siūlymui – „didinti“ gynybos finansavimą.\n"
    decoded = decode_bytes(text.encode("windows-1257"), name="lt.txt")
    assert (decoded.text, decoded.encoding) == (text, "windows-1257")
    assert decode_bytes(text.replace("–", "-").encode("iso-8859-13"), name="lt.txt").encoding == "iso-8859-13"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("windows-1252", SAMPLES["windows-1252"] * 3),
        ("windows-1250", SAMPLES["windows-1250"] * 3),
        ("koi8-r", SAMPLES["koi8-r"] * 3),
        ("shift_jis", SAMPLES["shift_jis"] * 3),
        ("euc-kr", SAMPLES["euc-kr"] * 3),
        ("big5", SAMPLES["big5"] * 3),
    ],
)
def test_undeclared_non_baltic_text_is_detected(charset, text):
    """No declaration and not UTF-8: charset-normalizer decides when the Baltic code pages do not fit."""
    decoded = decode_bytes(f"Title\n\n{text}\n".encode(charset), name="x.txt")
    assert text in decoded.text
    assert decoded.warnings[0].startswith("decoded as ")


def test_a_few_nul_bytes_in_a_long_page_are_dropped_with_a_warning():
    page = _page("utf-8", "Body text of the article, long enough to be one. " * 100)
    cut = page.index(b"Body") + 400
    decoded = decode_bytes(page[:cut] + b"\x00" + page[cut:], name="nul.html")
    assert "\x00" not in decoded.text and "Body text" in decoded.text
    assert decoded.warnings == (f"1 NUL byte (first at offset {cut}) dropped",)


def test_binary_content_is_still_refused():
    with pytest.raises(ReadError, match="binary content"):
        decode_bytes(b"Title\n" + bytes(range(256)) * 4, name="bin.txt")
