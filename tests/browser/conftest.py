"""Browser tests with pytest-playwright and Debian's Chromium (never `playwright install`).

The app server is `app_url` from tests/conftest.py (in-process, free port, a snapshot of the
shipped checkpoint), shared with tests/app. Every page gets a 1280x800 viewport, the size the
screenshots in the README are taken at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "assets" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-US"}


class ConsoleErrors(list):
    """Console messages of type 'error' and uncaught page errors, as 'kind: text' strings."""


@pytest.fixture(autouse=True)
def patient_page(request):
    """Clicks and fills wait as long as the tests' own waits (a busy CI machine is slow)."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(45_000)


@pytest.fixture
def console_errors(page) -> ConsoleErrors:
    errors = ConsoleErrors()
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
