"""Fixtures for driving the app through its API: gradio_client clients, and the reference the
numbers are checked against (tests/helpers.py: the shipped checkpoint loaded straight from disk).

The server itself (`app_url`) is in tests/conftest.py, shared with the browser tests.
"""

from __future__ import annotations

import pytest
from helpers import reference  # noqa: F401 (a fixture)


@pytest.fixture(scope="session")
def client(app_url):
    """One API client for the whole run. gradio keeps a gr.State per client (session hash), so
    tests that change the session's language or model must use `fresh_client` instead."""
    from gradio_client import Client

    return Client(app_url, verbose=False, download_files=True)


@pytest.fixture(scope="module")
def module_client(app_url):
    """A client of one test module: a session of its own, so a model trained, uploaded or picked by
    another module's tests never changes what this module checks against the shipped checkpoint."""
    from gradio_client import Client

    return Client(app_url, verbose=False, download_files=True)


@pytest.fixture
def fresh_client(app_url):
    """A client with a session of its own (a new browser tab, as far as the app can tell)."""
    from gradio_client import Client

    return Client(app_url, verbose=False)
