"""/docs in a real headless browser: Chromium (Debian's package) driven by chromedriver through Selenium.

For each API, as a frontend developer would: open /docs of `crm-mock serve`, wait for the operations, expand the
deals list (or the API's first list), "Try it out", "Execute" with the credential and the parameter examples the
page pre-filled (what a user sees first: tests/integration/test_docs_examples_work.py checks them for every
operation), and read the status Swagger UI renders. A screenshot per API goes to reports/docs-<dialect>.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from crmspec.model import Api, Operation
from tests.conftest import DIALECTS, load_api
from tests.servers import crm_mock_serve
from tests.tools import REPORTS, on_path

pytestmark = pytest.mark.slow

# The closed network refuses the browser's own background connections: none is started.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--window-size=1400,1800")
LIVE_STATUS = ".live-responses-table .response .response-col_status"  # the status of the answer Swagger UI got
LIVE_BODY = ".live-responses-table .response .response-col_description pre"  # the body it shows
WAIT_SECONDS = 60  # the machine is shared: rendering a large document can take a while, it is not judged


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    install = "Debian's packages: apt-get install chromium chromium-driver"
    chromium, driver = on_path("chromium", install), on_path("chromedriver", install)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield session
    finally:
        session.quit()


def list_operation(api: Api) -> Operation:
    """GET /deals where the API has it under its base path, otherwise its first list."""
    lists = [op for op in api.operations
             if op.action == "list" and op.method == "get" and op.mount == api.dialect.base_path]
    return next((op for op in lists if op.path == "/deals"), lists[0])


def listed_items(api: Api, op: Operation, body: str) -> list[Any]:
    """The records of a list answer as Swagger UI shows it (its body text)."""
    node: Any = json.loads(body) if body else None
    envelope = api.dialect.envelope_for(op)
    for part in str(envelope.items if envelope.items is not None else envelope.data).split("."):
        node = node.get(part) if part and isinstance(node, dict) else node
    return node if isinstance(node, list) else []


def wait(browser: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(browser, WAIT_SECONDS)


def operation_block(browser: WebDriver, op: Operation) -> WebElement:
    xpath = (f"//div[contains(concat(' ', @class, ' '), ' opblock-{op.method} ')]"
             f"[.//*[@data-path='{op.path}']]")
    return wait(browser).until(ready.presence_of_element_located((By.XPATH, xpath)))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_try_it_out_on_a_list_lists_records_with_what_the_page_prefilled(browser: WebDriver, dialect: str) -> None:
    api = load_api(dialect)
    op = list_operation(api)
    with crm_mock_serve("--dialect", dialect, "--records", "5", "--no-access-log") as served:
        browser.get(served.url + "/docs")
        try:
            wait(browser).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
            block = operation_block(browser, op)
            browser.execute_script("arguments[0].scrollIntoView();", block)
            block.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
            wait(browser).until(lambda _: block.find_elements(By.CSS_SELECTOR, ".try-out__btn"))[0].click()
            wait(browser).until(lambda _: block.find_elements(By.CSS_SELECTOR, "button.execute"))[0].click()
            cell = wait(browser).until(lambda _: block.find_elements(By.CSS_SELECTOR, LIVE_STATUS))[0]
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
            status = str(cell.text).strip()
            shown = block.find_elements(By.CSS_SELECTOR, LIVE_BODY)
            body = browser.execute_script("return arguments[0].textContent;", shown[0]) if shown else ""
        finally:
            REPORTS.mkdir(exist_ok=True)
            browser.save_screenshot(str(REPORTS / f"docs-{dialect}.png"))
        # every resource the page loaded came from the mock itself: no CDN, no online validator badge
        loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    assert status.startswith("200"), f"{op.method.upper()} {op.path}: Swagger UI shows {status!r}"
    assert listed_items(api, op, body), f"{op.method.upper()} {op.path}: the pre-filled request listed nothing: {body}"
    assert loaded and all(str(url).startswith(served.url + "/") for url in loaded), loaded

