"""The chaos campaign's invariant checker (docs/reliability.md). It reads only what the broker
acknowledged (the feed's delivery logs) and what PostgreSQL holds, and shares no code with the
pipeline: the order books are rebuilt by `matcher.Book`, written from the documented rules.

Each check returns (name, violations, notes): a violation fails the campaign; notes say what was
allowed and why (messages lost with a broker's in-memory log).
"""
import json
import subprocess
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal

from matcher import Book

CANCEL_REJECTIONS = {"unknown_order", "order_closed"}


def sql(env, query):
    """Rows of `query` as lists of strings (tab-separated psql output; NULL as empty)."""
    out = subprocess.run(["psql", env["DATABASE_URL"], "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
                         env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"psql: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def micros(rfc3339):
    t = datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1_000_000 + t.microsecond


def identity(topic, message):
    kind = message.get("type")
    if topic.endswith("md.quotes"):
        return ("quote", message["symbol"], micros(message["ts"]))
    if topic.endswith("md.trades"):
        return ("trade", message["symbol"], micros(message["ts"]))
    if kind in ("new", "cancel"):
        return (kind, message["order_id"])
    return None


class Deliveries:
    """What the broker acknowledged: per identity, where (epoch, topic, partition, offset) and what."""

    def __init__(self, segments):
        self.at = {}
        self.message = {}
        self.duplicates = 0
        self.epochs = set()
        for segment in segments:
            with open(segment["log"]) as log:
                for line in log:
                    topic, partition, offset, text = line.rstrip("\n").split("\t", 3)
                    message = json.loads(text)
                    key = identity(topic, message)
                    place = (segment["epoch"], topic, int(partition), int(offset))
                    if key in self.at:
                        self.duplicates += 1  # sent twice by the feed: never expected
                    self.at[key] = place
                    self.message[key] = message
                    self.epochs.add(segment["epoch"])
        self.last_epoch = max(self.epochs, default=0)


def stored(env):
    """Per identity, the (partition, offset) of every row that stored it."""
    rows = defaultdict(list)
    for symbol, us, p, o in sql(env, "select symbol, (extract(epoch from ts) * 1000000)::int8, src_partition, src_offset from market.quotes where src_partition is not null"):
        rows[("quote", symbol, int(us))].append((int(p), int(o)))
    for symbol, us, p, o in sql(env, "select symbol, (extract(epoch from ts) * 1000000)::int8, src_partition, src_offset from market.trades where src_partition is not null"):
        rows[("trade", symbol, int(us))].append((int(p), int(o)))
    for order, p, o in sql(env, "select order_id, src_partition, src_offset from trading.orders where src_partition is not null"):
        rows[("new", order)].append((int(p), int(o)))
    # A refused new order is in trading.orders too (with its refusal in trading.refused_commands):
    # counting both would see it twice.
    for order, p, o in sql(env, f"""
            select order_id, src_partition, src_offset from trading.order_events
            where (event = 'cancelled' and reason = 'requested')
               or (event = 'rejected' and reason in ({", ".join(f"'{r}'" for r in CANCEL_REJECTIONS)}))"""):
        rows[("cancel", order)].append((int(p), int(o)))
    dead = []
    for topic, p, o, reason, payload in sql(env, "select topic, kafka_partition, kafka_offset, error, encode(payload, 'hex') from ops.dead_letters"):
        try:
            key = identity(topic, json.loads(bytes.fromhex(payload)))
        except (ValueError, KeyError, TypeError):
            key = None
        dead.append((topic, p, o, reason, key))
        if key:
            rows[key].append((int(p), int(o)))
    return rows, dead


def check_messages(deliveries, rows, dead):
    """Every acknowledged message stored exactly once (or dead-lettered once with its reason), at the
    place the broker gave it; none stored that was not sent. A message may be missing only if the
    broker's in-memory log it was in was lost (a broker restart after it), and then only as the tail
    of its partition in that log: what the processor had consumed before is stored."""
    violations, notes = [], []
    for key, places in rows.items():
        if key not in deliveries.at:
            violations.append(f"stored but never acknowledged by the broker: {key} at {places}")
        elif len(places) > 1:
            violations.append(f"stored {len(places)} times: {key} at {places}")
        elif places[0] != deliveries.at[key][2:]:
            violations.append(f"stored from {places[0]}, sent to {deliveries.at[key][1:]}: {key}")
    for topic, p, o, reason, key in dead:
        if not reason:
            violations.append(f"dead letter without a reason: {topic}/{p}@{o}")
    missing = defaultdict(list)
    kept = defaultdict(list)
    for key, place in deliveries.at.items():
        group = place[:3]
        (kept if key in rows else missing)[group].append(place[3])
    lost = 0
    for group, offsets in missing.items():
        epoch = group[0]
        if epoch == deliveries.last_epoch:
            violations.append(f"{len(offsets)} messages of {group[1]}/{group[2]} never stored (no broker restart after them), "
                              f"offsets {sorted(offsets)[:5]}…")
            continue
        first_missing, last_kept = min(offsets), max(kept.get(group, [-1]))
        if last_kept > first_missing:
            violations.append(f"{group[1]}/{group[2]} in broker log {epoch}: offset {first_missing} missing but {last_kept} stored")
        lost += len(offsets)
    if lost:
        notes.append(f"{lost} messages lost with the broker's in-memory log (unconsumed when it restarted; allowed)")
    if deliveries.duplicates:
        violations.append(f"{deliveries.duplicates} messages acknowledged twice by the feed")
    notes.append(f"{len(deliveries.at)} messages acknowledged, {sum(1 for k in deliveries.at if k in rows)} stored, "
                 f"{len(dead)} dead letters")
    return "every message stored exactly once", violations, notes


def check_books(env, deliveries, rows):
    """The executions and each symbol's final published book equal a replay of the commands the
    pipeline applied (those it stored), in log order, through the reference matcher."""
    violations, notes = [], []
    engine_rejected = {order for (order,) in sql(env, f"""
        select distinct order_id from trading.order_events
        where event = 'rejected' and reason not in ({", ".join(f"'{r}'" for r in CANCEL_REJECTIONS)})""")}
    refused = {order for (order,) in sql(env, "select order_id from trading.refused_commands where order_id is not null")}
    commands = defaultdict(list)
    for key, place in deliveries.at.items():
        if key[0] not in ("new", "cancel") or key not in rows:
            continue
        if key[0] == "new" and (key[1] in engine_rejected or key[1] in refused):
            continue
        message = deliveries.message[key]
        commands[message["symbol"]].append((place[0], place[3], message))
    expected = Counter()
    books = {}
    for symbol, items in commands.items():
        book = Book()
        for _, _, message in sorted(items, key=lambda item: (item[0], item[1])):
            for price, quantity, maker, taker in book.apply(message):
                expected[(symbol, price, quantity, maker, taker)] += 1
        books[symbol] = book
    actual = Counter((s, Decimal(p), int(q), m, t) for s, p, q, m, t in sql(env, """
        select symbol, trim_scale(price)::text, quantity, maker_order_id, taker_order_id from trading.executions"""))
    if actual != expected:
        extra, absent = actual - expected, expected - actual
        violations.append(f"executions differ from the replay: {sum(extra.values())} not in it (e.g. {list(extra)[:2]}), "
                          f"{sum(absent.values())} missing (e.g. {list(absent)[:2]})")
    published = {symbol: json.loads(depth) for symbol, depth in sql(env, "select symbol, depth::text from trading.book_depth")}
    for symbol, book in books.items():
        mine = book.depth(10)
        theirs = published.get(symbol)
        if theirs is None:
            violations.append(f"{symbol}: no published book")
            continue
        for side in ("bids", "asks"):
            got = [(Decimal(level["price"]), int(level["quantity"]), int(level["orders"])) for level in theirs.get(side, [])][:10]
            if got != mine[side]:
                violations.append(f"{symbol} {side}: published {got[:3]}…, replay {mine[side][:3]}…")
    notes.append(f"{sum(expected.values())} executions replayed over {len(books)} books")
    return "order books equal a replay of the command log", violations, notes


def check_positions(env):
    """Every account's position equals the sum of its fills."""
    fills = Counter()
    for maker, taker, side, quantity, symbol in sql(env, """
            select coalesce(maker_account, ''), coalesce(taker_account, ''), aggressor_side, quantity, symbol from trading.executions"""):
        sign = 1 if side == "buy" else -1
        if taker:
            fills[(taker, symbol)] += sign * int(quantity)
        if maker:
            fills[(maker, symbol)] -= sign * int(quantity)
    positions = Counter({(a, s): int(q) for a, s, q in sql(env, "select account, symbol, quantity from trading.positions")})
    violations = [f"{a} {s}: position {positions[(a, s)]}, fills sum to {fills[(a, s)]}"
                  for (a, s) in set(fills) | set(positions) if positions[(a, s)] != fills[(a, s)]]
    return "positions equal the sum of fills", violations, [f"{len(positions)} positions, {sum(1 for v in fills.values() if v)} non-zero by fills"]


def check_risk_runs(env, methods, confidences, horizons):
    """Every stored risk run is whole: a metric row for each configured method, confidence and
    horizon, and its Greeks."""
    expected = {(m, Decimal(c), int(h)) for m in methods for c in confidences for h in horizons}
    runs = defaultdict(set)
    for run, method, confidence, horizon in sql(env, "select run_id, method, trim_scale(confidence)::text, horizon_days from risk.risk_metrics"):
        runs[run].add((method, Decimal(confidence), int(horizon)))
    greeks = {run for (run,) in sql(env, "select run_id from risk.portfolio_greeks")}
    violations = [f"run {run}: {len(got)} of {len(expected)} metrics" for run, got in runs.items() if got != expected]
    violations += [f"run {run}: no Greeks" for run in runs if run not in greeks]
    return "every risk run is complete", violations, [f"{len(runs)} runs"]
