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

from selenium.webdriver.common.by import By

from browser_support import Browser

base, shots, email, password, csv_file = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
browser = Browser(shots, "import", phone=False)
driver = browser.driver
try:
    driver.get(base + "/connexion")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    browser.wait_for("Importer des usagers")
    driver.get(base + "/usagers/import")
    browser.wait_for("La première ligne nomme les colonnes")
    driver.find_element(By.ID, "import-file").send_keys(os.path.abspath(csv_file))
    driver.find_element(By.XPATH, "//button[contains(., 'Voir l’aperçu')]").click()
    browser.wait_for("Aperçu : 3 personnes dans le fichier")
    assert "1 avec une fiche au même nom, prénom et date de naissance" in browser.body(), browser.body()
    browser.shot("01-apercu")
    driver.find_element(By.XPATH, "//button[contains(., 'Importer les 3 lignes')]").click()
    browser.wait_for("Import terminé")
    assert "2 fiches créées · 1 fiche complétée · 0 ligne ignorée" in browser.body(), browser.body()
    browser.shot("02-termine")
finally:
    browser.close()
browser.report("imported from the browser: 2 created, 1 completed; axe found nothing serious")
