"""Times always name their zone (pinpublisher.timezones, the ``when`` filter, the date formats)."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils.formats import localize

from pinpublisher.timezones import format_when

MOMENT = datetime(2026, 11, 30, 22, 8, tzinfo=UTC)


def test_a_time_is_shown_in_the_servers_zone_with_its_name():
    assert format_when(MOMENT) == "Nov. 30, 2026, 10:08 p.m. UTC"


def test_a_projects_zone_is_named_and_applied():
    assert format_when(MOMENT, zone="Europe/Paris") == "Nov. 30, 2026, 11:08 p.m. CET"
    assert format_when(MOMENT, zone="America/New_York") == "Nov. 30, 2026, 5:08 p.m. EST"


def test_no_zone_or_an_unknown_one_falls_back_to_the_servers_and_none_is_a_dash():
    assert format_when(MOMENT, zone="") == format_when(MOMENT, zone="Not/AZone") == format_when(MOMENT)
    assert format_when(None) == "—"


def test_the_when_filter_and_djangos_own_date_rendering_name_the_zone():
    rendered = Template("{% load when %}{{ t|when }} / {{ t|when:'Asia/Tokyo' }}").render(Context({"t": MOMENT}))
    assert rendered == "Nov. 30, 2026, 10:08 p.m. UTC / Dec. 1, 2026, 7:08 a.m. JST"
    assert localize(MOMENT).endswith(" UTC")
