#!/usr/bin/env python3
"""Browser tests of Apex's web pages, run by scripts/browser-tests.sh (which starts the server).

Seeds users and projects through the HTTP API, then drives Debian's chromium through Selenium:
sign in by a one-time link, the projects list, a project, its history, compare two versions,
revert with a reason, an edit made through the API by another user appearing without a reload
(with the "no longer the latest" warning and presence), the audit page, a client getting the
404 page for another client's project, sign-out. Every page: no console errors. A screenshot of
each page goes to docs/screenshots/. Exits non-zero on the first failure.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["APEX_BASE"]
CLI = os.environ["APEX_CLI"]
SHOTS = os.environ["APEX_SCREENSHOTS"]
OWNER = json.loads(os.environ["APEX_OWNER_JSON"])


def api(method, path, token, body=None, expect=(200, 201, 204)):
    """Calls the JSON API; fails the run on an unexpected status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        fail(f"{method} {path} answered {status}: {text}")
    return json.loads(text) if text else None


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok - " + message)


def join(role, name, email):
    """Invites a user through the API and accepts the invitation: (user id, bearer token)."""
    invited = api("POST", "/v1/invitations", OWNER["token"], {"email": email, "role": role, "name": name})
    joined = api("POST", "/v1/invitations/accept", "", {"token": invited["token"], "name": name})
    return joined["user_id"], joined["token"]


def sign_in_link(user_id):
    """A one-time link from the command line, as an operator prints it."""
    out = subprocess.run([CLI, "token", "issue", "--user", user_id, "--sign-in-link"], check=True, capture_output=True, text=True)
    link = out.stdout.strip()
    check(link.startswith(BASE + "/ui/sign-in?token="), f"apex-cli token issue --sign-in-link prints a link on APEX_PUBLIC_URL ({link[:60]}...)")
    return link


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def no_console_errors(driver, page, allow=()):
    """Fails on any SEVERE browser-log entry not expected (e.g. the 404 of a page meant to be 404)."""
    entries = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    unexpected = [e for e in entries if not any(a in e.get("message", "") for a in allow)]
    check(not unexpected, f"{page}: no console errors {[e['message'] for e in unexpected]}")


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def wait(driver, seconds=10):
    return WebDriverWait(driver, seconds)


