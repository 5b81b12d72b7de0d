#!/usr/bin/env python3
"""The checks of a booking load through a database outage (scripts/failover-drill,
scripts/database-drill), over what scripts/booking-load.py recorded:
  (a) the same rdv serve process books again once the database is back, without restart;
  (b) while the database took no writes, every failed request was answered 503 (the French
      page for people, problem+json for the API), none 500, none left unanswered;
  (c) every RDV the load generator was told 201 for is in the database (--missing counts those
      that are not).
Prints the figures; exits 1 when a check fails."""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("--load", required=True, help="booking-load.py's JSON lines")
p.add_argument("--down", type=float, required=True, help="epoch seconds: the database went")
p.add_argument("--up", type=float, required=True, help="epoch seconds: it took writes again")
p.add_argument("--missing", type=int, required=True, help="acknowledged RDVs not in the database")
p.add_argument("--held", type=int, required=True, help="RDV rows of the load in the database")
p.add_argument("--alive", choices=["yes", "no"], required=True, help="the same rdv serve process answered throughout")
p.add_argument("--date", required=True)
p.add_argument("--outage", default="no primary was up", help="how the summary names the outage")
p.add_argument("--partial", action="store_true",
               help="the outage refuses only some work (a full disk): pages may be served and some bookings still fit")
a = p.parse_args()

records = [json.loads(line) for line in open(a.load)]
api = [r for r in records if r["kind"] == "api"]
pages = [r for r in records if r["kind"] == "page"]
acked = [r for r in api if r["status"] == 201]
failed = [r for r in api if r["status"] != 201]
after_up = [r for r in acked if r["t0"] > a.up]
last_before = max((r["t1"] for r in acked if r["t1"] <= a.down), default=a.down)
first_after = min((r["t1"] for r in acked if r["t0"] > a.down), default=None)
during = [r for r in records if a.down <= r["t1"] <= a.up]
bad = [r for r in records if r["status"] not in (200, 201, 503)]
api503 = [r for r in api if r["status"] == 503]
page503 = [r for r in pages if r["status"] == 503]
problems = []
if a.alive != "yes":
    problems.append("(a) rdv serve did not survive the outage")
if not after_up:
    problems.append("(a) no booking acknowledged once the database was back: the app did not reconnect")
if not api503 or not all(r["ctype"] == "application/problem+json" and r.get("code") == "unavailable" for r in api503):
    problems.append("(b) the API did not answer problem+json 503 while " + a.outage)
if (not a.partial and not page503) or not all(r["french"] and r["ctype"].startswith("text/html") for r in page503):
    problems.append("(b) the page did not answer the French 503 page while " + a.outage)
# Only what was already in flight when the database went may still succeed in that window.
late = [] if a.partial else [r for r in during if r["status"] != 503 and r["t0"] > a.down + 0.5]
if late:
    problems.append("(b) %d requests answered otherwise than 503 while %s: %s" % (len(late), a.outage, sorted({r["status"] for r in late})))
if bad:
    statuses = sorted({(r["status"], r.get("error") or r.get("code")) for r in bad}, key=str)
    problems.append("(b) %d requests answered neither 2xx nor 503: %s" % (len(bad), statuses))
if a.missing:
    problems.append("(c) %d acknowledged bookings are missing from the database" % a.missing)
print("== Summary (%s)" % a.date)
print("   bookings acknowledged: %d (%d once the database was back); lost: %d; rows in the database: %d (%d committed but not acknowledged)" % (
    len(acked), len(after_up), a.missing, a.held, a.held - len(acked) + a.missing))
print("   requests answered while %s: %d, of which 503: %d" % (a.outage, len(during), sum(r["status"] == 503 for r in during)))
print("   failed requests during the outage: %d API (all 503: %s), %d pages 503 (French page: %s); other 5xx: %d; unanswered: %d" % (
    len(failed), all(r["status"] == 503 for r in failed), len(page503), all(r["french"] for r in page503),
    sum(1 for r in records if r["status"] >= 500 and r["status"] != 503), sum(1 for r in records if r["status"] == 0)))
if a.partial:
    print("   seconds of outage: %.1f; bookings acknowledged during it: %d (written into space PostgreSQL already held); same process: %s" % (
        a.up - a.down, sum(1 for r in acked if a.down <= r["t1"] <= a.up), a.alive))
else:
    print("   seconds of outage: %.1f; without an acknowledged booking: %.1f; app back %.1f s after the database, same process: %s" % (
        a.up - a.down, (first_after or a.up) - last_before, (first_after or a.up) - a.up, a.alive))
for problem in problems:
    print("FAILED " + problem)
sys.exit(1 if problems else 0)
