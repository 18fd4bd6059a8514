"""Autopilot's pure rules: a rule's input checked field by field, the boards an article goes to,
texts cut at word boundaries to Pinterest's limits, and UTM parameters on a link.

Pure: values in, values out (no queries), so every way in (the API, the admin, the planner's
settings page) gets the same messages, naming the field, and the tests need no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from designs.render import TEMPLATES
from pinterest.limits import ALT_TEXT_MAX, DESCRIPTION_MAX, TITLE_MAX

MODES = ("off", "drafts", "queue")
BOARD_CHOICES = ("all", "list", "keywords")
MAX_PINS_PER_ARTICLE = 8
MAX_KEYWORD_RULES = 50
MAX_KEYWORDS = 30
MAX_INTERVAL_MINUTES = 60 * 24 * 90
MAX_START_AFTER_MINUTES = 60 * 24 * 30
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign")
UTM_MAX = 100
UTM_PATTERN = re.compile(r"^[\w.\-+~ ]*$")
RULE_FIELDS = ("mode", "templates", "pins_per_article", "board_choice", "board_ids", "keyword_rules",
               "start_after_minutes", "interval_minutes", *UTM_FIELDS)
_WORD = re.compile(r"\w+", re.UNICODE)


def _int(value: Any, field: str, low: int, high: int, errors: dict[str, list[str]]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            errors.setdefault(field, []).append(f"A whole number from {low} to {high}.")
            return None
    if not low <= value <= high:
        errors.setdefault(field, []).append(f"A whole number from {low} to {high}; {value} was given.")
        return None
    return value


def _board_ids(value: Any, field: str, errors: dict[str, list[str]]) -> list[int]:
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        errors.setdefault(field, []).append("A list of board ids (whole numbers).")
        return []
    if len(set(value)) != len(value):
        errors.setdefault(field, []).append("A board is given twice.")
    return list(dict.fromkeys(value))


def _keyword_rules(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    field = "keyword_rules"
    if not isinstance(value, list) or len(value) > MAX_KEYWORD_RULES:
        errors.setdefault(field, []).append(
            f'A list of at most {MAX_KEYWORD_RULES} rules: {{"keywords": ["soup", "stew"], "board_id": 3}}.')
        return []
    rules = []
    for index, item in enumerate(value):
        where = f"Rule {index + 1}"
        if not isinstance(item, dict) or set(item) - {"keywords", "board_id"}:
            errors.setdefault(field, []).append(f'{where}: give "keywords" (a list of words) and "board_id".')
            continue
        words, board = item.get("keywords"), item.get("board_id")
        if not isinstance(words, list) or not words or len(words) > MAX_KEYWORDS or any(
                not isinstance(w, str) or not normalized(w) for w in words):
            errors.setdefault(field, []).append(f"{where}: keywords must be 1 to {MAX_KEYWORDS} non-empty words.")
            continue
        if isinstance(board, bool) or not isinstance(board, int):
            errors.setdefault(field, []).append(f"{where}: board_id must be a board's id.")
            continue
        rules.append({"keywords": [" ".join(w.split()) for w in words], "board_id": board})
    return rules


def rule_problems(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The rule's fields given in ``data``, checked and tidied, and the problems by field name
    (unknown fields included). Cross-field checks see only the fields given; the service checks
    the rule as it will be saved (``rule_whole_problems``) and the boards against the tenant's."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name not in RULE_FIELDS:
            errors.setdefault(name, []).append(f"Unknown field; a rule takes: {', '.join(RULE_FIELDS)}.")
    if "mode" in data:
        if not isinstance(data["mode"], str) or data["mode"] not in MODES:
            errors.setdefault("mode", []).append(f"One of: {', '.join(MODES)}.")
        else:
            clean["mode"] = data["mode"]
    if "templates" in data:
        value = data["templates"]
        if not isinstance(value, list) or any(not isinstance(t, str) or t not in TEMPLATES for t in value):
            errors.setdefault("templates", []).append(
                f"A list of templates (empty: all), each one of: {', '.join(TEMPLATES)}.")
        else:
            clean["templates"] = list(dict.fromkeys(value))
    if "board_choice" in data:
        if not isinstance(data["board_choice"], str) or data["board_choice"] not in BOARD_CHOICES:
            errors.setdefault("board_choice", []).append(f"One of: {', '.join(BOARD_CHOICES)}.")
        else:
            clean["board_choice"] = data["board_choice"]
    limits = {"pins_per_article": (1, MAX_PINS_PER_ARTICLE), "start_after_minutes": (0, MAX_START_AFTER_MINUTES),
              "interval_minutes": (1, MAX_INTERVAL_MINUTES)}
    for name, (low, high) in limits.items():
        if name in data:
            number = _int(data[name], name, low, high, errors)
            if number is not None:
                clean[name] = number
    if "board_ids" in data:
        board_ids = _board_ids(data["board_ids"], "board_ids", errors)
        if "board_ids" not in errors:
            clean["board_ids"] = board_ids
    if "keyword_rules" in data:
        keyword_rules = _keyword_rules(data["keyword_rules"], errors)
        if "keyword_rules" not in errors:
            clean["keyword_rules"] = keyword_rules
    for name in UTM_FIELDS:
        if name in data:
            value = data[name]
            if not isinstance(value, str) or len(value.strip()) > UTM_MAX or not UTM_PATTERN.match(value.strip()):
                errors.setdefault(name, []).append(
                    f"At most {UTM_MAX} letters, digits, spaces or . - _ + ~ (blank: none).")
            else:
                clean[name] = value.strip()
    return clean, errors


def rule_whole_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """What the rule as saved would break across fields: a list of boards with none listed, or
    keyword rules with no rule."""
    if values.get("mode") == "off":
        return {}
    if values.get("board_choice") == "list" and not values.get("board_ids"):
        return {"board_ids": ['Give at least one board for board_choice "list".']}
    if values.get("board_choice") == "keywords" and not values.get("keyword_rules"):
        return {"keyword_rules": ['Give at least one keyword rule for board_choice "keywords".']}
    return {}


def normalized(text: str) -> str:
    """Lower-case words separated by one space (accents kept: "crème" is not "creme")."""
    return " ".join(_WORD.findall(text.casefold()))


def keyword_boards(*, text: str, keyword_rules: Sequence[dict[str, Any]]) -> list[int]:
    """The boards whose keywords (whole words or phrases, any case) are in ``text``, in the rules'
    order, each once."""
    haystack = f" {normalized(text)} "
    boards: list[int] = []
    for rule in keyword_rules:
        if any(f" {normalized(word)} " in haystack for word in rule["keywords"] if normalized(word)):
            if rule["board_id"] not in boards:
                boards.append(rule["board_id"])
    return boards


@dataclass(frozen=True)
class Plan:
    """Pin ``k`` of an article: drawn with ``template``, images turned by ``variant``, on ``board_id``."""

    template: str
    variant: int
    board_id: int | None


def pin_plans(*, count: int, templates: Sequence[str], board_ids: Sequence[int]) -> list[Plan]:
    """``count`` pins: the templates in turn (an image turned each round), the boards in turn."""
    templates = list(templates) or list(TEMPLATES)
    return [Plan(templates[k % len(templates)], k // len(templates),
                 board_ids[k % len(board_ids)] if board_ids else None) for k in range(count)]


def cut_at_word(text: str, limit: int) -> str:
    """``text`` with its whitespace tidied, at most ``limit`` characters, cut at a word boundary
    (an ellipsis marks the cut); a single word longer than the limit is cut inside it."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - 1  # for the ellipsis
    cut = text[: room + 1].rsplit(" ", 1)[0] if " " in text[: room + 1] else ""
    cut = (cut or text[:room]).rstrip(" ,.;:-–—")
    return cut[:room] + "…"


