"""The web console (docs/console.md) in a real browser: headless Debian chromium driven by selenium
through chromium-driver, against `quant api` and `quant processor` on the local stack with a live
feed (scripts/test starts PostgreSQL and the broker and exports DATABASE_URL and KAFKA_BROKERS).

- the files come with their Content-Security-Policy, ETag (304 on revalidation) and types, and a
  path outside them is a problem-details 404;
- the symbol view's ladder and trade tape show what PostgreSQL holds within two seconds of it being
  committed, its price and depth charts draw, and the page logs no error;
- the portfolio view shows each risk run within two seconds of its commit, with its history chart,
  the positions PostgreSQL holds, the risk by position and the stress results;
- an order entered in the ticket (with a write key typed into the page) appears in the blotter and
  in `trading.orders`, a price off the tick grid shows the API's reason, and the blotter's cancel
  button cancels the order;
- the pipeline view shows each topic's committed offset within two seconds of its commit, the lag,
  the processors' batch windows, the rate and commit-time charts, and a dead letter with its
  reason within seconds of the bad message;
- it fits a narrow screen without sideways scrolling.

Screenshots of each view go to QUANT_CONSOLE_SCREENSHOTS (default .local/console-screenshots);
docs/console.md shows the ones committed under docs/images/.
"""
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
# scripts/setup installs selenium into .venv, and Debian's chromium and chromium-driver.
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_services import QUANT, ROOT, free_port, psql, seeded_private_topics, wait_for

SYMBOL = "AAPL"
PORTFOLIO = "tech-long"
SHOTS = Path(os.environ.get("QUANT_CONSOLE_SCREENSHOTS", ROOT / ".local" / "console-screenshots"))


