"""The analytics calls against Pinterest's OpenAPI description: what the client sends for
``GET /pins/{pin_id}/analytics`` and ``GET /user_account/analytics`` (every parameter declared,
required ones present, values of the declared types and enums) and what the stand-in answers
(``PinAnalyticsResponse``, ``AnalyticsResponse``, ``Error``)."""

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from pinterest.client import PIN_METRICS, VIDEO_METRICS, PinterestClient
from pinterest.errors import PinterestNotFound, PinterestUnavailable
from tests.factories import client_config

from .conftest import API_BASE
from .test_conformance import OPENAPI, assert_conforms, bearer, pointer, response_schema, schema_ref

pytestmark = pytest.mark.skipif(not OPENAPI.exists(), reason=f"Pinterest's OpenAPI description is not at {OPENAPI}")

START, END = date(2026, 11, 1), date(2026, 11, 30)


def declared_parameters(path: str) -> dict[str, dict]:
    """The query parameters of the GET at ``path``, by name, their $refs followed."""
    operation = pointer(f"#/paths/{path.replace('/', '~1')}/get")
    parameters = [pointer(p["$ref"]) if "$ref" in p else p for p in operation["parameters"]]
    return {p["name"]: p for p in parameters if p["in"] == "query"}


def enum_of(schema: dict) -> set[str]:
    items = schema.get("items", schema)
    if "oneOf" in items:
        return set().union(*(set(branch["enum"]) for branch in items["oneOf"]))
    return set(items["enum"])


def assert_query_conforms(query: dict[str, str], path: str) -> None:
    declared = declared_parameters(path)
    assert set(query) <= set(declared), set(query) - set(declared)
    assert {name for name, p in declared.items() if p.get("required")} <= set(query)
    for name, value in query.items():
        schema = declared[name]["schema"]
        if schema.get("format") == "date":
            date.fromisoformat(value)
        elif schema["type"] == "array":
            # style form, explode false: one comma-separated value
            assert declared[name]["style"] == "form" and declared[name]["explode"] is False
            assert set(value.split(",")) <= enum_of(schema), value
        elif "enum" in schema:
            assert value in schema["enum"]


def sent_query(pinterest_api, url, call) -> dict[str, str]:
    pinterest_api.add("GET", url, json={"ALL": {"daily_metrics": []}})
    call(PinterestClient(client_config(), "pina_token"))
    return dict(parse_qsl(urlsplit(pinterest_api.calls[-1].request.url).query))


@pytest.mark.parametrize("metrics", [PIN_METRICS, PIN_METRICS + VIDEO_METRICS], ids=["standard", "video"])
def test_pin_analytics_request_conforms_to_the_operation(pinterest_api, metrics):
    query = sent_query(
        pinterest_api,
        f"{API_BASE}/pins/1130000000001/analytics",
        lambda c: c.get_pin_analytics("1130000000001", start_date=START, end_date=END, metric_types=metrics),
    )

    assert_query_conforms(query, "/pins/{pin_id}/analytics")
    assert query["start_date"] == "2026-11-01" and query["end_date"] == "2026-11-30"
    # All of one list belong to one of the schema's branches (standard, or video).
    branches = pointer("#/components/parameters/query_pin_analytics_metric_types")["schema"]["items"]["oneOf"]
    assert any(set(metrics) <= set(branch["enum"]) for branch in branches)


def test_account_analytics_request_conforms_to_the_operation(pinterest_api):
    query = sent_query(
        pinterest_api,
        f"{API_BASE}/user_account/analytics",
        lambda c: c.get_user_account_analytics(start_date=START, end_date=END),
    )

    assert_query_conforms(query, "/user_account/analytics")


def test_the_client_reads_pinterests_example_of_a_pin_answer(pinterest_api):
    example = pointer(schema_ref("PinAnalyticsMetricsResponse"))["properties"]["daily_metrics"]["items"]
    record = {"date": "2026-11-02", "data_status": "READY",
              "metrics": example["properties"]["metrics"]["example"]}
    pinterest_api.add("GET", f"{API_BASE}/pins/9/analytics", json={"ALL": {"daily_metrics": [record]}})

    (day,) = PinterestClient(client_config(), "pina_token").get_pin_analytics("9", start_date=START, end_date=END)

    assert day.day == date(2026, 11, 2) and day.status == "READY"
    assert day.metrics["IMPRESSION"] == 240 and day.metrics["VIDEO_AVG_WATCH_TIME"] == 2507.75


@pytest.mark.parametrize("body", [[], {"ALL": {"daily_metrics": {}}}, {"ALL": {"daily_metrics": [{"date": "x"}]}},
                                  {"ALL": {"daily_metrics": [{"date": "2026-11-02", "metrics": {"SAVE": "1"}}]}}])
