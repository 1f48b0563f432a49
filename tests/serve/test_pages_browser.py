"""The pages of kg serve in a real browser: Debian's chromium driven by Playwright (skipped
where chromium is missing), against ``kg serve`` itself on a free port of 127.0.0.1.
Screenshots go to a temporary folder (KG_SCREENSHOTS names another, to look at them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kgserve import KgServer

from kg.build.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://example.org/kg/"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

SEED = "/article/bcf96571b94ec4a4"
PAGES = {
    "article": SEED,
    "retracted-article": "/doi/10.1000/retracted.1",
    "person": "/person/orcid/0000-0002-1825-0097",
    "institution": "/org/ror/00a45v709",
    "journal": "/journal/issn/2305-8420",
    "journal-of-examples": "/journal/issn/0000-0019",
    "references": "/doi/10.5555/kinds.article",
    "status": SEED + "/status/retracted",
    "retractions": "/retractions",
    "search": "/search?q=Kartashova",
    "home": "/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kg serve`` itself, started as a user would, on the samples' graph."""
    out = tmp_path_factory.mktemp("browser") / "graph.nq"
    build([ROOT / "data", ROOT / "tests/cases/all-features"], out, base=BASE, validate=False)
    server = KgServer("--data", str(out), "--base", BASE, "--port", "0")
    try:
        yield server.url.rstrip("/")
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("KG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


def test_banner_is_visible_above_the_fold(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    for path in (SEED, PAGES["retracted-article"]):
        page.goto(site + path)
        alert = page.locator('[role="alert"]')
        assert alert.count() == 1
        box = alert.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert box["y"] + box["height"] <= 800
        assert alert.is_visible()
        colour = alert.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour != "rgba(0, 0, 0, 0)"
    page.close()


def test_banner_on_a_phone(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site + SEED)
    box = page.locator('[role="alert"]').bounding_box()
    assert box is not None and box["y"] < 844 and box["width"] <= 390
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.close()


def test_charts_render(site: str, browser: Any) -> None:
    page = browser.new_page()
    for path in (PAGES["retractions"], PAGES["institution"]):
        page.goto(site + path)
        bars = page.locator("figure.chart svg rect.bar")
        assert bars.count() > 0
        box = bars.first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    page.close()


def test_links_navigate(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + SEED)
    page.locator("ol.authors a").first.click()
    page.wait_for_load_state()
    assert "/person/" in page.url and page.locator("h1").inner_text().endswith("Kartashova A. A.")
    page.locator("ul.works a").first.click()
    page.wait_for_load_state()
    assert page.url == site + SEED
    page.locator("dl.facts a", has_text="Liberal Arts in Russia").click()
    page.wait_for_load_state()
    assert page.url == site + PAGES["journal"]
    page.locator("header nav a", has_text="Retractions").click()
    page.wait_for_load_state()
    assert page.url == site + "/retractions"
    page.close()


def test_search_form_works_without_javascript(site: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.locator("header input[name=q]").fill("Kartashova")
    page.locator("header form button").click()
    page.wait_for_load_state()
    assert "/search?q=Kartashova" in page.url
    page.locator("ol.results a").first.click()
    page.wait_for_load_state()
    assert "/person/" in page.url
    context.close()


def test_screenshots(site: str, browser: Any, shots: Path) -> None:
    """Whole pages; with KG_SCREENSHOTS (docs/images/serve for docs/serve.md) what a
    screen shows first, which is what the docs show."""
    whole = not os.environ.get("KG_SCREENSHOTS")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    for name, path in PAGES.items():
        response = page.goto(site + path)
        assert response is not None and response.status == 200, path
        page.screenshot(path=str(shots / f"{name}.png"), full_page=whole)
        assert (shots / f"{name}.png").stat().st_size > 5000
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(site + SEED)
    phone.screenshot(path=str(shots / "article-phone.png"))
    phone.close()
    page.close()
