"""Readers on a read replica (docs/scaling.md): a streaming-replication hot standby of the local
PostgreSQL (`scripts/stack replica-up`) serves the reader views to the analyst role and to
`quant api --read-only`, sees new rows within a second or so, and refuses writes."""
import os
import random
import socket
import subprocess
import time
import urllib.request
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"


def psql(url, sql, check=True):
    return subprocess.run(["psql", url, "-X", "-Atc", sql], capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def replica():
    primary = os.environ.get("DATABASE_URL")
    assert primary, "run through scripts/test (it starts the stack)"
    port = os.environ.get("QUANT_REPLICA_PORT", str(int(os.environ.get("QUANT_PG_PORT", "55432")) + 1))
    env = dict(os.environ, QUANT_REPLICA_PORT=port)
    up = subprocess.run([str(ROOT / "scripts/stack"), "replica-up"], env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    url = next(line.split("=", 1)[1] for line in up.stdout.splitlines() if line.startswith("export REPLICA_URL="))
    yield {"primary": primary, "replica": url, "analyst": url.replace("://quant@", "://analyst@")}
    subprocess.run([str(ROOT / "scripts/stack"), "replica-down"], env=env, capture_output=True, timeout=60)


def test_the_replica_serves_new_rows_to_the_analyst_and_refuses_writes(replica):
    assert psql(replica["replica"], "select pg_is_in_recovery()").stdout.strip() == "t"
    symbol = f"RPL{random.randrange(10**6)}"
    psql(replica["primary"], f"insert into market.instruments (symbol, kind) values ('{symbol}', 'equity')")
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if psql(replica["analyst"], f"select count(*) from api.instruments where symbol = '{symbol}'").stdout.strip() == "1":
            break
        time.sleep(0.02)
    else:
        pytest.fail("the row did not reach the replica within 10 s")
    print(f"replication: visible on the replica after {1000 * (time.monotonic() - started):.0f} ms")
    refused = psql(replica["replica"], f"insert into market.instruments (symbol, kind) values ('{symbol}X', 'equity')", check=False)
    assert refused.returncode != 0 and "read-only transaction" in refused.stderr


def test_quant_api_reads_from_the_replica(replica):
    symbol = f"RPA{random.randrange(10**6)}"
    psql(replica["primary"], f"insert into market.instruments (symbol, kind) values ('{symbol}', 'equity')")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=replica["replica"], QUANT_API_PORT=str(port), QUANT_METRICS_API_PORT="0")
    api = subprocess.Popen([str(QUANT), "api", "--read-only"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/instruments?limit=1000", timeout=2) as r:
                    body = json.loads(r.read())
                if symbol in {i["symbol"] for i in body["instruments"]}:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "quant api on the replica did not serve the new instrument"
            time.sleep(0.2)
    finally:
        api.terminate()
        assert api.wait(timeout=30) == 0
