#!/usr/bin/env python3
"""Reads iCalendar files with the icalendar package, as a calendar application would, and
prints what they hold as JSON for the Swift tests: the calendar's own properties and, for
each event, its UID, SEQUENCE, STATUS, times (in UTC, with whether they were written in UTC),
summary, location and description."""
import datetime
import json
import sys

import icalendar


def instant(prop):
    value = prop.dt
    return {
        "utc": isinstance(value, datetime.datetime) and value.tzinfo is not None and value.utcoffset() == datetime.timedelta(0),
        "epoch": int(value.timestamp()) if isinstance(value, datetime.datetime) else None,
    }


def read(path):
    calendar = icalendar.Calendar.from_ical(open(path, "rb").read())
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "uid": str(event.get("uid")),
            "sequence": int(event.get("sequence", 0)),
            "status": str(event.get("status", "")),
            "transparent": str(event.get("transp", "OPAQUE")) == "TRANSPARENT",
            "start": instant(event.get("dtstart")),
            "end": instant(event.get("dtend")),
            "stamp": instant(event.get("dtstamp")),
            "summary": str(event.get("summary", "")),
            "location": str(event.get("location", "")),
            "description": str(event.get("description", "")),
        })
    properties = {key: str(calendar.get(key)) for key in ("method", "x-wr-calname", "x-published-ttl", "refresh-interval", "x-wr-timezone") if calendar.get(key) is not None}
    if calendar.get("refresh-interval") is not None:
        # A duration: its number of seconds.
        properties["refresh-interval"] = str(int(calendar.get("refresh-interval").dt.total_seconds()))
    return {"properties": properties, "events": events}


print(json.dumps([read(path) for path in sys.argv[1:]], ensure_ascii=False))
