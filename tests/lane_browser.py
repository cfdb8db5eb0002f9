"""Driving the POS page in headless Chromium (Debian's `chromium`) as a cashier would."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.processes import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # a common lane touch screen


def chromium_path() -> str:
    """Debian's chromium (make test and make bench install it); CHROMIUM may name another build."""
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        raise RuntimeError(
            "the browser tests need Chromium (Debian's chromium, or CHROMIUM naming a build): "
            "make test and make bench install it, or python3 deploy/local/system_packages.py test"
        )
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


class Lane:
    """One browser tab on the lane page, with what went wrong in its script."""

    def __init__(self, browser: Browser, store_url: str, screenshots: Path) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        self.page: Page = self.context.new_page()
        self.store_url = store_url
        self.screenshots = screenshots
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.page.on("dialog", lambda dialog: dialog.dismiss())
        # Printing opens no dialog in a headless browser; record that it was asked for.
        self.page.add_init_script(
            "window.print = () => { window.top.printed = (window.top.printed || 0) + 1; };"
        )

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)

    def set_up(self, token: str) -> None:
        self.page.goto(f"{self.store_url}/pos/")
        self.page.fill("#id_token", token)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/pos/sign-in$"))

    def sign_in(self, code: str, pin: str) -> None:
        self.page.fill("#id_code", code)
        self.page.fill("#id_pin", pin)
        self.page.click("#sign-in button[type=submit]")

    def ready(self) -> None:
        self.page.wait_for_selector("body[data-ready=true]")

    def open_shift_if_asked(self, opening_float: str = "150.00") -> None:
        if self.page.locator("#field-opening_float").is_visible():
            self.page.fill("#field-opening_float", opening_float)
            self.page.click("#form button[type=submit]")
            self.page.wait_for_selector("#shift-status:has-text('Shift since')")

    def wedge(self, code: str) -> None:
        """What a USB keyboard-wedge scanner does: a fast burst of keys, then Enter."""
        self.page.keyboard.type(code, delay=2)
        self.page.keyboard.press("Enter")

    def lines(self) -> list[str]:
        return self.page.locator("#lines tr.line").all_inner_texts()

    def wait_lines(self, count: int) -> None:
        wait_true(self.page, f"document.querySelectorAll('#lines tr.line').length === {count}")

    def message(self) -> str:
        return self.page.inner_text("#message")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"))

    def close(self) -> None:
        self.context.close()


def wait_true(page: Page, expression: str, timeout: float = 30.0) -> None:
    """Wait until a script expression holds on the page. (Playwright's wait_for_function
    evaluates a string inside the page, which the pages' Content-Security-Policy forbids;
    `evaluate` comes from the browser's debugger and is not the page's script.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {expression}")
        time.sleep(0.02)


def screenshots_dir(tmp: Path) -> Path:
    """docs/screenshots when UPDATE_SCREENSHOTS=1 (to refresh the README's), else a temp dir."""
    target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target
