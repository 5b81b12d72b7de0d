#!/usr/bin/env python3
"""A secretariat imports usagers from a spreadsheet's CSV in a headless Chromium: signs in,
chooses the file, reads the preview (the first lines, the record that may be the same person),
imports. The file goes back to the server from the preview's hidden field: this checks that a
real browser returns it whole (quotes, a line break inside a quoted field, CRLF line ends).
Run by the Swift test UsagerImportBrowserTests against a live server.

axe-core checks each page; a violation of impact serious or critical fails the run.

Usage: import_usagers.py BASE_URL SCREENSHOT_DIR EMAIL PASSWORD CSV_FILE
"""
import os
import sys
import time

import axe_selenium_python
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

base, shots, email, password, csv_file = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
os.makedirs(shots, exist_ok=True)

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=fr-FR", "--window-size=1280,1000"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
axe = Axe(driver, script_url=os.environ.get("AXE_SCRIPT") or os.path.join(
    os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js"))
blocking = []


def audit():
    axe.inject()
    for violation in axe.run()["violations"]:
        if violation["impact"] in ("critical", "serious"):
            targets = ", ".join(str(node["target"]) for node in violation["nodes"])
            blocking.append(f"{driver.current_url}: {violation['id']} ({violation['impact']}): {violation['help']} ({targets})")


def body():
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except (StaleElementReferenceException, NoSuchElementException):
        return ""


def wait_for(text, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in body():
            audit()
            return
        time.sleep(0.1)
    driver.save_screenshot(os.path.join(shots, "import-missing-text.png"))
    raise AssertionError(f"'{text}' not shown on {driver.current_url}:\n{body()}")


try:
    driver.get(base + "/connexion")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for("Importer des usagers")
    driver.get(base + "/usagers/import")
    wait_for("La première ligne nomme les colonnes")
    driver.find_element(By.ID, "import-file").send_keys(os.path.abspath(csv_file))
    driver.find_element(By.XPATH, "//button[contains(., 'Voir l’aperçu')]").click()
    wait_for("Aperçu : 3 personnes dans le fichier")
    assert "1 avec une fiche au même nom, prénom et date de naissance" in body(), body()
    driver.save_screenshot(os.path.join(shots, "import-01-apercu.png"))
    with open(os.path.join(shots, "import-01-apercu.html"), "w") as page:
        page.write(driver.page_source)
    driver.find_element(By.XPATH, "//button[contains(., 'Importer les 3 lignes')]").click()
    wait_for("Import terminé")
    assert "2 fiches créées · 1 fiche complétée · 0 ligne ignorée" in body(), body()
    driver.save_screenshot(os.path.join(shots, "import-02-termine.png"))
finally:
    driver.quit()
if blocking:
    print("\n".join(blocking))
    sys.exit(f"{len(blocking)} accessibility violations of impact serious or critical")
print("imported from the browser: 2 created, 1 completed; axe found nothing serious")
