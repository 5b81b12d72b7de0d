#!/usr/bin/env python3
"""A usager books an appointment with the keyboard alone, in a phone-sized headless Chromium,
confirms it with the emailed code, then cancels it through the manage link, and the slot is
offered again. Run by the Swift test BrowserBookingTests against a live server.

axe-core checks every page the script sees (and a few more that people use: the consortium's
landing page, the sign-in pages, the sign-up form with its errors, a missing page); a violation
of impact serious or critical fails the run, after the whole journey, with every one listed.

Usage: book_by_keyboard.py BASE_URL SCREENSHOT_DIR [AGENT_EMAIL PASSWORD [OPERATOR_EMAIL PASSWORD TOTP_SECRET_HEX TENANT_ID]]
With an operator, the partnership pages of console. are checked too.
AXE_SCRIPT may name another axe.min.js than the one axe-selenium-python ships.
"""
import hashlib
import hmac
import os
import re
import struct
import sys
import time
from urllib.parse import urlsplit

import axe_selenium_python
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
os.makedirs(shots, exist_ok=True)
for old in os.listdir(shots):
    if old.endswith(".png") or old == "axe.txt":
        os.remove(os.path.join(shots, old))

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=fr-FR"):
    options.add_argument(argument)
# A small phone: 320 CSS pixels wide (a desktop window cannot be narrower than 500 px).
options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 320, "height": 640, "pixelRatio": 2}})
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
driver.set_script_timeout(60)
step = 0


def shot(name):
    global step
    step += 1
    driver.save_screenshot(os.path.join(shots, f"{step:02d}-{name}.png"))


