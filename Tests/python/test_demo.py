"""`quant demo`, the README's first command after setup, end to end on the local stack: it brings
the pipeline up, prints live lines with throughput and risk, stops its services cleanly (exit 0
each) when the feed ends, and says where to look."""
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUANT = ROOT / ".build" / "debug" / "quant"


def test_quant_demo_runs_the_pipeline_and_stops_cleanly():
    assert os.environ.get("DATABASE_URL"), "run through scripts/test (it starts the stack)"
    result = subprocess.run([str(QUANT), "demo", "--rate", "500", "--seconds", "15", "--every", "3"],
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    # Live lines: a measured input rate, no lag left behind, books, and risk per portfolio.
    rates = [int(r.replace(",", "")) for r in re.findall(r"in ([\d,]+) msg/s", out)]
    assert rates and max(rates) > 250, out
    assert re.search(r"books [1-9]", out), out
    assert re.search(r"risk 99% 1d historical: \S+ VaR [\d,]+ ES [\d,]+", out), out
    # The desks' accounts traded: their fills moved the demo portfolios' positions (issue 18).
    # The session scheduler sent the last close of the instruments' calendar at start (issue 18).
    assert re.search(r"sessions: last close \d\d:\d\d:\d\d, DAY orders expired [\d,]+", out), out
    # Bars come from the stored rollups (issue 19).
    assert re.search(r"bars \(stored rollups\): [1-9][\d,]* one-minute bars today · AAPL \d\d:\d\d O [\d.]+ H [\d.]+ L [\d.]+ C [\d.]+ V [\d,]+ \((trade|quote_mid)\)", out), out
    assert re.search(r"desks' trading: \S+ [1-9][\d,]* fills, \d+ open positions, P&L realized -?[\d,]+ unrealized -?[\d,]+", out), out
    for service in ("processor", "risk-engine", "api"):
        assert f"{service}: exit 0" in out, out
    assert "curl -s http://127.0.0.1:8080/api/v1/market/data/AAPL" in out
    assert 'psql "postgres://analyst@' in out
