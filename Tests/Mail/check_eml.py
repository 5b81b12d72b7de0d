#!/usr/bin/env python3
"""Reads a saved .eml with Python's own email package and icalendar, and prints what
a mail client would see as JSON, for the Swift test to compare with what it sent."""
import json
import sys
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import icalendar


def invitation(data):
    calendar = icalendar.Calendar.from_ical(data)
    event = next(iter(calendar.walk("VEVENT")))
    return {
        "method": str(calendar.get("method")),
        "uid": str(event.get("uid")),
        "sequence": int(event.get("sequence")),
        "summary": str(event.get("summary")),
    }


raw = open(sys.argv[1], "rb").read()
message = BytesParser(policy=policy.default).parsebytes(raw)
sender = message["from"].addresses[0]
recipient = message["to"].addresses[0]
result = {
    "subject": str(message["subject"]),
    "from_name": sender.display_name,
    "from_address": sender.addr_spec,
    "to_address": recipient.addr_spec,
    "reply_to": message["reply-to"].addresses[0].addr_spec if message["reply-to"] else None,
    "message_id": str(message["message-id"]),
    "idempotency_key": str(message["x-rdv-idempotency-key"]),
    "mime_version": str(message["mime-version"]),
    "date_has_zone": parsedate_to_datetime(str(message["date"])).tzinfo is not None,
    "structure": [part.get_content_type() for part in message.walk()],
    "defects": sum(len(part.defects) for part in message.walk()),
    "ascii_only": all(byte < 128 for byte in raw),
    "crlf_only": raw.count(b"\n") == raw.count(b"\r\n"),
    "longest_line": max(len(line) for line in raw.split(b"\r\n")),
}
for part in message.walk():
    kind = part.get_content_type()
    # Lines as a mail client shows them, without the wire's CRLF.
    if kind == "text/plain":
        result["text"] = part.get_content().replace("\r\n", "\n")
    elif kind == "text/html":
        result["html"] = part.get_content().replace("\r\n", "\n")
    elif kind == "text/calendar":
        result["calendar_method_parameter"] = part.get_param("method")
        result["calendar_charset"] = part.get_content_charset()
        result["calendar"] = invitation(part.get_content().encode())
    elif part.get_filename():
        result["attachment_type"] = kind
        result["attachment_name"] = part.get_filename()
        result["attachment"] = invitation(part.get_content())
json.dump(result, sys.stdout, ensure_ascii=False)
