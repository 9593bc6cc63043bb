"""`quant book replay` remembers closed orders' ids as the processor does (`--closed-order-memory`,
`processor.closedOrderMemory`): a new order reusing a remembered id is refused, a forgotten one is
accepted again."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"
ORDER = {"type": "new", "order_id": "a1", "symbol": "AAPL", "side": "buy", "order_type": "limit",
         "price": "189.00", "quantity": 10, "time_in_force": "gtc"}
STREAM = "\n".join(json.dumps(c) for c in [ORDER, {"type": "cancel", "order_id": "a1", "symbol": "AAPL"}, ORDER]) + "\n"


def replay(*options):
    result = subprocess.run([str(QUANT), "book", "replay", *options, "-"], input=STREAM,
                            capture_output=True, text=True, timeout=30, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def third_report(lines):
    return [line for line in lines if line["type"] == "execution_report"][2]


def test_a_remembered_closed_id_is_refused():
    report = third_report(replay())
    assert (report["status"], report.get("reason")) == ("rejected", "duplicate_order_id")


def test_a_forgotten_closed_id_is_accepted_again():
    lines = replay("--closed-order-memory", "0")
    assert third_report(lines)["status"] == "accepted"
    assert lines[-1] == {"type": "depth", "symbol": "AAPL", "asks": [], "bids": [{"orders": 1, "price": "189", "quantity": 10}]}


def test_a_negative_memory_is_refused():
    result = subprocess.run([str(QUANT), "book", "replay", "--closed-order-memory=-1", "-"], input=STREAM,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "--closed-order-memory must not be negative" in result.stderr
