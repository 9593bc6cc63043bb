"""The three services as an operator runs them: real `quant` processes against the local stack's
PostgreSQL and Kafka broker (scripts/test starts both and exports DATABASE_URL and KAFKA_BROKERS).

- each service's /metrics passes `promtool check metrics` (Debian's prometheus package) and
  carries the metrics docs/operations.md promises, with values that moved;
- SIGTERM stops each service with exit code 0, and the processor commits what it consumed first:
  the offsets stored in PostgreSQL cover every message the feed sent.
"""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"
MESSAGES = 3000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    out = subprocess.run(["psql", os.environ["DATABASE_URL"], "-Atc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def samples(text, name):
    """Sum of every sample of one metric (all label sets) in the exposition text."""
    total, found = 0.0, False
    for line in text.splitlines():
        if re.match(rf"{re.escape(name)}(\{{.*\}})? ", line):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    return total if found else None


def wait_for(what, probe, timeout=60):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except OSError as error:  # not listening yet
            last = error
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def seeded_private_topics(kind):
    """The demo's instruments, history and portfolios (idempotent: quotes find their instruments and
    the risk engine has portfolios to value), and the four topics under a prefix of this run's own.
    Returns (run id, topic prefix)."""
    for variable in ("DATABASE_URL", "KAFKA_BROKERS"):
        assert os.environ.get(variable), f"{variable} is not set: run through scripts/test"
    assert QUANT.exists(), "build first: swift build"
    subprocess.run(["psql", os.environ["DATABASE_URL"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(ROOT / "config/demo/seed.sql")],
                   check=True, capture_output=True)
    run_id = f"{kind}{random.randrange(1 << 30):x}"
    prefix = f"{run_id}."
    tansu = subprocess.run([str(ROOT / "scripts" / "tansu-path")], check=True, capture_output=True, text=True).stdout.strip()
    broker = "tcp://" + os.environ["KAFKA_BROKERS"].split(",")[0]
    for topic in ("md.quotes", "md.trades", "orders.commands", "orders.events"):
        subprocess.run([tansu, "topic", "create", "--broker", broker, "--partitions", "2", prefix + topic],
                       check=True, capture_output=True)
    return run_id, prefix


@pytest.fixture(scope="module")
def stack():
    assert shutil.which("promtool"), "promtool is missing: scripts/setup installs Debian's prometheus package"
    run_id, prefix = seeded_private_topics("svc")
    ports = {name: free_port() for name in ("processor", "risk", "api", "api_http")}
    env = dict(os.environ,
               QUANT_PROCESSOR_TOPIC_PREFIX=prefix, QUANT_KAFKA_GROUP_ID=f"{run_id}-group",
               QUANT_PROCESSOR_SESSIONS="false",  # the message counts below are the feed's alone
               QUANT_METRICS_PROCESSOR_PORT=str(ports["processor"]),
               QUANT_METRICS_RISK_ENGINE_PORT=str(ports["risk"]),
               QUANT_METRICS_API_PORT=str(ports["api"]), QUANT_API_PORT=str(ports["api_http"]),
               QUANT_RISK_INTERVAL_SECONDS="2")
    logs = ROOT / ".local" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = {}
    for name, args in (("processor", ["processor"]), ("risk", ["risk-engine"]), ("api", ["api", "--read-only"])):
        log = open(logs / f"test-services-{name}.log", "w")
        procs[name] = subprocess.Popen([str(QUANT), *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield {"env": env, "ports": ports, "procs": procs, "group": f"{run_id}-group", "prefix": prefix}
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def fed(stack):
    """The processor has consumed MESSAGES messages of a synthetic feed."""
    url = f"http://127.0.0.1:{stack['ports']['processor']}/metrics"
    wait_for("the processor's /metrics", lambda: fetch(url)[0] == 200)
    # The group join takes a few seconds; the feed's messages wait in Kafka meanwhile.
    subprocess.run([str(QUANT), "feed", "--rate", "0", "--count", str(MESSAGES), "--topic-prefix", stack["prefix"]],
                   cwd=ROOT, env=stack["env"], check=True, capture_output=True, timeout=60)
    wait_for(f"{MESSAGES} messages consumed",
             lambda: samples(fetch(url)[1], "quant_processor_messages_total") == MESSAGES, timeout=90)
    return stack


def metrics_of(stack, service):
    status, text = fetch(f"http://127.0.0.1:{stack['ports'][service]}/metrics")
    assert status == 200
    return text


def promtool(text):
    result = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert result.returncode == 0, f"promtool check metrics:\n{result.stdout}{result.stderr}"


def test_processor_metrics(fed):
    text = wait_for("a committed batch and a lag reading", lambda: (
        lambda t: t if samples(t, "quant_processor_batch_messages_count") and
        samples(t, "quant_processor_consumer_lag_messages") is not None else None)(metrics_of(fed, "processor")))
    promtool(text)
    assert samples(text, "quant_processor_messages_total") == MESSAGES
    assert samples(text, "quant_processor_batch_messages_sum") == MESSAGES
    assert samples(text, "quant_book_commands_total") > 0
    assert samples(text, "quant_book_command_duration_seconds_count") == samples(text, "quant_book_commands_total")
    assert samples(text, "quant_processor_commit_duration_seconds_count") >= 1
    assert samples(text, "quant_store_rows_total") > 0
    assert samples(text, "quant_processor_consumer_lag_messages") == 0
    # Memory, read on the scrape: the heap in use is part of what is resident.
    assert 0 < samples(text, "quant_process_heap_in_use_bytes") < samples(text, "process_resident_memory_bytes")
    assert "# HELP quant_processor_messages_total " in text
    # librdkafka's queues, from its statistics (every kafka.statisticsIntervalMs): once everything is
    # consumed and delivered, both hold nothing.
    wait_for("librdkafka's statistics, both queues empty", lambda: (
        lambda t: 'quant_kafka_queue_bytes{queue="fetch"}' in t and 'quant_kafka_queue_bytes{queue="produce"}' in t
        and samples(t, "quant_kafka_queue_messages") == 0)(metrics_of(fed, "processor")), timeout=30)


def test_risk_engine_metrics(stack):
    url = f"http://127.0.0.1:{stack['ports']['risk']}/metrics"
    text = wait_for("a risk cycle", lambda: (
        lambda t: t if samples(t, "quant_risk_cycle_duration_seconds_count") else None)(fetch(url)[1]))
    promtool(text)
    assert re.search(r'quant_risk_portfolio_runs_total\{outcome="stored"\} [1-9]', text), text
    for method in ("historical", "parametric", "monte_carlo"):
        assert re.search(rf'quant_risk_computation_duration_seconds_count\{{method="{method}"\}} [1-9]', text), text


def test_api_metrics(stack):
    api = f"http://127.0.0.1:{stack['ports']['api_http']}/api/v1"
    wait_for("the API", lambda: fetch(f"{api}/health")[0] == 200)
    try:
        fetch(f"{api}/orderbook/NO-SUCH-SYMBOL")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    # An open event stream shows in quant_stream_clients.
    stream = socket.create_connection(("127.0.0.1", stack["ports"]["api_http"]), timeout=5)
    stream.sendall(b"GET /api/v1/stream?channels=trades:AAPL HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    assert stream.recv(4096).startswith(b"HTTP/1.1 200")
    text = metrics_of(stack, "api")
    stream.close()
    promtool(text)
    assert samples(text, "quant_stream_clients") == 1, text
    assert re.search(r'quant_http_requests_total\{.*route="/api/v1/health".*status="200".*\} [1-9]', text), text
    assert re.search(r'quant_http_requests_total\{.*status="404".*\} [1-9]', text), text
    assert samples(text, "quant_http_request_duration_seconds_count") >= 2
    # Repeated reads of a quiet symbol are served by the read cache once its LISTEN is up.
    def hits():
        fetch(f"{api}/market/data/AAPL")
        return re.search(r'quant_api_cache_lookups_total\{.*cache="market".*result="hit".*\} [1-9]', metrics_of(stack, "api"))
    wait_for("a read-cache hit", hits)


def test_sigterm_stops_each_service_cleanly_with_everything_committed(fed):
    for name in ("processor", "risk", "api"):
        proc = fed["procs"][name]
        assert proc.poll() is None, f"{name} died early (exit {proc.returncode}); see .local/logs/test-services-{name}.log"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, f"{name} exited {proc.returncode}; see .local/logs/test-services-{name}.log"
    committed = psql(f"select coalesce(sum(next_offset), 0) from ops.kafka_offsets where consumer_group = '{fed['group']}'")
    assert int(committed) == MESSAGES


def test_every_metric_the_dashboards_use_is_exported():
    listed = subprocess.run([str(QUANT), "metrics"], check=True, capture_output=True, text=True).stdout
    names = {line.split("\t")[0] for line in listed.splitlines()}
    used = set()
    for dashboard in (ROOT / "config/grafana/dashboards").glob("*.json"):
        for expr in re.findall(r'"expr": "([^"]*(?:\\.[^"]*)*)"', dashboard.read_text()):
            used |= {re.sub(r"_(bucket|sum|count)$", "", name) for name in re.findall(r"quant_[a-z_]+", expr)}
    assert used, "no Prometheus panel found"
    assert used <= names, f"dashboards use metrics no service exports: {sorted(used - names)}"


def test_feed_refuses_a_chunk_interval_that_is_not_positive():
    result = subprocess.run([str(QUANT), "feed", "--rate", "100", "--count", "1", "--chunk-ms", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--chunk-ms must be positive" in result.stderr