@pytest.fixture(scope="module")
def pipeline():
    """The processor and the API on private topics, and a feed running for the whole module."""
    run_id, prefix = seeded_private_topics("con")
    port = free_port()
    env = dict(os.environ, QUANT_PROCESSOR_TOPIC_PREFIX=prefix, QUANT_KAFKA_GROUP_ID=f"{run_id}-group",
               QUANT_PROCESSOR_SESSIONS="false", QUANT_METRICS_PROCESSOR_PORT="0", QUANT_METRICS_API_PORT="0",
               QUANT_METRICS_RISK_ENGINE_PORT="0", QUANT_RISK_INTERVAL_SECONDS="2", QUANT_API_PORT=str(port))
    logs = ROOT / ".local" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = {}
    for name, args in (("processor", ["processor"]), ("risk", ["risk-engine"]), ("api", ["api"])):
        log = open(logs / f"test-console-{name}.log", "w")
        procs[name] = subprocess.Popen([str(QUANT), *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for("the API", lambda: urllib.request.urlopen(f"{base}/api/v1/health", timeout=5).status == 200)
    feed = subprocess.Popen([str(QUANT), "feed", "--rate", "100", "--duration", "600", "--topic-prefix", prefix,
                             "--symbols", "AAPL:190,MSFT:410", "--chunk-ms", "200"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "test-console-feed.log", "w"))
    yield {"base": base, "env": env}
    for proc in (feed, *procs.values()):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def request(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_files_are_served_with_their_policy_and_validators(pipeline):
    base = pipeline["base"]
    status, headers, body = request(f"{base}/console/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"quant-pipeline" in body
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-cache"
    status, _, _ = request(f"{base}/console/", {"If-None-Match": headers["ETag"]})
    assert status == 304
    status, headers, _ = request(f"{base}/console/js/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    status, headers, _ = request(f"{base}/console/vendor/dygraphs/dygraph.min.js")
    assert status == 200 and int(headers["Content-Length"]) > 100_000
    for path in ("/console/nope.js", "/console/../migrations/0001_initial.sql", "/console/%2e%2e/Package.swift"):
        status, headers, body = request(base + path)
        assert status == 404, path
        assert headers["Content-Type"].startswith("application/problem+json") and json.loads(body)["status"] == 404, path
    status, headers, _ = request(f"{base}/", None)  # redirected to the console
    assert status == 200 and headers["Content-Type"].startswith("text/html")


def newest_trade_clock():
    """HH:MM:SS.mmm (UTC) of the newest stored AAPL print, as the tape prints it."""
    return psql(f"select to_char(max(ts) at time zone 'UTC', 'HH24:MI:SS.MS') from api.trade_ticks where symbol = '{SYMBOL}'")


def newest_book_sequence():
    return int(psql(f"select coalesce(max(book_seq), 0) from api.book_tops where symbol = '{SYMBOL}'") or 0)


def test_the_symbol_view_follows_the_feed(pipeline, browser):
    browser.get(f"{pipeline['base']}/console/#/symbol/{SYMBOL}")
    wait_for("the stream to go live", lambda: browser.find_element(By.ID, "live").get_attribute("data-state") == "live", timeout=30)
    wait_for("book levels", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#ladder tbody tr.bid, #ladder tbody tr.ask")) >= 2, timeout=60)
    wait_for("prints on the tape", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#tape tbody tr")) >= 3, timeout=60)
    # What PostgreSQL has committed shows within two seconds, several times over.
    for _ in range(3):
        stored = newest_trade_clock()
        wait_for(f"the print of {stored} on the tape", lambda: stored in browser.find_element(By.ID, "tape").text, timeout=2)
        sequence = newest_book_sequence()
        wait_for(f"book sequence {sequence} in the ladder", lambda: ladder_sequence(browser) >= sequence, timeout=2)
        time.sleep(1)
    assert browser.find_elements(By.CSS_SELECTOR, "#bars-chart canvas"), "the price chart drew"
    assert browser.find_elements(By.CSS_SELECTOR, "#depth-chart canvas"), "the depth chart drew"
    assert browser.find_element(By.ID, "last-price").text not in ("", "—")
    browser.set_window_size(1280, 1000)  # the whole view, tape included, for docs/console.md
    time.sleep(1)
    screenshot(browser, "console-symbol.png")
    browser.set_window_size(1280, 800)
    assert not unexpected_errors(browser)


def test_the_portfolio_view_follows_the_risk_engine(pipeline, browser):
    browser.get(f"{pipeline['base']}/console/#/portfolio/{PORTFOLIO}")
    wait_for("VaR rows", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#risk-table tbody tr")) >= 3, timeout=60)
    # Each run the risk engine commits shows within two seconds (it stores one every 2 s).
    for _ in range(2):
        stored = float(psql(f"select floor(extract(epoch from max(computed_at)) * 1000) from risk.risk_metrics where portfolio_id = '{PORTFOLIO}'"))
        wait_for(f"the run of {stored} ms", lambda: shown_run(browser) >= stored, timeout=2)
        time.sleep(2)
    held = int(psql(f"select count(*) from api.positions where portfolio_id = '{PORTFOLIO}'"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#positions tbody tr")) == held
    wait_for("the VaR history chart", lambda: browser.find_elements(By.CSS_SELECTOR, "#var-chart canvas"), timeout=10)
    assert browser.find_elements(By.CSS_SELECTOR, "#components tbody tr"), "component VaR and ES per position"
    assert browser.find_elements(By.CSS_SELECTOR, "#stress tbody tr"), "stress results"
    # The backtest as the API counts it (one as-of day here, so usually none yet: the caption says so).
    tested = int(psql(f"select count(*) from (select distinct method, confidence from analytics.var_exceptions where portfolio_id = '{PORTFOLIO}') m"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#backtest-summary tbody tr")) == tested
    assert browser.find_element(By.ID, "backtest-caption").text
    assert "value " in browser.find_element(By.ID, "run-summary").text
    browser.set_window_size(1280, 1100)
    time.sleep(1)
    screenshot(browser, "console-portfolio.png")
    browser.set_window_size(1280, 800)
    assert not unexpected_errors(browser)


def test_an_order_entered_in_the_ticket_reaches_the_blotter_and_the_books(pipeline, browser):
    created = subprocess.run([str(QUANT), "api-key", "create", "--name", f"console-{time.time_ns()}", "--scope", "write", "--account", "desk-tech"],
                             cwd=ROOT, env=pipeline["env"], check=True, capture_output=True, text=True).stdout
    key = next(word for word in created.split() if word.startswith("qk_"))
    browser.get(f"{pipeline['base']}/console/#/orders")
    wait_for("the ticket's symbols", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#ticket select[name=symbol] option")) > 1)
    browser.find_element(By.ID, "key-input").send_keys(key)
    browser.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
    assert "using key qk_" in browser.find_element(By.ID, "key-state").text
    assert key not in browser.page_source, "the key is not shown"

    fill_ticket(browser, price="150.00")
    result = wait_for("the API's answer", lambda: (lambda t: t if "accepted for processing" in t else None)(
        browser.find_element(By.ID, "ticket-result").text), timeout=10)
    order_id = result.split(":")[0]
    row = f"#blotter tr[data-order-id='{order_id}']"
    wait_for(f"{order_id} accepted in the blotter", lambda: "accepted" in text_of(browser, row), timeout=15)
    assert psql(f"select count(*) from trading.orders where order_id = '{order_id}' and account = 'desk-tech'") == "1"

    # A price off the tick grid: the API's problem details, with the field's reason.
    fill_ticket(browser, price="150.005")
    problem = wait_for("the problem", lambda: (lambda t: t if "price" in t else None)(
        browser.find_element(By.ID, "ticket-result").text), timeout=10)
    assert browser.find_element(By.ID, "ticket-result").get_attribute("class") == "problem", problem

    # The blotter is drawn again on every change of the book: find the button as it is clicked.
    browser.execute_script("document.querySelector(arguments[0]).click()", f"{row} button")
    wait_for(f"{order_id} cancelled", lambda: "cancelled" in text_of(browser, row), timeout=15)
    browser.set_window_size(1280, 1000)
    browser.execute_script("window.scrollTo(0, 0)")
    time.sleep(1)
    screenshot(browser, "console-orders.png")
    browser.set_window_size(1280, 800)
    # The 422 is logged by the browser as a failed load; nothing else may be.
    assert not unexpected_errors(browser, ("/api/v1/orders", "422"))


def test_the_pipeline_view_shows_offsets_lag_commit_times_and_dead_letters(pipeline, browser):
    base, env = pipeline["base"], pipeline["env"]
    prefix = env["QUANT_PROCESSOR_TOPIC_PREFIX"]
    browser.get(f"{base}/console/#/pipeline")
    wait_for("the stream to go live", lambda: browser.find_element(By.ID, "live").get_attribute("data-state") == "live", timeout=30)
    wait_for("the consumed topics", lambda: len(browser.find_elements(By.CSS_SELECTOR, "#topics tbody tr")) >= 3, timeout=60)
    # What PostgreSQL has committed shows within two seconds, several times over.
    quotes = f"{prefix}md.quotes"
    for _ in range(3):
        stored = int(psql(f"select sum(next_offset) from ops.kafka_offsets where consumer_group = '{env['QUANT_KAFKA_GROUP_ID']}' and topic = '{quotes}'"))
        wait_for(f"committed offset {stored}", lambda: int(browser.execute_script(
            "return document.querySelector(arguments[0])?.dataset.committed ?? -1", f"#topics tr[data-topic='{quotes}']")) >= stored, timeout=2)
        time.sleep(1)
    lag = browser.execute_script("return document.querySelector(arguments[0]).dataset.lag", f"#topics tr[data-topic='{quotes}']")
    assert lag != "" and int(lag) >= 0, "the broker answered: a lag"
    wait_for("a processor's batch window", lambda: browser.find_elements(By.CSS_SELECTOR, "#processors tbody tr"), timeout=15)
    wait_for("the rates chart", lambda: browser.find_elements(By.CSS_SELECTOR, "#rates-chart canvas"), timeout=10)
    wait_for("the commit-time chart", lambda: browser.find_elements(By.CSS_SELECTOR, "#commits-chart canvas"), timeout=15)

    # A print of a symbol nobody lists: the processor sets it aside, and the page shows it with its reason.
    bad = ROOT / ".local" / "console-dead-letter.csv"
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    bad.write_text(f"ts,symbol,price,size\n{now},NOSUCHSYM,1.00,1\n")
    subprocess.run([str(QUANT), "feed", "--csv", str(bad), "--topic-prefix", prefix, "--rate", "0"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    wait_for("the dead letter", lambda: "NOSUCHSYM" in browser.find_element(By.ID, "dead-letters").text, timeout=20)
    assert "unknown symbol NOSUCHSYM" in browser.find_element(By.ID, "dead-letters").text
    browser.set_window_size(1280, 1100)
    time.sleep(1)
    screenshot(browser, "console-pipeline.png")
    browser.set_window_size(1280, 800)
    assert not unexpected_errors(browser)


# Reads that answer 404 until there is something to read: a symbol's book before the processor
# published one, a portfolio's risk, stress results and P&L before the risk engine's first run.
# The page says so ("no book published yet"); the browser still logs the load as failed.
NOT_YET = ("/api/v1/orderbook/", "/api/v1/risk/metrics/", "/stresstest", "/pnl", "/api/v1/pipeline")


def unexpected_errors(browser, *expected):
    """The browser's errors since the last call, but for the loads listed (path part, status)."""
    allowed = [(path, "404") for path in NOT_YET] + list(expected)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
              and not (entry["source"] == "network" and any(p in entry["message"] and f"status of {code}" in entry["message"]
                                                            for p, code in allowed))]
    assert not errors, errors
    return errors


def text_of(browser, selector):
    """The element's text as the page has it now (the blotter replaces its rows as it changes)."""
    return browser.execute_script("return document.querySelector(arguments[0])?.textContent ?? ''", selector)


def fill_ticket(browser, price):
    form = browser.find_element(By.ID, "ticket")
    for name, value in (("symbol", SYMBOL), ("side", "buy"), ("order_type", "limit"), ("time_in_force", "gtc")):
        Select(form.find_element(By.NAME, name)).select_by_value(value)
    for name, value in (("quantity", "10"), ("price", price), ("account", "desk-tech")):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def shown_run(browser):
    """When the run the page shows was computed, in ms since 1970 (-1: none yet)."""
    return browser.execute_script(
        "const at = document.getElementById('run-summary').dataset.computedAt; return at ? Math.floor(Date.parse(at)) : -1")


def ladder_sequence(browser):
    caption = browser.find_element(By.ID, "ladder-caption").text
    return int(caption.rsplit("sequence ", 1)[1].replace(",", "")) if "sequence " in caption else -1


def test_a_narrow_screen_needs_no_sideways_scrolling(pipeline, browser):
    browser.set_window_size(420, 900)
    try:
        for view, ready in ((f"symbol/{SYMBOL}", "#ladder tbody tr"), (f"portfolio/{PORTFOLIO}", "#risk-table tbody tr"),
                            ("orders", "#ticket select[name=symbol] option"), ("pipeline", "#topics tbody tr")):
            browser.get(f"{pipeline['base']}/console/#/{view}")
            wait_for(f"the {view} view", lambda: len(browser.find_elements(By.CSS_SELECTOR, ready)) >= 2, timeout=60)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{view}: {overflow} px wider than the window: " + browser.execute_script(
                "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
                "document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ')")
        screenshot(browser, "console-orders-narrow.png")
    finally:
        browser.set_window_size(1280, 800)


def screenshot(browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / name))
