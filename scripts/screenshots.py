"""Screenshots of each flow, taken by headless Chromium against the demo database
(`make demo` running on 127.0.0.1:8069), saved under
sales_coordination/static/description/ for the README. Each at the size its
role works at: 1400x900 for coordinators and managers, 375x667 (a phone) for
field advisors.

Drives Chromium over the DevTools protocol with websocket-client, the package
Odoo's own browser tours use.

Usage: python scripts/screenshots.py [--url http://127.0.0.1:8069]
"""

import argparse
import base64
import itertools
import json
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket

OUT = pathlib.Path(__file__).resolve().parent.parent / (
    "sales_coordination/static/description"
)
# (file, login, path, what to wait for before the picture[, step]): a step is
# a list of search filters to toggle, or (a selector to click, what to wait for then).
SHOTS = [
    (
        "intake.png",
        "coordinator1",
        "/odoo/action-sales_coordination.sales_lead_intake_action",
        ".modal .o_form_view",
    ),
    (
        "calendar.png",
        "coordinator1",
        "/odoo/action-sales_coordination.calendar_event_action_sales",
        ".o_calendar_renderer",
    ),
    ("debriefs_due.png", "coordinator1", "/odoo/debriefs-due", ".o_list_view"),
    (
        "next_call.png",
        "coordinator1",
        "/odoo/next-call",
        ".modal .o_form_view, .o_notification",
    ),
    ("call_queue.png", "coordinator1", "/odoo/follow-ups", ".o_list_view"),
    # The week: the demo's visits (Tuesday to Thursday) and what is left, any day.
    (
        "dispatch_board.png",
        "coordinator1",
        "/odoo/dispatch-board",
        ".o_sales_dispatch_grid, .o_sales_dispatch_empty",
        (".o_sales_dispatch_scale_week", ".o_sales_dispatch_week"),
    ),
    (
        "leads_by_source.png",
        "manager",
        "/odoo/action-sales_coordination.sales_report_source_action",
        ".o_pivot, .o_graph_renderer",
    ),
    (
        "coordinator_board.png",
        "manager",
        "/odoo/coordinator-board",
        ".o_sales_board .o_kanban_record",
    ),
    ("source_funnel.png", "manager", "/odoo/source-funnel", ".o_pivot"),
    ("funnel_picture.png", "manager", "/odoo/funnel-picture", ".o_graph_renderer"),
    ("marketing_spend.png", "manager", "/odoo/marketing-spend", ".o_list_view"),
    ("advisor_performance.png", "manager", "/odoo/advisor-performance", ".o_pivot"),
    (
        "inbound_integrations.png",
        "manager",
        "/odoo/inbound-integrations",
        ".o_list_view, .o_view_nocontent",
    ),
    # The demo's visits run from Tuesday to Thursday: the week shows some any day.
    (
        "my_day.png",
        "advisor1",
        "/odoo/my-day",
        ".o_sales_advisor_day",
        ["Today", "This Week"],
    ),
]
# Filters of the search panel toggled (by their label) before a picture, on a
# desk or a phone (where the search bar opens from its magnifier first).
TOGGLE_FILTERS = """
(async (names) => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 800));
    const toggler = () => document.querySelector(".o_searchview_dropdown_toggler");
    if (!toggler()) {
        const buttons = [...document.querySelectorAll(".o_control_panel button")];
        buttons.find((button) => button.querySelector("[class*=search]")).click();
        await pause();
    }
    toggler().click();
    await pause();
    for (const name of names) {
        const items = [...document.querySelectorAll(".o-dropdown-item")];
        items.find((item) => item.textContent.trim() === name).click();
        await pause();
    }
    toggler().click();
    await pause();
})(%s)
"""
# (width, height, mobile) of the browser, by the login's role.
DESK = (1400, 900, False)
PHONE = (375, 667, True)


def screen_of(login):
    return PHONE if login.startswith("advisor") else DESK


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.ids = itertools.count(1)

    def call(self, method, **params):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.25)
        raise TimeoutError(f"nothing matched {selector!r}")

    def goto(self, url):
        self.call("Page.navigate", url=url)
        time.sleep(1)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    port = free_port()
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}",
            "--window-size=1400,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                targets = json.load(
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/json")
                )
                break
            except OSError:
                time.sleep(0.5)
        page_target = next(t for t in targets if t["type"] == "page")
        page = Page(page_target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        logged_in = screen = None
        OUT.mkdir(parents=True, exist_ok=True)
        for name, login, path, ready, *steps in SHOTS:
            if screen_of(login) != screen:
                screen = screen_of(login)
                width, height, mobile = screen
                page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=1,
                    mobile=mobile,
                )
            if login != logged_in:
                page.call("Network.enable")
                page.call("Network.clearBrowserCookies")
                page.goto(f"{args.url}/web/login")
                page.wait_for("input[name=login]")
                # Demo passwords are the logins.
                field = "document.querySelector('input[name=%s]').value = %s;"
                page.evaluate(
                    field % ("login", json.dumps(login))
                    + field % ("password", json.dumps(login))
                    + "document.querySelector('form.oe_login_form').submit();"
                )
                page.wait_for(".o_main_navbar, .o_home_menu")
                logged_in = login
            page.goto(args.url + path)
            page.wait_for(ready)
            for step in steps:
                if isinstance(step, tuple):
                    click, then = step
                    page.evaluate(
                        f"document.querySelector({json.dumps(click)}).click()"
                    )
                    page.wait_for(then)
                else:
                    page.evaluate(TOGGLE_FILTERS % json.dumps(step))
            time.sleep(1.5)  # let lists and charts settle
            # The bus warns of "out of date" assets right after `make demo`
            # built them: not part of the flow.
            page.evaluate(
                "document.querySelectorAll('.o_notification').forEach(n => "
                "n.textContent.includes('out of date') && n.remove())"
            )
            shot = page.call("Page.captureScreenshot", format="png")
            (OUT / name).write_bytes(base64.b64decode(shot["data"]))
            print(f"{name}: {login} at {path} ({screen[0]}x{screen[1]})")
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
