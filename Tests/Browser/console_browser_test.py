#!/usr/bin/python3
"""Drives the operator console in headless Chromium, as an operator would.

usage: console_browser_test.py SMTP_CONNECTOR_BINARY [SCREENSHOT_DIR]

Starts `smtp-connector console --dev-server --config FILE` on a free loopback port, then: opens the
printed URL; picks the Gmail preset and sees its missing credentials marked at their fields; picks
the Local DevServer, types a bad From address and sees the problem at that field, fixes it; sends a
ForgotPassword test and reads the Message-ID in the status; finds the message in the Inbox without
a reload and opens its HTML view (a sandboxed frame) and its checks; saves the config (mode 0600).
Fails loudly (exit 1) when Chromium, chromedriver or Selenium is missing: it never skips.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    sys.exit(f"FAIL: python3-selenium is missing ({error}); install chromium chromium-driver python3-selenium")

WAIT = 60  # seconds; generous for a busy 2-core machine running the rest of the suite beside it


def find(tool_names):
    for name in tool_names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    sys.exit(f"FAIL: none of {tool_names} is installed; install chromium chromium-driver python3-selenium")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    binary = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 else None
    chromium = find(["chromium", "chromium-browser", "/usr/bin/chromium"])
    driver_path = find(["chromedriver", "/usr/bin/chromedriver"])
    workdir = tempfile.mkdtemp(prefix="console-browser-")
    config_file = os.path.join(workdir, "connector.json")
    console = subprocess.Popen([binary, "console", "--dev-server", "--config", config_file],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    driver = None
    try:
        first = console.stdout.readline().strip()
        check(first.startswith("console: http://127.0.0.1:"), f"first line is not 'console: URL': {first!r} {console.stderr.read() if console.poll() is not None else ''}")
        url = first.split(" ", 1)[1]
        base = url.split("/?", 1)[0]

        # Without the token the console answers 403, even for the page.
        try:
            urllib.request.urlopen(base + "/", timeout=WAIT)
            raise AssertionError("the page was served without the token")
        except urllib.error.HTTPError as error:
            check(error.code == 403, f"expected 403 without the token, got {error.code}")

        options = Options()
        options.binary_location = chromium
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                         f"--user-data-dir={workdir}/profile"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        wait = WebDriverWait(driver, WAIT)
        driver.get(url)

        picker = wait.until(EC.presence_of_element_located((By.ID, "connector")))
        wait.until(lambda d: len(Select(picker).options) > 3)
        ids = [option.get_attribute("value") for option in Select(picker).options]
        check({"smtp", "gmail", "sendgrid", "aliyun-directmail", "devserver"} <= set(ids), f"connectors offered: {ids}")

        def field(key):
            return driver.find_element(By.NAME, key)

        def problem_at(key):
            element = field(key)
            if element.get_attribute("aria-invalid") != "true":
                return None
            described = element.get_attribute("aria-describedby") or ""
            texts = [driver.find_element(By.ID, ident).text for ident in described.split()]
            return " ".join(texts) or None

        # Gmail: its short form, and its required credentials marked where they belong.
        Select(picker).select_by_value("gmail")
        wait.until(lambda d: d.find_elements(By.NAME, "variant"))
        check(field("auth.pass").get_attribute("type") == "password", "the app password is not a password field")
        message = wait.until(lambda d: problem_at("auth.user"))
        check("Gmail" in message, f"the auth.user problem does not name the preset: {message!r}")
        check(not driver.find_elements(By.NAME, "host"), "the Gmail form shows host, which the preset sets")
        if shots:
            driver.save_screenshot(os.path.join(shots, "console-gmail.png"))

        # The Local DevServer: a bad From address is marked at its field, then fixed.
        Select(picker).select_by_value("devserver")
        wait.until(lambda d: d.find_elements(By.NAME, "fromEmail"))
        field("fromEmail").send_keys("not-an-address")
        try:
            message = wait.until(lambda d: "email address" in (problem_at("fromEmail") or "") and problem_at("fromEmail"))
        except Exception:
            raise AssertionError(f"the bad From address was not marked at its field: {problem_at('fromEmail')!r}")
        source = driver.find_element(By.ID, "field-templates-source").text
        check("preset devserver" in source, f"templates do not say they come from the preset: {source!r}")
        if shots:
            driver.save_screenshot(os.path.join(shots, "console-validation.png"))
        field("fromEmail").clear()
        field("fromEmail").send_keys("Acme <no-reply@acme.test>")
        wait.until(lambda d: field("fromEmail").get_attribute("aria-invalid") != "true")

        # A test send: the status shows the Message-ID and the server's reply.
        driver.find_element(By.NAME, "testRecipient").send_keys("ada@example.test")
        Select(driver.find_element(By.ID, "usageType")).select_by_value("ForgotPassword")
        driver.find_element(By.XPATH, "//button[normalize-space()='Send test']").click()
        status = driver.find_element(By.CSS_SELECTOR, "[role=status]#status")
        wait.until(lambda d: "Message-ID" in status.text or "Not sent" in status.text)
        check("Message-ID" in status.text and "250" in status.text, f"the test send failed: {status.text!r}")
        if shots:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", status)
            driver.save_screenshot(os.path.join(shots, "console-sent.png"))

        # Diagnose: every step passes against the DevServer.
        driver.find_element(By.XPATH, "//button[normalize-space()='Diagnose']").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doctor tbody tr"))
        steps = {row.get_attribute("data-step"): row.find_elements(By.TAG_NAME, "td")[1].text for row in driver.find_elements(By.CSS_SELECTOR, "#doctor tbody tr")}
        check(steps and all(result in ("pass", "skip", "warn") for result in steps.values()), f"doctor steps: {steps}")

        # The inbox shows it without a reload; its HTML opens in a sandboxed frame.
        driver.find_element(By.ID, "inbox-tab").click()
        row = wait.until(lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, "#message-list tbody tr") if "ForgotPassword" in r.text), None))
        check("ada@example.test" in row.text, f"the inbox row lacks the recipient: {row.text!r}")
        row.click()
        frame = wait.until(EC.presence_of_element_located((By.ID, "message-html")))
        check(frame.get_attribute("sandbox") == "", f"the HTML frame is not fully sandboxed: {frame.get_attribute('sandbox')!r}")
        driver.switch_to.frame(frame)
        wait.until(lambda d: "000000" in d.find_element(By.TAG_NAME, "body").text)
        driver.switch_to.default_content()
        if shots:
            driver.save_screenshot(os.path.join(shots, "console-inbox.png"))
        driver.find_element(By.CSS_SELECTOR, "#message-view [data-part=checks]").click()
        code_check = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#message-checks tr[data-check=code]"))
        check("pass" in code_check.text and "000000" in code_check.text, f"code check: {code_check.text!r}")
        driver.find_element(By.CSS_SELECTOR, "#message-view [data-part=transcript]").click()
        transcript = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#message-part pre")).text
        check("STARTTLS" in transcript and "TLS established" in transcript, "the transcript lacks the STARTTLS exchange")

        # Preview: every usage type, with the template picked and why.
        driver.find_element(By.CSS_SELECTOR, "nav [data-view=preview]").click()
        driver.find_element(By.ID, "run-preview").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview-table tbody tr")) >= 9)
        if shots:
            driver.save_screenshot(os.path.join(shots, "console-preview.png"))

        # Save: the file is written with mode 0600, the DevServer's values in full (its preset lives only in this run).
        driver.find_element(By.CSS_SELECTOR, "nav [data-view=configure]").click()
        driver.find_element(By.XPATH, "//button[normalize-space()='Save']").click()
        wait.until(lambda d: "Saved to" in status.text)
        mode = stat.S_IMODE(os.stat(config_file).st_mode)
        check(mode == 0o600, f"the saved config has mode {oct(mode)}")
        with open(config_file) as handle:
            saved = json.load(handle)
        check("preset" not in saved and saved.get("host") == "127.0.0.1" and saved.get("fromEmail") == "Acme <no-reply@acme.test>"
              and saved.get("tls", {}).get("ca", "").startswith("-----BEGIN CERTIFICATE-----"), f"saved: {saved}")

        # The strict policy held: no script or style was refused, and nothing failed in the page.
        problems = [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE",)]
        check(not problems, f"the browser console reported: {problems}")
        print("console browser test: ok")
    except Exception:
        if driver is not None:
            print("browser log:", driver.get_log("browser"), file=sys.stderr)
            print("page text:", driver.find_element(By.TAG_NAME, "body").text[:2000], file=sys.stderr)
        raise
    finally:
        if driver is not None:
            driver.quit()
        console.terminate()
        try:
            out, err = console.communicate(timeout=WAIT)
            if console.returncode not in (0, -15):
                print(f"console exited with {console.returncode}: {err}", file=sys.stderr)
        except subprocess.TimeoutExpired:
            console.kill()
            raise AssertionError("the console did not stop on SIGTERM")
        shutil.rmtree(workdir, ignore_errors=True)
    if "console stopped" not in out:
        raise AssertionError(f"the console did not stop cleanly: {out!r}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        sys.exit(f"FAIL: {failure}")
