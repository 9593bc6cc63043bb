"""Point-in-time recovery of the whole pipeline (docs/operations.md, "Backup and restore").

A private PostgreSQL cluster with WAL archiving (`scripts/stack` with its own QUANT_STACK_DIR and
port) takes a base backup; a real `quant processor` consumes two feeds from the shared broker; the
cluster is restored (`scripts/stack restore --to T`) to a time between them, while Kafka still
holds the second feed. The processor, started again, resumes from the offsets stored in the
restored database, and once it has caught up the database holds exactly what it held before the
restore: every table of the pipeline's schemas compared row by row, leaving out only what is made
at write time (columns defaulting to now() and identity numbers; see `fingerprint`).
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"
STACK = ROOT / "scripts" / "stack"
FEED = 3000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exports(text):
    return {k.removeprefix("export "): v for k, v in (line.split("=", 1) for line in text.splitlines() if line.startswith("export "))}


@pytest.fixture(scope="module")
def cluster():
    assert QUANT.exists(), "build first: swift build"
    assert os.environ.get("KAFKA_BROKERS"), "run through scripts/test (it starts the broker)"
    run_id = f"pitr{random.randrange(1 << 30):x}"
    directory = ROOT / ".local" / run_id
    env = dict(os.environ, QUANT_STACK_DIR=str(directory), QUANT_PG_PORT=str(free_port()), QUANT_PG_ARCHIVE="on")
    env.pop("QUANT_PG_FSYNC", None)  # a real cluster: backups and recovery as an operator runs them
    up = subprocess.run([str(STACK), "pg-up"], env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    env.update(exports(up.stdout))
    subprocess.run([str(QUANT), "migrate", "up"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    psql(env, f"\\i {ROOT / 'config/demo/seed.sql'}")
    status = subprocess.run([str(STACK), "status"], env=env, capture_output=True, text=True).stdout
    data = Path(status.split("data ", 1)[1].split(")", 1)[0]).parent  # the cluster, its backups and archive
    yield {"env": env, "run_id": run_id}
    subprocess.run([str(STACK), "stop"], env=env, capture_output=True, timeout=60)
    shutil.rmtree(directory, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)  # elsewhere when the postgres user cannot reach the checkout


def psql(env, sql):
    out = subprocess.run(["psql", env["DATABASE_URL"], "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], input=sql,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def stored_offsets(env, group):
    return int(psql(env, f"select coalesce(sum(next_offset), 0) from ops.kafka_offsets where consumer_group = '{group}'"))


def wait_until(what, probe, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


# Made at write time, so a replay makes them anew: columns defaulting to now() or clock_timestamp(),
# identity and serial numbers (PostgreSQL logs sequences 32 values ahead, so recovery skips some).
# Left out too, kept by time rather than by the messages: when the processor snapshots the books and
# publishes depth, the partition upkeep's own bookkeeping, and the processor's batch windows
# (how each process committed, not what: ops.ingest_windows).
BY_TIME = ["trading.engine_snapshots", "trading.book_snapshots", "trading.book_depth", "ops.partition_upkeep_runs", "ops.partition_compactions",
           "ops.ingest_windows"]

FINGERPRINT = r"""
create function pg_temp.rows_digest(t text, cols text, out n bigint, out h text) language plpgsql as $$
begin
  execute format('select count(*), md5(coalesce(string_agg(r, E''\n'' order by r), '''')) from (select (%s)::text as r from %s) x', cols, t)
    into n, h;
end $$;
select string_agg(format('%s|%s|%s', t, d.n, d.h), E'\n' order by t) from (
  select c.table_schema || '.' || c.table_name as t,
         string_agg(format('%I', c.column_name), ', ' order by c.ordinal_position) as cols
  from information_schema.columns c
  join information_schema.tables tb using (table_schema, table_name)
  where c.table_schema in ('market', 'trading', 'risk', 'ops')
    and tb.table_type = 'BASE TABLE'
    and not exists (select 1 from pg_inherits i where i.inhrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass)
    and coalesce(c.column_default, '') !~* '(now\(\)|clock_timestamp|nextval)'
    and c.is_identity = 'NO'
    and (c.table_schema || '.' || c.table_name) <> all (string_to_array(:'by_time', ','))
  group by 1
) tables, lateral pg_temp.rows_digest(t, cols) d;
"""


def fingerprint(env):
    """One line per table: its name, row count and a digest of its rows (sorted, as text)."""
    out = subprocess.run(["psql", env["DATABASE_URL"], "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                          "-v", "by_time=" + ",".join(BY_TIME)], input=FINGERPRINT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_restored_database_catches_up_to_exactly_what_it_had(cluster):
    env, run_id = dict(cluster["env"]), cluster["run_id"]
    prefix, group = f"{run_id}.", f"{run_id}-group"
    tansu = subprocess.run([str(ROOT / "scripts" / "tansu-path")], check=True, capture_output=True, text=True).stdout.strip()
    broker = "tcp://" + os.environ["KAFKA_BROKERS"].split(",")[0]
    for topic in ("md.quotes", "md.trades", "orders.commands", "orders.events"):
        subprocess.run([tansu, "topic", "create", "--broker", broker, "--partitions", "2", prefix + topic], check=True, capture_output=True)
    env.update(QUANT_PROCESSOR_TOPIC_PREFIX=prefix, QUANT_KAFKA_GROUP_ID=group, QUANT_PROCESSOR_SESSIONS="false",
               QUANT_METRICS_PROCESSOR_PORT="0")
    backup = subprocess.run([str(STACK), "backup"], env=env, capture_output=True, text=True, timeout=300)
    assert backup.returncode == 0, backup.stderr

    logs = ROOT / ".local" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    def processor(name):
        return subprocess.Popen([str(QUANT), "processor"], cwd=ROOT, env=env,
                                stdout=open(logs / f"test-restore-{name}.log", "w"), stderr=subprocess.STDOUT)

    def feed(seed, orders):
        subprocess.run([str(QUANT), "feed", "--rate", "0", "--count", str(FEED), "--seed", str(seed), "--topic-prefix", prefix,
                        "--order-prefix", orders], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)

    def stop(proc):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

    first = processor("first")
    feed(1, f"{run_id}-a-")
    wait_until("the first feed stored", lambda: stored_offsets(env, group) == FEED)
    target = psql(env, "select now()")
    time.sleep(1)
    feed(2, f"{run_id}-b-")
    wait_until("the second feed stored", lambda: stored_offsets(env, group) == 2 * FEED)
    stop(first)
    before = fingerprint(env)
    counts = {line.split("|")[0]: int(line.split("|")[1]) for line in before.splitlines()}
    for table in ("market.quotes", "market.trades", "market.bars", "trading.orders", "trading.order_events",
                  "trading.executions", "ops.kafka_offsets"):
        assert counts.get(table, 0) > 0, f"{table} is compared and holds rows"

    restore = subprocess.run([str(STACK), "restore", "--to", target], env=env, capture_output=True, text=True, timeout=600)
    assert restore.returncode == 0, restore.stderr
    assert stored_offsets(env, group) == FEED, "the restored database is the one of the target time"
    assert fingerprint(env) != before

    second = processor("second")
    wait_until("the second feed stored again", lambda: stored_offsets(env, group) == 2 * FEED)
    stop(second)
    after = fingerprint(env)
    assert after == before, "\n".join(line for line in set(before.splitlines()) ^ set(after.splitlines()))
