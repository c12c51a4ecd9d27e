"""Shared pytest configuration. Test data lives in tests/data (copied from ../shared/data).

The HTTP fixtures follow Flask's own ``tests/conftest.py``: ``app`` (the service with the
default settings), ``client`` (a test client of it) and ``make_client`` (a client of an
app built with other settings). Every app offers ``tests/data/web`` as the web page's
bundled fixtures and ignores ``PODFIT_*`` variables of the environment the tests run in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from podfit.http.app import create_app
from podfit.http.config import ServiceConfig

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "fixtures"
WEB_DATA = DATA / "web"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def _build_app(**settings: Any) -> Flask:
    """The service with ``settings`` (ServiceConfig fields) over the defaults."""
    app = create_app(ServiceConfig(**settings))
    app.config.update(PODFIT_FIXTURES_DIR=str(WEB_DATA))
    return app


@pytest.fixture(scope="module")
def app() -> Flask:
    """The service with the default settings, shared by a module's tests."""
    return _build_app()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def make_client() -> Callable[..., FlaskClient]:
    """``make_client(max_pods=10)``: a test client of a new app with those settings."""

    def make(**settings: Any) -> FlaskClient:
        return _build_app(**settings).test_client()

    return make