def test_an_analytics_answer_of_another_shape_is_unavailable_not_a_key_error(pinterest_api, body):
    pinterest_api.add("GET", f"{API_BASE}/pins/9/analytics", json=body)

    with pytest.raises(PinterestUnavailable):
        PinterestClient(client_config(), "pina_token").get_pin_analytics("9", start_date=START, end_date=END)


def test_a_pin_pinterest_no_longer_has_is_not_found(pinterest_api):
    pinterest_api.add("GET", f"{API_BASE}/pins/9/analytics", status=404, json={"code": 50, "message": "Pin not found."})

    with pytest.raises(PinterestNotFound):
        PinterestClient(client_config(), "pina_token").get_pin_analytics("9", start_date=START, end_date=END)


# --- what the stand-in answers -------------------------------------------------------------


@pytest.fixture
def account(standin):
    user = standin.create_user("soupblog")
    access, _refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    today = date(2026, 12, 6)
    standin.set_analytics_today(today)
    image = standin.add_pin(board_id, created_at="2026-11-28T19:30:00+00:00")
    video = standin.add_pin(board_id, created_at="2026-11-29T03:00:00+00:00", media_source={"source_type": "video_id"})
    return {"access": access, "image": image["id"], "video": video["id"], "today": today}


def get(standin, path, access, **params):
    return requests.get(f"{standin.api_base}{path}", params=params, headers=bearer(access), timeout=5)


def test_stand_in_pin_analytics_conform_to_pin_analytics_response(standin, account):
    start = (account["today"] - timedelta(days=89)).isoformat()
    for pin_id, metrics in ((account["image"], PIN_METRICS), (account["video"], PIN_METRICS + VIDEO_METRICS)):
        answer = get(standin, f"/pins/{pin_id}/analytics", account["access"], start_date=start,
                     end_date=account["today"].isoformat(), metric_types=",".join(metrics))

        assert answer.status_code == 200, answer.text
        assert_conforms(answer.json(), response_schema("/pins/{pin_id}/analytics", "get", "200"))
        days = answer.json()["ALL"]["daily_metrics"]
        assert len(days) == 90
        assert {d["data_status"] for d in days} == {"BEFORE_PIN_CREATED", "READY", "ESTIMATE"}


def test_stand_in_account_analytics_conform_to_analytics_response(standin, account):
    answer = get(standin, "/user_account/analytics", account["access"], start_date="2026-11-20", end_date="2026-12-06")

    assert answer.status_code == 200, answer.text
    assert_conforms(answer.json(), response_schema("/user_account/analytics", "get", "200"))


def test_stand_in_refuses_a_window_pinterest_refuses(standin, account):
    too_old = (account["today"] - timedelta(days=91)).isoformat()
    old = get(standin, f"/pins/{account['image']}/analytics", account["access"], start_date=too_old,
              end_date="2026-12-01", metric_types="IMPRESSION")
    no_metrics = get(standin, f"/pins/{account['image']}/analytics", account["access"], start_date="2026-12-01",
                     end_date="2026-12-02")

    for answer in (old, no_metrics):
        assert answer.status_code == 400
        assert_conforms(answer.json(), response_schema("/pins/{pin_id}/analytics", "get", "400"))


def test_stand_in_answers_404_for_a_removed_pin_and_injected_faults(standin, account):
    standin.remove_pin(account["video"])
    standin.fail_next("429", endpoint="pin_analytics", retry_after=3)
    params = {"start_date": "2026-12-01", "end_date": "2026-12-02", "metric_types": "IMPRESSION"}

    limited = get(standin, f"/pins/{account['image']}/analytics", account["access"], **params)
    gone = get(standin, f"/pins/{account['video']}/analytics", account["access"], **params)

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert gone.status_code == 404
    assert_conforms(gone.json(), response_schema("/pins/{pin_id}/analytics", "get", "404"))


def test_stand_in_revised_days_grow_until_they_are_ready(standin, account):
    params = {"start_date": "2026-12-04", "end_date": "2026-12-04", "metric_types": "IMPRESSION"}
    first = get(standin, f"/pins/{account['image']}/analytics", account["access"], **params).json()
    standin.set_analytics_today("2026-12-08")
    later = get(standin, f"/pins/{account['image']}/analytics", account["access"], **params).json()

    (estimate,), (ready,) = first["ALL"]["daily_metrics"], later["ALL"]["daily_metrics"]
    assert estimate["data_status"] == "ESTIMATE" and ready["data_status"] == "READY"
    assert ready["metrics"]["IMPRESSION"] > estimate["metrics"]["IMPRESSION"]
