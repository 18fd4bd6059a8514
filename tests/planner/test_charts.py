"""The SVG builder of the planner's charts: round axes, short numbers, and pictures that stay
pictures (named, escaped) with no data, one day, or very large numbers."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from planner import charts

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (21, 25), (240, 250),
                                            (999, 1000), (1001, 2000), (4_200_000_000, 5_000_000_000)])
def test_the_axis_top_is_the_next_round_number(value, top):
    assert charts.nice_top(value) == top


@pytest.mark.parametrize(("top", "marks"), [(1, [0, 1]), (2, [0, 1, 2]), (5, [0, 1, 2, 3, 4, 5]),
                                            (10, [0, 2, 4, 6, 8, 10]), (20, [0, 5, 10, 15, 20]),
                                            (250, [0, 50, 100, 150, 200, 250]),
                                            (5_000_000_000, [0, 10**9, 2 * 10**9, 3 * 10**9, 4 * 10**9, 5 * 10**9])])
def test_ticks_are_round_numbers_from_zero_to_the_top(top, marks):
    assert charts.ticks(top) == marks


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (950, "950"), (1000, "1k"), (1250, "1.2k"), (34_000, "34k"),
                                             (1_500_000, "1.5M"), (2_100_000_000, "2.1B")])
def test_large_numbers_are_written_short(value, text):
    assert charts.compact(value) == text


def test_scale_maps_the_top_to_the_whole_length_and_a_zero_top_to_nothing():
    assert charts.scale(50, top=100, length=200) == 100
    assert charts.scale(5, top=0, length=200) == 0


def test_a_line_chart_is_a_named_picture_with_one_line_per_series():
    svg = charts.line_chart(label="Impressions & saves", days=["Jan 1", "Jan 2", "Jan 3"],
                            series=[("Impressions", [10, 40, 25]), ("Saves", [1, 2, 3])])
    root = parsed(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Impressions & saves"
    assert root.find(f"{SVG}title").text == "Impressions & saves"
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert [t.text for t in root.findall(f"{SVG}text")][-2:] == ["Jan 1", "Jan 3"]


def test_the_highest_point_reaches_no_higher_than_the_axis_top():
    root = parsed(charts.line_chart(label="x", days=["a", "b"], series=[("s", [0, 50])], height=220))
    ys = [float(point.split(",")[1]) for point in root.find(f"{SVG}polyline").get("points").split()]
    assert min(ys) == pytest.approx(10)  # the top padding: 50 is the axis's top (nice_top(50) == 50)
    assert max(ys) == pytest.approx(220 - 26)


def test_an_empty_series_draws_a_flat_line_on_the_axis_and_no_days_draw_nothing():
    root = parsed(charts.line_chart(label="x", days=["a", "b"], series=[("s", [0, 0])]))
    ys = {point.split(",")[1] for point in root.find(f"{SVG}polyline").get("points").split()}
    assert ys == {f"{220 - 26:.1f}"}
    empty = parsed(charts.line_chart(label="x", days=[], series=[("s", [])]))
    assert empty.findall(f"{SVG}polyline") == [] and empty.get("role") == "img"


def test_one_day_is_a_dot_in_the_middle():
    root = parsed(charts.line_chart(label="x", days=["Jan 1"], series=[("s", [7])], width=480))
    dot = root.find(f"{SVG}circle")
    assert root.findall(f"{SVG}polyline") == []
    assert float(dot.get("cx")) == pytest.approx(42 + (480 - 42 - 14) / 2)


def test_bars_are_as_long_as_their_share_of_the_top_and_names_are_escaped_and_cut():
    root = parsed(charts.bar_chart(label="per board", bars=[("<Recipes>", 100), ("A very long board name indeed", 50)]))
    widths = [float(rect.get("width")) for rect in root.findall(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    names = [t.text for t in root.findall(f"{SVG}text")]
    assert "<Recipes>" in names
    assert "A very long boa\u2026" in names


def test_a_zero_bar_still_shows_and_large_values_are_short():
    root = parsed(charts.bar_chart(label="x", bars=[("a", 0), ("b", 3_400_000_000)]))
    assert float(root.findall(f"{SVG}rect")[0].get("width")) == 1
    assert "3.4B" in [t.text for t in root.findall(f"{SVG}text")]


def test_a_sparkline_fills_its_box_and_marks_the_last_day():
    root = parsed(charts.sparkline(label="Impressions", values=[0, 5, 10], width=160, height=36))
    points = root.find(f"{SVG}polyline").get("points").split()
    assert points[0] == "3.0,33.0" and points[-1] == "157.0,3.0"
    assert root.find(f"{SVG}circle").get("cx") == "157.0"


@pytest.mark.parametrize("values", [[], [4], [0, 0, 0]])
def test_a_sparkline_of_nothing_one_day_or_zeros_is_still_a_named_picture(values):
    root = parsed(charts.sparkline(label="Impressions", values=values))
    assert root.get("aria-label") == "Impressions"
    assert not re.search(r"nan|inf", charts.sparkline(label="Impressions", values=values))
