#!/usr/bin/env python3
"""A usager declines a confirmation request from its link, on a phone-sized headless Chromium,
with the keyboard alone; the slot is freed and the person waiting takes it from their offer.
Run by the Swift test ConfirmationBrowserTests against a live server whose development mailbox
holds the request.

axe-core checks each page; a violation of impact serious or critical fails the run.

Usage: decline_by_phone.py BASE_URL SCREENSHOT_DIR WAITING_EMAIL
"""
import re
import sys

from browser_support import Browser

base, shots, waiting = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
browser = Browser(shots, "confirmation", phone=True)
driver, wait_for, press, body = browser.driver, browser.wait_for, browser.press, browser.body
no_horizontal_scroll = browser.no_horizontal_scroll

try:
    driver.get(base + "/dev/courriels")
    # The path of the link (the test server's public port differs from the one it listens on).
    decline = re.search(r"http\S+?(/non/[A-Za-z0-9_-]+)", body()).group(1)
    driver.get(base + decline)
    wait_for("Je ne pourrai pas venir, j’annule")
    no_horizontal_scroll()
    browser.shot("01-non")
    press("Je ne pourrai pas venir")
    wait_for("Votre rendez-vous est annulé")
    no_horizontal_scroll()
    browser.shot("02-annule")

    # The person waiting is offered the slot, and takes it.
    driver.get(base + "/dev/courriels")
    mails = body()
    assert waiting in mails, "no offer to the person waiting"
    offer = re.search(r"http\S+?(/liste-attente/offre/[A-Za-z0-9_-]+)", mails).group(1)
    driver.get(base + offer)
    wait_for("Je prends ce créneau")
    no_horizontal_scroll()
    press("Je prends ce créneau")
    wait_for("Le créneau est à vous")
    browser.shot("03-repris")
finally:
    browser.close()
browser.report("declined by link at phone width; the person waiting took the slot; axe found nothing serious")
