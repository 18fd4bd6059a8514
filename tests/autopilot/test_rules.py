"""autopilot.rules: input checked field by field, keyword boards, word-boundary cuts, UTM links."""

import pytest

from autopilot.rules import (
    cut_at_word,
    keyword_boards,
    link_with_utm,
    pin_alt_text,
    pin_plans,
    pin_title,
    rule_problems,
    rule_whole_problems,
)
from designs.render import TEMPLATES
from pinterest.limits import DESCRIPTION_MAX, TITLE_MAX


@pytest.mark.parametrize("data, field", [
    ({"mode": "sometimes"}, "mode"),
    ({"templates": ["photo_band", "glitter"]}, "templates"),
    ({"templates": "photo_band"}, "templates"),
    ({"pins_per_article": 0}, "pins_per_article"),
    ({"pins_per_article": 9}, "pins_per_article"),
    ({"pins_per_article": True}, "pins_per_article"),
    ({"pins_per_article": "two"}, "pins_per_article"),
    ({"board_choice": "some"}, "board_choice"),
    ({"board_ids": [1, "2"]}, "board_ids"),
    ({"board_ids": [1, 1]}, "board_ids"),
    ({"keyword_rules": [{"keywords": [], "board_id": 1}]}, "keyword_rules"),
    ({"keyword_rules": [{"keywords": ["soup"], "board_id": "x"}]}, "keyword_rules"),
    ({"keyword_rules": [{"keywords": ["soup"], "board_id": 1, "extra": 1}]}, "keyword_rules"),
    ({"keyword_rules": {"soup": 1}}, "keyword_rules"),
    ({"interval_minutes": 0}, "interval_minutes"),
    ({"start_after_minutes": -1}, "start_after_minutes"),
    ({"utm_source": "a&b=c"}, "utm_source"),
    ({"utm_campaign": "x" * 101}, "utm_campaign"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_is_refused_naming_its_field(data, field):
    clean, errors = rule_problems(data)
    assert list(errors) == [field] and errors[field][0]
    assert field not in clean


def test_good_input_is_tidied():
    clean, errors = rule_problems({
        "mode": "queue", "templates": ["split", "split", "text"], "pins_per_article": "3",
        "keyword_rules": [{"keywords": ["  slow   cooker "], "board_id": 4}], "utm_source": " pinterest ",
    })
    assert errors == {}
    assert clean == {"mode": "queue", "templates": ["split", "text"], "pins_per_article": 3,
                     "keyword_rules": [{"keywords": ["slow cooker"], "board_id": 4}], "utm_source": "pinterest"}


def test_a_list_or_keywords_choice_needs_its_boards_unless_off():
    assert "board_ids" in rule_whole_problems({"mode": "queue", "board_choice": "list", "board_ids": []})
    assert "keyword_rules" in rule_whole_problems({"mode": "drafts", "board_choice": "keywords", "keyword_rules": []})
    assert rule_whole_problems({"mode": "off", "board_choice": "list", "board_ids": []}) == {}


def test_keywords_match_whole_words_and_phrases_in_any_case_in_the_rules_order():
    rules = [{"keywords": ["Slow Cooker"], "board_id": 2}, {"keywords": ["soup", "stew"], "board_id": 1},
             {"keywords": ["pie"], "board_id": 3}, {"keywords": ["STEW"], "board_id": 2}]
    assert keyword_boards(text="A beef stew for the slow-cooker", keyword_rules=rules) == [2, 1]
    assert keyword_boards(text="Soups and pies", keyword_rules=rules) == []  # whole words only
    assert keyword_boards(text="Crème brûlée, no soup", keyword_rules=rules) == [1]


def test_keywords_keep_accents_and_non_latin_scripts():
    rules = [{"keywords": ["crème"], "board_id": 1}, {"keywords": ["ラーメン"], "board_id": 2}]
    assert keyword_boards(text="La CRÈME du jour", keyword_rules=rules) == [1]
    assert keyword_boards(text="La creme du jour", keyword_rules=rules) == []
    assert keyword_boards(text="今日の ラーメン です", keyword_rules=rules) == [2]


def test_texts_are_cut_at_a_word_boundary_to_pinterests_limits():
    title = "The very best slow cooker beef stew recipe you will ever make " * 3
    cut = pin_title(title)
    assert len(cut) <= TITLE_MAX and cut.endswith("…")
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # whole words only
    assert cut_at_word("short and sweet", 100) == "short and sweet"
    assert cut_at_word("  spaces   tidied\n", 100) == "spaces tidied"
    assert len(cut_at_word("word " * 400, DESCRIPTION_MAX)) <= DESCRIPTION_MAX


def test_a_single_word_longer_than_the_limit_is_cut_inside_it():
    assert cut_at_word("x" * 150, 100) == "x" * 99 + "…"


def test_alt_text_is_the_images_alt_else_the_title():
    assert pin_alt_text(alt="A bowl of stew", title="Stew") == "A bowl of stew"
    assert pin_alt_text(alt="  ", title="Stew") == "Stew"


def test_utm_parameters_are_added_replacing_the_links_own_and_keeping_the_rest():
    url = "https://blog.example.com/stew/?ref=home&utm_source=old#top"
    assert link_with_utm(url, source="pinterest", campaign="autopilot") == (
        "https://blog.example.com/stew/?ref=home&utm_source=pinterest&utm_campaign=autopilot#top")
    assert link_with_utm(url) == url


def test_pins_take_the_templates_and_the_boards_in_turn():
    plans = pin_plans(count=5, templates=["split", "text"], board_ids=[7, 8, 9])
    assert [(p.template, p.variant, p.board_id) for p in plans] == [
        ("split", 0, 7), ("text", 0, 8), ("split", 1, 9), ("text", 1, 7), ("split", 2, 8)]
    assert [p.template for p in pin_plans(count=len(TEMPLATES), templates=[], board_ids=[])] == list(TEMPLATES)
