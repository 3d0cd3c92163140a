"""dashboard/colours.py: one colour per thing, whatever the filter, in every chart and export."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis.themes import load_taxonomy
from dashboard import charts, colours, exports
from dashboard_fixtures import PROJECT, figure_dict

VISIONS = ("normal", "deuteranopia", "protanopia")


def test_every_taxonomy_theme_has_its_own_distinct_colour():
    taxonomy = load_taxonomy()
    theme_colours = colours.theme_colours(taxonomy.keys, taxonomy.colours)
    assert set(theme_colours) == set(taxonomy.keys)
    assert theme_colours == taxonomy.colours  # the taxonomy's own colours, untouched
    assert colours.too_close(theme_colours, min_distance=20) == []
    for vision in ("deuteranopia", "protanopia"):  # Paul Tol's muted set stays apart for them too
        assert colours.too_close(theme_colours, min_distance=12, vision=vision) == [], vision


def test_a_theme_missing_from_the_taxonomy_gets_a_stable_colour():
    known = {"migration": "#117733"}
    first = colours.theme_colours(["migration", "new_theme"], known)
    again = colours.theme_colours(["new_theme"], known)
    assert first["migration"] == "#117733" and first["new_theme"] == again["new_theme"] in colours.PALETTE


@pytest.mark.parametrize("vision, floor", [("normal", 25), ("deuteranopia", 15), ("protanopia", 15)])
def test_the_fixed_actors_hold_colour_blind_safe_slots(vision, floor):
    assert len(set(colours.FIXED.values())) == len(colours.FIXED)
    assert set(colours.FIXED.values()) <= set(colours.PALETTE[:colours.SAFE_SLOTS])
    assert colours.too_close(dict(colours.FIXED), min_distance=floor, vision=vision) == []


def test_the_whole_palette_is_distinct_for_normal_vision():
    palette = {colour: colour for colour in colours.PALETTE}
    assert len(palette) == len(colours.PALETTE) and colours.FALLBACK not in palette
    assert colours.too_close(palette, min_distance=20) == []


@pytest.mark.parametrize("name, expected", [
    ("Lithuania", "#E69F00"),
    ("Latvia", "#882255"),
    ("Estonia", "#0072B2"),
    ("NATO", "#000000"),
    ("  Lithuania ", "#E69F00"),  # spacing does not matter
    ("unspecified", colours.FALLBACK),
    (None, colours.FALLBACK),
])
def test_known_actors_have_fixed_colours(name, expected):
    assert colours.colour(name) == expected


@pytest.mark.parametrize("others", [[], ["Latvia"], ["Estonia", "Poland", "Medininkai"],
                                    [f"Place {n}" for n in range(30)]])
@pytest.mark.parametrize("name", ["Lithuania", "Finland", "State Border Guard Service", "Sweden"])
def test_an_actors_colour_is_the_same_whatever_else_is_in_the_frame(name, others):
    alone = charts.palette_colours([name])[name]
    assert charts.palette_colours(sorted([name, *others]))[name] == alone
    assert charts.palette_colours([*others, name])[name] == alone


def test_unknown_names_hash_into_the_free_slots_the_same_in_every_process():
    names = ["Finland", "Sweden", "Medininkai", "Eastern Flank Monitor (demo)"]
    here = [colours.colour(n) for n in names]
    assert all(c in colours.FREE for c in here)
    script = f"from dashboard import colours; print([colours.colour(n) for n in {names!r}])"
    # a new interpreter with another hash seed: Python's hash() would differ, this must not
    there = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}).stdout.strip()
    assert there == str(here)


def test_topics_take_the_palette_by_id():
    assert [colours.topic_colour(n) for n in range(3)] == list(colours.PALETTE[:3])
    assert colours.topic_colour("14") == colours.topic_colour(14 + len(colours.PALETTE))


def _actors_chart(actors: list[str]):
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2025-01-01"] * len(actors)), "key": actors, "items": [1] * len(actors),
    })
    return charts.stacked_volume_chart(frame, x="period", y="items", series="key", labels={},
                                       colours=charts.palette_colours(actors), title="T", x_title="Quarter",
                                       y_title="Items", note="n", freq="quarter")


def test_two_charts_of_one_briefing_agree_in_the_figure_and_the_html_export():
    wide, narrow = _actors_chart(["Estonia", "Latvia", "Lithuania", "Sweden"]), _actors_chart(["Lithuania", "Sweden"])
    for chart in (wide, narrow):
        by_name = {t["name"]: t["marker"]["color"] for t in figure_dict(chart)["data"]}
        assert by_name["Lithuania"] == "#E69F00" and by_name["Sweden"] == colours.colour("Sweden")
        page = exports.build("html", chart, pd.DataFrame(), exports.ImageRenderer()).decode("utf-8")
        assert '"#E69F00"' in page and f'"{colours.colour("Sweden")}"' in page


@pytest.mark.skipif(not shutil.os.path.exists("/usr/bin/chromium"), reason="SVG export needs Chromium for kaleido")
def test_the_svg_export_draws_the_same_colour():
    renderer = exports.ImageRenderer()
    try:
        svg = exports.build("svg", _actors_chart(["Lithuania", "Latvia"]), pd.DataFrame(), renderer).decode("utf-8")
    finally:
        renderer.close()
    assert "rgb(230, 159, 0)" in svg and "rgb(136, 34, 85)" in svg  # #E69F00 Lithuania, #882255 Latvia
