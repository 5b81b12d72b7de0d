"""What the short browser scripts share: a headless Chromium (a 320 px phone or a desktop
window), axe-core's audit of each page reached, and waiting for a text to show.

CHROMIUM and CHROMEDRIVER may name other binaries; AXE_SCRIPT another axe.min.js than the one
axe-selenium-python ships.
"""
import os
import sys
import time

import axe_selenium_python
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

PHONE_WIDTH = 320


class Browser:
    def __init__(self, shots, name, phone):
        self.shots, self.name = shots, name
        os.makedirs(shots, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=fr-FR"):
            options.add_argument(argument)
        if phone:
            options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": PHONE_WIDTH, "height": 640, "pixelRatio": 2}})
        else:
            options.add_argument("--window-size=1280,1000")
        self.driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        self.driver.set_page_load_timeout(30)
        self.axe = Axe(self.driver, script_url=os.environ.get("AXE_SCRIPT") or os.path.join(
            os.path.dirname(axe_selenium_python.__file__), "node_modules", "axe-core", "axe.min.js"))
        self.blocking = []

    def audit(self):
        """axe-core on the page shown; violations of impact serious or critical are kept."""
        self.axe.inject()
        for violation in self.axe.run()["violations"]:
            if violation["impact"] in ("critical", "serious"):
                targets = ", ".join(str(node["target"]) for node in violation["nodes"])
                self.blocking.append(f"{self.driver.current_url}: {violation['id']} ({violation['impact']}): {violation['help']} ({targets})")

    def body(self):
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except (StaleElementReferenceException, NoSuchElementException):
            return ""

    def wait_for(self, text, timeout=20):
        """Waits until the page shows `text`, then audits it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.body():
                self.audit()
                return
            time.sleep(0.1)
        self.shot("missing-text")
        raise AssertionError(f"'{text}' not shown on {self.driver.current_url}:\n{self.body()}")

    def shot(self, step):
        self.driver.save_screenshot(os.path.join(self.shots, f"{self.name}-{step}.png"))

    def press(self, label, limit=60):
        """Tabs to the button whose text holds `label`, then presses Enter."""
        for _ in range(limit):
            self.driver.switch_to.active_element.send_keys(Keys.TAB)
            element = self.driver.switch_to.active_element
            if element.tag_name == "button" and label in element.text:
                element.send_keys(Keys.ENTER)
                return
        raise AssertionError(f"Tab never reached the button '{label}' on {self.driver.current_url}")

    def no_horizontal_scroll(self):
        width, viewport = self.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert max(width, viewport) <= PHONE_WIDTH, f"page wider than the phone ({max(width, viewport)}px) on {self.driver.current_url}"

    def close(self):
        self.driver.quit()

    def report(self, done):
        """After the journey: fails the run on a blocking violation, or prints `done`."""
        if self.blocking:
            print("\n".join(self.blocking))
            sys.exit(f"{len(self.blocking)} accessibility violations of impact serious or critical")
        print(done)