def main():
    owner_token = OWNER["token"]
    admin_id, admin_token = join("admin", "Ana Admin", "ana@example.com")
    client_a, _ = join("client", "Carlos Client", "carlos@example.com")
    client_b, _ = join("client", "Beatriz Client", "beatriz@example.com")
    tower = api("POST", "/v1/projects", owner_token, {"name": "Sign tower, Route 9", "description": "Pylon sign, 12 m", "client_id": client_a, "tags": ["sign"]})
    pid = tower["id"]
    api("PATCH", f"/v1/projects/{pid}", owner_token, {"description": "Pylon sign, 14 m, two faces"})
    api("PATCH", f"/v1/projects/{pid}", owner_token, {"name": "Sign tower, Route 9 north", "tags": ["sign", "wind"]})
    api("POST", f"/v1/projects/{pid}/calculations", owner_token, {"type": "wind_velocity_pressure", "inputs": {"V": 115, "exposure": "C", "z": 15}})
    other = api("POST", "/v1/projects", owner_token, {"name": "Canopy, Beatriz's site", "client_id": client_b})

    driver = browser()
    try:
        # Sign in by link: GET shows a button, POST signs in.
        driver.get(sign_in_link(OWNER["user_id"]))
        wait(driver).until(EC.presence_of_element_located((By.ID, "confirm-sign-in")))
        shot(driver, "sign-in")
        no_console_errors(driver, "sign-in")
        driver.find_element(By.ID, "confirm-sign-in").click()
        wait(driver).until(EC.presence_of_element_located((By.ID, "projects")))
        check("Sign tower, Route 9 north" in driver.find_element(By.ID, "projects").text, "the projects list shows the project")
        cookie = driver.get_cookie("apex_session")
        check(cookie and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
        shot(driver, "projects")
        no_console_errors(driver, "projects")

        driver.get(f"{BASE}/ui/projects?q=canopy")
        check("Canopy" in driver.find_element(By.ID, "projects").text and "Sign tower" not in driver.find_element(By.ID, "projects").text,
              "the search box narrows the list")

        driver.get(f"{BASE}/ui/projects/{pid}")
        wait(driver).until(EC.presence_of_element_located((By.ID, "project-name")))
        check("two faces" in driver.page_source, "the project page shows its fields")
        check("wind_velocity_pressure" in driver.page_source, "the project page shows its calculations")
        check("Carlos Client" in driver.page_source, "the project page names its client")
        shot(driver, "project")
        no_console_errors(driver, "project")

        # History: three events, live connected.
        driver.get(f"{BASE}/ui/projects/{pid}/history")
        wait(driver).until(lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "open")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#timeline .entry")) == 4, "the history shows every event (4)")
        shot(driver, "history")
        no_console_errors(driver, "history")

        # Compare v1 with v3, then revert to v1 with a reason.
        driver.get(f"{BASE}/ui/projects/{pid}/compare?from=1&to=4")
        rows = driver.find_elements(By.CSS_SELECTOR, "#comparison tr.changed")
        check(any("description" in r.text for r in rows) and any("name" in r.text for r in rows), "compare marks the changed fields")
        shot(driver, "compare")
        no_console_errors(driver, "compare")
        driver.find_element(By.ID, "reason").send_keys("Client withdrew the north-face change")
        driver.find_element(By.ID, "revert").click()
        wait(driver).until(EC.presence_of_element_located((By.ID, "notice")))
        check("Reverted" in driver.find_element(By.ID, "notice").text, "the revert is confirmed")
        check("Client withdrew the north-face change" in driver.find_element(By.ID, "timeline").text, "the reason is in the history")
        wait(driver).until(lambda d: d.find_element(By.ID, "live-status").get_attribute("data-state") == "open")

        # Another user edits through the API, and has the project open: both appear without a reload.
        marker = driver.execute_script("document.body.dataset.marker = 'same-page'; return document.body.dataset.marker")
        api("POST", f"/v1/projects/{pid}/presence", admin_token)
        api("PATCH", f"/v1/projects/{pid}", admin_token, {"description": "Pylon sign, 14 m, one face"})
        wait(driver, 15).until(EC.presence_of_element_located((By.ID, "v6")))
        check(driver.execute_script("return document.body.dataset.marker") == marker, "the new event appeared without a reload")
        check("Ana Admin" in driver.find_element(By.ID, "v6").text, "the live entry names who made the edit")
        check("one face" in driver.find_element(By.ID, "v6").text, "the live entry shows what changed")
        wait(driver).until(lambda d: d.find_element(By.ID, "stale").is_displayed())
        check("6" in driver.find_element(By.ID, "stale").text, "the page warns that its version is no longer the latest")
        wait(driver, 15).until(lambda d: "Ana Admin" in d.find_element(By.ID, "presence").text)
        check(True, "presence shows the other user viewing")
        shot(driver, "history-live")
        no_console_errors(driver, "history (live)")

        driver.get(f"{BASE}/ui/audit")
        wait(driver).until(EC.presence_of_element_located((By.ID, "audit")))
        driver.find_element(By.ID, "verify").click()
        wait(driver).until(EC.presence_of_element_located((By.ID, "verify-result")))
        check("ok" in driver.find_element(By.ID, "verify-result").get_attribute("class"), "the audit page's verification passes")
        shot(driver, "audit")
        no_console_errors(driver, "audit")

        driver.find_element(By.ID, "sign-out").click()
        wait(driver).until(lambda d: "/ui/signed-out" in d.current_url)
        driver.get(f"{BASE}/ui/projects")
        check("/ui/projects" in driver.current_url and "Sign tower" not in driver.page_source, "after sign-out the pages need a new sign-in")
        driver.delete_all_cookies()
        driver.get_log("browser")  # the expected 401 above is not an error of the pages

        # A client sees their project, and the same 404 page for another client's.
        driver.get(sign_in_link(client_a))
        driver.find_element(By.ID, "confirm-sign-in").click()
        wait(driver).until(EC.presence_of_element_located((By.ID, "projects")))
        listed = driver.find_element(By.ID, "projects").text
        check("Sign tower" in listed and "Canopy" not in listed, "a client's list holds only their projects")
        no_console_errors(driver, "client projects")
        driver.get(f"{BASE}/ui/projects/{other['id']}")
        check(driver.find_element(By.ID, "problem-code").text == "not_found", "another client's project is the 404 page")
        check("Canopy" not in driver.page_source, "the 404 page shows nothing of the project")
        shot(driver, "not-found")
        no_console_errors(driver, "404 page", allow=(f"/ui/projects/{other['id']}",))
    finally:
        driver.quit()
    print("browser tests passed")


if __name__ == "__main__":
    main()
