"""Security checks against the real services on the local stack (issue 8):

- no request text ever becomes SQL: injection strings in every path and query parameter of every
  GET endpoint of docs/api.yaml get a 2xx or 4xx with a JSON body, never a 5xx, and the database is
  unchanged afterwards;
- secrets stay out of logs: with the database password in DATABASE_URL (or in a password file) and
  trace logging, no service prints it.
(The analyst role's limits are checked from the catalog by StoreTests.SchemaTests.)
"""
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"
CANARY = "s3cr3t-Canary-7f1d"
INJECTIONS = [
    "' OR '1'='1",
    "AAPL'; DROP TABLE market.quotes; --",
    "1; DELETE FROM market.instruments",
    "\") UNION SELECT secret FROM ops.api_keys --",
    "$$; SELECT pg_sleep(5); $$",
    "%00\u0000nul",
    "../../etc/passwd",
    "{{7*7}}",
    "A" * 5000,
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    return subprocess.run(["psql", os.environ["DATABASE_URL"], "-X", "-Atc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def start_api(env_extra=None, args=("--read-only",), log=None):
    port = free_port()
    # The rate limit lifted: every injection must reach a handler, not a 429.
    env = dict(os.environ, QUANT_API_PORT=str(port), QUANT_METRICS_API_PORT="0",
               QUANT_API_RATE_LIMIT_PER_SECOND="100000", QUANT_API_RATE_LIMIT_BURST="100000", **(env_extra or {}))
    proc = subprocess.Popen([str(QUANT), "api", *args], cwd=ROOT, env=env,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
            return proc, port
        except urllib.error.HTTPError:
            return proc, port  # answering (503 if a dependency is down) is enough here
        except OSError:
            assert proc.poll() is None, "quant api exited"
            assert time.monotonic() < deadline, "quant api did not start"
            time.sleep(0.2)


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def table_fingerprint():
    return psql("""
        select string_agg(n.nspname || '.' || c.relname, ',' order by 1) from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v') and n.nspname in ('market', 'trading', 'risk', 'ops', 'api', 'analytics')
    """) + "|" + psql("select (select count(*) from market.instruments) || ',' || (select count(*) from market.quotes)")


@pytest.fixture(scope="module")
def seeded():
    assert os.environ.get("DATABASE_URL"), "run through scripts/test (it starts the stack)"
    subprocess.run(["psql", os.environ["DATABASE_URL"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                    str(ROOT / "config/demo/seed.sql")], check=True, capture_output=True)


def test_injection_strings_in_every_parameter_never_reach_sql(seeded):
    spec = yaml.safe_load((ROOT / "docs/api.yaml").read_text())
    before = table_fingerprint()
    proc, port = start_api()
    failures, requests = [], 0
    try:
        for path, item in spec["paths"].items():
            operation = item.get("get")
            if not operation:
                continue
            params = operation.get("parameters", []) + item.get("parameters", [])
            params = [spec["components"]["parameters"][p["$ref"].split("/")[-1]] if "$ref" in p else p for p in params]
            path_params = [p["name"] for p in params if p["in"] == "path"]
            query_params = [p["name"] for p in params if p["in"] == "query"]
            for attack in INJECTIONS:
                quoted = urllib.parse.quote(attack, safe="")
                targets = []
                concrete = path
                for name in path_params:
                    targets.append(path.replace("{" + name + "}", quoted))
                    concrete = concrete.replace("{" + name + "}", "AAPL")
                targets += [f"{concrete}?{name}={quoted}" for name in query_params]
                for target in targets:
                    status, body = get(port, target)
                    requests += 1
                    if status >= 500:
                        failures.append(f"{status} {target[:120]}")
                    elif status >= 400:
                        problem = json.loads(body)
                        assert problem.get("status") == status and problem.get("title"), (target, body)
        assert requests > 50
        assert not failures, failures
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert table_fingerprint() == before


def test_secrets_never_appear_in_logs_or_config_output(seeded, tmp_path):
    url = os.environ["DATABASE_URL"].replace("://quant@", f"://quant:{CANARY}@")
    password_file = tmp_path / "pw"
    password_file.write_text(CANARY + "\n")
    env = dict(os.environ, DATABASE_URL=url, QUANT_LOG_LEVEL="trace", QUANT_METRICS_RISK_ENGINE_PORT="0")
    outputs = []
    # quant config prints every setting: the password must be masked.
    outputs.append(subprocess.run([str(QUANT), "config"], cwd=ROOT, env=env, capture_output=True, text=True).stdout)
    file_env = dict(env, DATABASE_URL=os.environ["DATABASE_URL"], QUANT_DATABASE_PASSWORD_FILE=str(password_file))
    outputs.append(subprocess.run([str(QUANT), "config"], cwd=ROOT, env=file_env, capture_output=True, text=True).stdout)
    risk = subprocess.run([str(QUANT), "risk-engine", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    outputs.append(risk.stdout + risk.stderr)
    log = tmp_path / "api.log"
    with open(log, "w") as handle:
        proc, port = start_api(env_extra={"DATABASE_URL": url, "QUANT_LOG_LEVEL": "trace"}, log=handle)
        try:
            for path in ("/api/v1/health", "/api/v1/instruments", "/api/v1/market/data/AAPL", "/api/v1/orderbook/NOPE"):
                get(port, path)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    outputs.append(log.read_text())
    assert all(outputs), "a command printed nothing: the check would be empty"
    assert "password" in outputs[0].lower() or "database.url" in outputs[0]
    for output in outputs:
        assert CANARY not in output
