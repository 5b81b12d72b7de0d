#!/usr/bin/env python3
"""A usager declines a confirmation request from its link, on a phone-sized headless Chromium,
with the keyboard alone; the slot is freed and the person waiting takes it from their offer.
Run by the Swift test ConfirmationBrowserTests against a live server whose development mailbox
holds the request.

axe-core checks each page; a violation of impact serious or critical fails the run.

Usage: decline_by_phone.py BASE_URL SCREENSHOT_DIR WAITING_EMAIL
"""
import os
import re
import sys
import time

import axe_selenium_python
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

base, shots, waiting = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=fr-FR"):
    options.add_argument(argument)
options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 320, "height": 640, "pixelRatio": 2}})
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
axe = Axe(driver, script_url=os.environ.get("AXE_SCRIPT") or os.path.join(
    os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js"))
blocking = []


def audit():
    axe.inject()
    for violation in axe.run()["violations"]:
        if violation["impact"] in ("critical", "serious"):
            blocking.append(f"{driver.current_url}: {violation['id']} ({violation['impact']}): {violation['help']}")


def body():
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""


def wait_for(text, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in body():
            audit()
            return
        time.sleep(0.1)
    driver.save_screenshot(os.path.join(shots, "confirmation-missing-text.png"))
    raise AssertionError(f"'{text}' not shown on {driver.current_url}")


def press(label, limit=60):
    """Tabs to the button whose text holds `label`, then presses Enter."""
    for _ in range(limit):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        element = driver.switch_to.active_element
        if element.tag_name == "button" and label in element.text:
            element.send_keys(Keys.ENTER)
            return
    raise AssertionError(f"Tab never reached the button '{label}' on {driver.current_url}")


def no_horizontal_scroll():
    width, viewport = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert max(width, viewport) <= 320, f"page wider than the phone ({max(width, viewport)}px) on {driver.current_url}"


try:
    driver.get(base + "/dev/courriels")
    # The path of the link (the test server's public port differs from the one it listens on).
    decline = re.search(r"http\S+?(/non/[A-Za-z0-9_-]+)", body()).group(1)
    driver.get(base + decline)
    wait_for("Je ne pourrai pas venir, j’annule")
    no_horizontal_scroll()
    driver.save_screenshot(os.path.join(shots, "confirmation-01-non.png"))
    press("Je ne pourrai pas venir")
    wait_for("Votre rendez-vous est annulé")
    no_horizontal_scroll()
    driver.save_screenshot(os.path.join(shots, "confirmation-02-annule.png"))

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
    driver.save_screenshot(os.path.join(shots, "confirmation-03-repris.png"))
finally:
    driver.quit()
if blocking:
    print("\n".join(blocking))
    sys.exit(f"{len(blocking)} accessibility violations of impact serious or critical")
print("declined by link at phone width; the person waiting took the slot; axe found nothing serious")