AXE_SCRIPT = os.environ.get("AXE_SCRIPT") or os.path.join(
    os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js")
BLOCKING = ("critical", "serious")
axe = Axe(driver, script_url=AXE_SCRIPT)
axe_version = "?"
audited = []  # (address, title) of each page checked, in order
blocking = []  # (page address, violation) of impact serious or critical
minor = {}  # rule id -> (impact, help, pages) for the other violations, reported only

# axe-selenium-python 2.1.6, the newest that installs on Python 3.11, ships axe-core 3.1.1 (2018), whose tables
# predate two things HTML allows and these pages use: the autocomplete token one-time-code, and the
# username token on an email field. Taught both, it keeps checking every autocomplete attribute;
# a newer axe-core (AXE_SCRIPT) knows them and is left as it is.
TEACH_OLD_AXE = """
if (axe.version.split(".")[0] === "3") {
  axe.configure({checks: [
    {id: "autocomplete-valid", options: {standaloneTerms: ["one-time-code"]}},
    {id: "autocomplete-appropriate", options: {username: ["text", "email"]}},
  ]});
}
"""
# The wrapper's run() writes its options into the script as Python text; this passes them as data.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(results => done({violations: results.violations}))
  .catch(error => done({error: String(error)}));
"""


def audit():
    """Runs axe-core once on the current document (a page reloaded or re-rendered is a new document)."""
    if driver.execute_script("return window.__audited === true"):
        return
    global axe_version
    deadline = time.time() + 10
    while driver.execute_script("return document.readyState") != "complete" and time.time() < deadline:
        time.sleep(0.05)
    axe.inject()
    driver.execute_script(TEACH_OLD_AXE)
    axe_version = driver.execute_script("return axe.version")
    result = driver.execute_async_script(RUN_AXE)
    driver.execute_script("window.__audited = true")
    url = driver.current_url
    if result.get("error"):
        raise AssertionError(f"axe-core could not run on {url}: {result['error']}")
    title = driver.title.strip()
    # Each page names itself first (RGAA 8.6), before the site's name.
    assert title and not title.startswith("–"), f"page without a title of its own on {url}: '{title}'"
    audited.append((url, title))
    for violation in result["violations"]:
        if violation.get("impact") in BLOCKING:
            blocking.append((url, violation))
        else:
            _, _, pages = minor.setdefault(violation["id"], (violation.get("impact"), violation["help"], []))
            pages.append(urlsplit(url).path)


def accessibility_report():
    """What axe found, for the test's output: every blocking violation in full, the rest in short."""
    lines = [f"axe-core {axe_version} checked {len(audited)} pages:"]
    lines += [f"  {urlsplit(url).path} — {title}" for url, title in audited]
    for url, violation in blocking:
        lines.append(f"VIOLATION {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  page: {url}")
        lines.append(f"  rule: {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  target: {' '.join(map(str, node['target']))}")
            summary = " ".join(line.strip() for line in (node.get("failureSummary") or "").splitlines() if line.strip())
            if summary:
                lines.append(f"    {summary}")
    for rule, (impact, help, pages) in sorted(minor.items()):
        lines.append(f"note: {rule} ({impact}): {help} on {len(pages)} page(s), e.g. {pages[0]}")
    return "\n".join(lines)


def visit(url):
    driver.get(url)
    audit()


def active():
    return driver.switch_to.active_element


def tab_to(describe, matches, limit=150):
    """Presses Tab until the focused element matches; fails if it never does."""
    audit()
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
        try:
            shown = text in driver.find_element(By.TAG_NAME, "body").text
        except (StaleElementReferenceException, NoSuchElementException):
            # The next page replaced the body while it was read (a form just submitted): read again.
            shown = False
        if shown:
            audit()
            return
        time.sleep(0.1)
    shot("missing-text")
    raise AssertionError(f"'{text}' not shown on {driver.current_url}")


def no_horizontal_scroll():
    # On a phone, content wider than the screen widens the layout viewport itself.
    width, viewport = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert max(width, viewport) <= 320, f"page wider than the phone ({max(width, viewport)}px for 320px) on {driver.current_url}"


def journey():
    visit(base + "/")
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
    # Sent without any address first: the error summary, then the form again, names kept.
    active().send_keys(Keys.ENTER)
    wait_for("Indiquez une adresse électronique ou un téléphone portable")
    no_horizontal_scroll()
    shot("coordonnees-erreur")
    tab_to("email", field("email")).send_keys("lea.navigateur@exemple.fr")
    shot("coordonnees")
    active().send_keys(Keys.ENTER)
    wait_for("Confirmez votre rendez-vous")
    confirmation_url = driver.current_url

    # A mistyped code first: the error, then the right one.
    tab_to("the code field", field("code")).send_keys("000000")
    active().send_keys(Keys.ENTER)
    wait_for("Ce code ne correspond pas")
    shot("code-erreur")
    # Reading the email: the development mailbox shows what would have been sent.
    visit(base + "/dev/courriels")
    code = re.search(r"code de confirmation : (\d{6})", driver.find_element(By.TAG_NAME, "body").text).group(1)
    visit(confirmation_url)
    tab_to("the code field", field("code")).send_keys(code)
    shot("code")
    active().send_keys(Keys.ENTER)
    wait_for("Votre rendez-vous est confirmé")
    no_horizontal_scroll()
    shot("confirme")

    visit(base + "/dev/courriels")
    mails = driver.find_element(By.TAG_NAME, "body").text
    # The path of the link (the test server's public port differs from the one it listens on).
    manage = re.search(r"http\S+(/g/[A-Za-z0-9_-]+)", mails).group(1)
    visit(base + manage)
    wait_for("trois premières lettres")
    tab_to("the name check", field("nom")).send_keys("dup")
    active().send_keys(Keys.ENTER)
    wait_for("Ces lettres ne correspondent pas")
    shot("gerer-erreur")
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
    visit(slot_href.split("/prendre-rdv/coordonnees")[0] + "/prendre-rdv?" + slot_href.split("?", 1)[1].rsplit("&debut=", 1)[0])
    wait_for("Quand ?")
    page = driver.page_source.replace("&amp;", "&")
    assert slot_href.split("?", 1)[1] in page, "the first slot, left by the move, is not offered again"
    assert f"debut={moved_to}" in page, "the cancelled slot is not offered again"
    shot("creneau-libre")


def other_pages():
    """Pages people use outside the booking journey, for axe to check too."""
    parts = urlsplit(base)
    # The consortium's landing page, on the base domain without the département's label.
    visit(f"{parts.scheme}://{parts.hostname.split('.', 1)[1]}:{parts.port}/")
    wait_for("Prendre rendez-vous avec les services sociaux")
    visit(f"{parts.scheme}://{parts.hostname.split('.', 1)[1]}:{parts.port}/statistiques")
    wait_for("Statistiques publiques")
    no_horizontal_scroll()
    for path, text in [
        ("/connexion", "Connexion à l’espace agent"),
        ("/mot-de-passe-oublie", "Mot de passe oublié"),
        ("/mon-compte/connexion", "Connexion à mon espace"),
        ("/page-qui-n-existe-pas", "Code 404"),
    ]:
        visit(base + path)
        wait_for(text)
        no_horizontal_scroll()
    # The sign-up form, sent with two different passwords: its error summary.
    visit(base + "/mon-compte/inscription")
    tab_to("first name", field("first_name")).send_keys("Léa")
    active().send_keys(Keys.TAB, "Martin", Keys.TAB, "lea.inscription@exemple.fr")
    tab_to("password", field("password")).send_keys("une phrase de passe assez longue")
    active().send_keys(Keys.TAB, "une autre phrase de passe")
    active().send_keys(Keys.ENTER)
    wait_for("Les deux mots de passe saisis sont différents")
    no_horizontal_scroll()
    shot("inscription-erreur")


def agent_pages():
    """An agent's working pages, signed in with the keyboard (agents of this role need no second factor)."""
    if len(sys.argv) < 5:
        return
    email, password = sys.argv[3], sys.argv[4]
    visit(base + "/connexion")
    tab_to("email", field("email")).send_keys(email)
    tab_to("password", field("password")).send_keys(password, Keys.ENTER)
    wait_for("Espace agent")
    for path, text in [
        ("/agent", "Espace agent"),
        ("/agenda", "agenda"),
        ("/agenda/a-renseigner", "renseigner"),
        ("/agenda/plages/nouvelle", "plage"),
        ("/agenda/absences/nouvelle", "bsence"),
        ("/creneaux", "réneaux"),
        ("/rdv/nouveau", "endez-vous"),
        ("/usagers", "sager"),
        ("/compte", "ompte"),
    ]:
        visit(base + path)
        wait_for(text)
    shot("espace-agent")


def totp(secret):
    """The current code of RFC 6238 (HMAC-SHA-1, 30-second steps, 6 digits), as the platform checks it."""
    mac = hmac.new(secret, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def console_pages():
    """The console's pages (départements, onboarding, partnership), as an operator signed in with the second factor."""
    if len(sys.argv) < 9:
        return
    email, password, secret, tenant = sys.argv[5], sys.argv[6], bytes.fromhex(sys.argv[7]), sys.argv[8]
    parts = urlsplit(base)
    console = f"{parts.scheme}://console.{parts.hostname.split('.', 1)[1]}:{parts.port}"
    visit(console + "/connexion")
    tab_to("email", field("email")).send_keys(email)
    tab_to("password", field("password")).send_keys(password, Keys.ENTER)
    wait_for("Code")
    tab_to("code", field("code")).send_keys(totp(secret), Keys.ENTER)
    wait_for("À faire pour le partenariat")
    for path, text in [
        ("/partenariat", "Période de financement"),
        ("/partenariat/regles", "Tranche 1"),
        (f"/partenariat/departements/{tenant}", "Sites pilotes"),
        (f"/partenariat/departements/{tenant}/conventions/nouvelle", "Nouvelle convention"),
        ("/partenariat/depenses", "Enregistrer une dépense"),
        ("/partenariat/comites", "Consigner une réunion"),
    ]:
        visit(console + path)
        wait_for(text)
    # A refused payment: the error summary and its link to the convention's own field.
    visit(console + f"/partenariat/departements/{tenant}")
    tab_to("payment amount", lambda e: (e.get_attribute("id") or "").startswith("amount-")).send_keys("zéro", Keys.ENTER)
    wait_for("Montant payé : un montant", timeout=30)
    report = driver.find_element(By.CSS_SELECTOR, "a[href$='/rapport']").get_attribute("href")
    visit(report)
    wait_for("Rapport de gestion")
    shot("rapport-de-gestion")
    visit(console + "/departements")
    wait_for("Registre")
    driver.find_element(By.CSS_SELECTOR, "tbody a").click()
    wait_for("Historique dans le journal du consortium")
    visit(console + "/departements/nouveau")
    tab_to("name", field("name")).send_keys("Mayotte")
    tab_to("code", field("code")).send_keys("99")
    tab_to("slug", field("slug")).send_keys("mayotte")
    tab_to("organisation", field("organisation_name")).send_keys("PMI de Mamoudzou")
    tab_to("admin first name", field("admin_first_name")).send_keys("Zaïna", Keys.TAB, "Abdou", Keys.TAB, "z.abdou@cg976.fr", Keys.ENTER)
    wait_for("Le code INSEE du département est 01 à 95")
    no_horizontal_scroll()
    shot("console-ouverture-erreur")


def stats_pages():
    """The steering committee's statistics on stats., signed in with the keyboard (no second factor for this role)."""
    if len(sys.argv) < 10:
        return
    parts = urlsplit(base)
    stats = f"{parts.scheme}://stats.{parts.hostname.split('.', 1)[1]}:{parts.port}"
    visit(stats + "/connexion")
    tab_to("email", field("email")).send_keys(sys.argv[9])
    tab_to("password", field("password")).send_keys(sys.argv[4], Keys.ENTER)
    wait_for("Pilotage du consortium")
    no_horizontal_scroll()
    shot("statistiques")
    tab_to("first département's statistics", lambda element: "/statistiques/departements/" in (element.get_attribute("href") or "")).send_keys(Keys.ENTER)
    wait_for("Chiffres anonymes du département")
    no_horizontal_scroll()
    shot("statistiques-departement")


try:
    journey()
    other_pages()
    agent_pages()
    console_pages()
    stats_pages()
finally:
    driver.quit()
    report = accessibility_report()
    print(report)
    with open(os.path.join(shots, "axe.txt"), "w", encoding="utf-8") as file:
        file.write(report + "\n")
if blocking:
    sys.exit(f"{len(blocking)} accessibility violations of impact serious or critical (listed above)")
print("booked by keyboard, confirmed, moved and cancelled by link; slot free again; agent pages visited; console visited; statistics visited; axe found nothing serious")