def pin_title(text: str) -> str:
    return cut_at_word(text, TITLE_MAX)


def pin_description(text: str) -> str:
    return cut_at_word(text, DESCRIPTION_MAX)


def pin_alt_text(*, alt: str, title: str) -> str:
    """The image's own alt text when it has one, else the title."""
    return cut_at_word(alt.strip() or title, ALT_TEXT_MAX)


def link_with_utm(url: str, *, source: str = "", medium: str = "", campaign: str = "") -> str:
    """``url`` with the UTM parameters given (blank: left out); a parameter the link already has
    is replaced, the others and the fragment kept."""
    given = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign}
    given = {name: value for name, value in given.items() if value}
    if not given:
        return url
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in given]
    return urlunsplit(parts._replace(query=urlencode(query + list(given.items()))))


def keyword_rules_from_text(text: str, *, boards: dict[str, int]) -> tuple[list[dict[str, Any]], list[str]]:
    """The planner's keyword rules, one a line: ``stew, soup: Soups`` (words, a colon, a board's
    name as ``boards`` names them, case-folded). Returns the rules and each line's problem."""
    rules, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        words, colon, board = line.rpartition(":")
        board_id = boards.get(board.strip().casefold())
        if not colon or not words.strip():
            problems.append(f"Line {number}: write the words, a colon, then the board: stew, soup: Soups.")
        elif board_id is None:
            problems.append(f"Line {number}: no board named {board.strip()!r} in this project's account.")
        else:
            rules.append({"keywords": [w.strip() for w in words.split(",") if w.strip()], "board_id": board_id})
    return rules, problems


def keyword_rules_text(rules: Sequence[dict[str, Any]], *, boards: dict[int, str]) -> str:
    """``keyword_rules_from_text``'s text of ``rules`` (a board no longer there shows its id)."""
    return "\n".join(f"{', '.join(rule['keywords'])}: {boards.get(rule['board_id'], rule['board_id'])}"
                      for rule in rules)
