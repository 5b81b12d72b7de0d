#!/usr/bin/env python3
"""A usager books an appointment with the keyboard alone, in a phone-sized headless Chromium,
confirms it with the emailed code, then cancels it through the manage link, and the slot is
offered again. Run by the Swift test BrowserBookingTests against a live server.

Usage: book_by_keyboard.py BASE_URL SCREENSHOT_DIR
"""
import os
import re
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(shots, exist_ok=True)
for old in os.listdir(shots):
    if old.endswith(".png"):
        os.remove(os.path.join(shots, old))

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=fr-FR"):
    options.add_argument(argument)
# A small phone: 320 CSS pixels wide (a desktop window cannot be narrower than 500 px).
options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 320, "height": 640, "pixelRatio": 2}})
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
step = 0


def shot(name):
    global step
    step += 1
    driver.save_screenshot(os.path.join(shots, f"{step:02d}-{name}.png"))


def active():
    return driver.switch_to.active_element


def tab_to(describe, matches, limit=150):
    """Presses Tab until the focused element matches; fails if it never does."""
    for _ in range(limit):
        active().send_keys(Keys.TAB)
        element = active()
        if matches(element):
            return element
    shot("lost-focus")
    raise AssertionError(f"Tab never reached {describe} on {driver.current_url}")


def link_text(text):
    return lambda e: e.tag_name == "a" and text in e.text


def field(name):
    return lambda e: e.get_attribute("name") == name


def wait_for(text, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in driver.find_element(By.TAG_NAME, "body").text:
            return
        time.sleep(0.1)
    shot("missing-text")
    raise AssertionError(f"'{text}' not shown on {driver.current_url}")


def no_horizontal_scroll():
    # On a phone, content wider than the screen widens the layout viewport itself.
    width, viewport = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert max(width, viewport) <= 320, f"page wider than the phone ({max(width, viewport)}px for 320px) on {driver.current_url}"


driver.get(base + "/")
shot("accueil")
tab_to("the booking link", link_text("Prendre rendez-vous")).send_keys(Keys.ENTER)
wait_for("Votre adresse")
no_horizontal_scroll()
tab_to("the commune field", field("commune_saisie")).send_keys("arras")
shot("adresse")
active().send_keys(Keys.ENTER)
# With a single service, the flow goes straight to the motifs.
if "Quel service" in driver.find_element(By.TAG_NAME, "body").text:
    tab_to("the service", link_text("PMI")).send_keys(Keys.ENTER)
wait_for("Pour quel motif")
tab_to("the motif", link_text("Consultation")).send_keys(Keys.ENTER)
wait_for("Où ?")
shot("lieux")
tab_to("the lieu", link_text("Centre")).send_keys(Keys.ENTER)
wait_for("Quand ?")
no_horizontal_scroll()
shot("creneaux")
slot = tab_to("the first slot", lambda e: e.tag_name == "a" and "/prendre-rdv/coordonnees" in (e.get_attribute("href") or ""))
slot_href = slot.get_attribute("href")
slot.send_keys(Keys.ENTER)
wait_for("Vos coordonnées")
no_horizontal_scroll()
tab_to("first name", field("prenom")).send_keys("Léa")
active().send_keys(Keys.TAB, "Martin")
tab_to("email", field("email")).send_keys("lea.navigateur@exemple.fr")
shot("coordonnees")
active().send_keys(Keys.ENTER)
wait_for("Confirmez votre rendez-vous")
confirmation_url = driver.current_url

# Reading the email: the development mailbox shows what would have been sent.
driver.get(base + "/dev/courriels")
code = re.search(r"code de confirmation : (\d{6})", driver.find_element(By.TAG_NAME, "body").text).group(1)
driver.get(confirmation_url)
tab_to("the code field", field("code")).send_keys(code)
shot("code")
active().send_keys(Keys.ENTER)
wait_for("Votre rendez-vous est confirmé")
no_horizontal_scroll()
shot("confirme")

driver.get(base + "/dev/courriels")
mails = driver.find_element(By.TAG_NAME, "body").text
# The path of the link (the test server's public port differs from the one it listens on).
manage = re.search(r"http\S+(/g/[A-Za-z0-9_-]+)", mails).group(1)
driver.get(base + manage)
wait_for("trois premières lettres")
tab_to("the name check", field("nom")).send_keys("mar")
active().send_keys(Keys.ENTER)
wait_for("Déplacer le rendez-vous")
shot("gerer")
# Move it to the first other time offered, then cancel it.
moved_to = tab_to("the new slot", field("debut")).get_attribute("value")
tab_to("the move button", lambda e: e.tag_name == "button" and "Déplacer le rendez-vous" in e.text).send_keys(Keys.ENTER)
wait_for("Votre rendez-vous est déplacé")
no_horizontal_scroll()
shot("deplace")
tab_to("the cancel button", lambda e: e.tag_name == "button" and "Annuler le rendez-vous" in e.text).send_keys(Keys.ENTER)
wait_for("Votre rendez-vous est annulé")
shot("annule")

# The slot is offered again at once.
driver.get(slot_href.split("/prendre-rdv/coordonnees")[0] + "/prendre-rdv?" + slot_href.split("?", 1)[1].rsplit("&debut=", 1)[0])
wait_for("Quand ?")
page = driver.page_source.replace("&amp;", "&")
assert slot_href.split("?", 1)[1] in page, "the first slot, left by the move, is not offered again"
assert f"debut={moved_to}" in page, "the cancelled slot is not offered again"
shot("creneau-libre")
driver.quit()
print("booked by keyboard, confirmed, moved and cancelled by link; slot free again")
