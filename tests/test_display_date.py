"""Dates as pages write them: the same words as Django's `date` filter, remembered or not."""

import datetime
import zoneinfo

from django.template import Context, Template
from django.utils import translation

from phb.presenters import display_date


def _filter(value, format_string):
    return Template("{{ value|date:format }}").render(
        Context({"value": value, "format": format_string})
    )


def test_a_day_reads_as_the_date_filter_writes_it_every_time():
    for day in (datetime.date(2026, 4, 1), datetime.date(2027, 9, 30), datetime.date(2026, 12, 5)):
        for format_string in ("j M Y", "j F Y", "l j F Y"):
            first = display_date(day, format_string)
            assert first == _filter(day, format_string)
            assert display_date(day, format_string) == first  # from memory
    assert display_date(datetime.date(2026, 9, 3)) == "3 Sep 2026"
    assert display_date(None) == ""


def test_a_time_is_shown_in_the_local_zone_and_never_remembered():
    midnight_utc = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert display_date(midnight_utc) == "2 Jul 2026"  # 00:30 in London, summer time
    assert display_date(midnight_utc, "j M Y H:i") == "2 Jul 2026 00:30"


def test_a_time_reads_as_the_date_filter_writes_it_in_every_format():
    # The day and the clock are written apart for the formats the pages use, and by Django's
    # formatter for any other; each must read as the filter writes it, on either side of the
    # clocks going back (25 October 2026) and of midnight.
    utc = zoneinfo.ZoneInfo("UTC")
    moments = [
        datetime.datetime(2026, 10, 25, 0, 59, tzinfo=utc),
        datetime.datetime(2026, 10, 25, 1, 1, tzinfo=utc),
        datetime.datetime(2026, 12, 31, 23, 59, 30, tzinfo=utc),
        datetime.datetime(2027, 3, 28, 9, 5, tzinfo=utc),
    ]
    formats = ("j M Y H:i", "j F Y \\a\\t H:i", "j M Y", "l j F Y", "H:i", "j M Y g:i a")
    for moment in moments:
        for format_string in formats:
            assert display_date(moment, format_string) == _filter(moment, format_string)
            assert display_date(moment, format_string) == _filter(moment, format_string)
    assert display_date(moments[0], "j F Y \\a\\t H:i") == "25 October 2026 at 01:59"
    assert display_date(moments[1], "j F Y \\a\\t H:i") == "25 October 2026 at 01:01"


def test_the_words_follow_the_language():
    day = datetime.date(2026, 5, 1)
    with translation.override("fr"):
        french = display_date(day, "j F Y")
        french_time = display_date(
            datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC), "j F Y H:i"
        )
    assert french == "1 mai 2026"
    assert french_time == "1 mai 2026 09:00"
    assert display_date(day, "j F Y") == "1 May 2026"
