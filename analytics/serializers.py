"""What the analytics endpoints answer (for the schema and the JSON), and their query."""

from datetime import date, timedelta

from rest_framework import exceptions, serializers

from analytics.selectors import METRICS

#: With no ``from``: this many days up to ``to``; with no ``to``: yesterday (Pinterest's last day).
DEFAULT_DAYS = 30
#: The longest range one request reads.
MAX_DAYS = 731


def parse_range(query: dict[str, str], *, today: date) -> tuple[date, date]:
    """``from`` and ``to`` (YYYY-MM-DD, both included); a 400 naming the field that is wrong."""
    values: dict[str, date] = {}
    for name in ("from", "to"):
        raw = query.get(name)
        if raw in (None, ""):
            continue
        try:
            values[name] = date.fromisoformat(str(raw))
        except ValueError:
            raise exceptions.ValidationError({name: [f"{name} must be a date as YYYY-MM-DD, not {raw!r}."]}) from None
    end = values.get("to", today - timedelta(days=1))
    start = values.get("from", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise exceptions.ValidationError({"from": [f"from ({start}) is after to ({end})."]})
    if (end - start).days >= MAX_DAYS:
        raise exceptions.ValidationError({"from": [f"from and to are at most {MAX_DAYS} days apart."]})
    return start, end


class MetricsSerializer(serializers.Serializer):
    impressions = serializers.IntegerField()
    saves = serializers.IntegerField()
    pin_clicks = serializers.IntegerField()
    outbound_clicks = serializers.IntegerField()


class RangeSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.DateField(help_text="The first day (UTC), included.")
    to = serializers.DateField(help_text="The last day (UTC), included.")


class DaySerializer(MetricsSerializer):
    date = serializers.DateField()


class BoardTotalsSerializer(MetricsSerializer):
    board_id = serializers.IntegerField(allow_null=True)
    board_name = serializers.CharField(allow_null=True)


class KindTotalsSerializer(MetricsSerializer):
    kind = serializers.CharField()


class TopPinSerializer(MetricsSerializer):
    pin_id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.CharField()
    pinterest_pin_id = serializers.CharField()


class ProjectAnalyticsSerializer(RangeSerializer):
    project = serializers.IntegerField()
    totals = MetricsSerializer()
    per_day = DaySerializer(many=True)
    per_board = BoardTotalsSerializer(many=True)
    per_kind = KindTotalsSerializer(many=True)
    top_pins = TopPinSerializer(many=True, help_text="The 20 pins with the most outbound clicks (then saves).")


class PinMetricsSerializer(MetricsSerializer):
    video_views = serializers.IntegerField(required=False, help_text="Video pins only.")
    video_starts = serializers.IntegerField(required=False, help_text="Video pins only.")


class PinDaySerializer(PinMetricsSerializer):
    date = serializers.DateField()
    video_avg_watch_time_ms = serializers.FloatField(required=False, allow_null=True, help_text="Video pins only.")
    data_status = serializers.CharField(help_text="Pinterest's: READY once final, ESTIMATE while it may change.")


class PinAnalyticsSerializer(RangeSerializer):
    pin = serializers.UUIDField()
    totals = PinMetricsSerializer()
    per_day = PinDaySerializer(many=True)
    gone = serializers.BooleanField(help_text="Pinterest no longer has the pin (its history stays).")
    last_synced_at = serializers.DateTimeField(allow_null=True)


class SyncQueuedSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    queued = serializers.BooleanField()
    last_synced_at = serializers.DateTimeField(allow_null=True)
    resume_at = serializers.DateTimeField(
        allow_null=True, help_text="Pinterest asked to wait: the sync runs then, not before."
    )
    last_error = serializers.CharField()


def project_csv_rows(data: dict) -> list[dict]:
    """The project's answer as one table: a ``section`` column (total, day, board, kind, pin) and
    what the row is of (``key``, ``label``), then the metrics."""
    rows = [{"section": "total", "key": "", "label": f"{data['from']} to {data['to']}", **data["totals"]}]
    rows += [{"section": "day", "key": str(d["date"]), "label": "", **_metrics(d)} for d in data["per_day"]]
    rows += [{"section": "board", "key": b["board_id"] or "", "label": b["board_name"] or "", **_metrics(b)}
             for b in data["per_board"]]
    rows += [{"section": "kind", "key": k["kind"], "label": "", **_metrics(k)} for k in data["per_kind"]]
    rows += [{"section": "pin", "key": str(p["pin_id"]), "label": p["title"], **_metrics(p)} for p in data["top_pins"]]
    return rows


def pin_csv_rows(data: dict) -> list[dict]:
    return [{**day, "date": str(day["date"])} for day in data["per_day"]] or [
        {"date": "", **{name: "" for name in data["totals"]}}
    ]


def _metrics(row: dict) -> dict:
    return {name: row[name] or 0 for name in METRICS}
