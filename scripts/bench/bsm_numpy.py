#!/usr/bin/env python3
"""Vectorised NumPy/SciPy Black-Scholes-Merton price + 5 Greeks: issue 5's comparison for `quant bench risk`.

The same formulas and units as the Swift `OptionPricer.valuation` (docs/risk.md): continuous dividend
yield q (cost of carry b = r - q), vega per 1.00 of volatility, theta per year, rho per 1.00 of rate.
The inputs are exactly those of `RiskBenchmark.run` (Sources/Risk/RiskBenchmark.swift), regenerated
from the same deterministic formula: option i has spot 100, strike 60 + i % 81,
volatility 0.1 + (i % 50)/100, time 0.05 + (i % 40)/10 years, r = 0.03, q = 0.01, calls at even i.

Single-threaded (thread pools pinned to 1 before NumPy is imported); the best of --repetitions runs.
Before timing it checks its numbers against scalar scipy.stats.norm formulas and Hull's published
values and exits 1 if any is off. Exit 3: NumPy or SciPy is not installed.
Prints {"options": N, "best_seconds": s, "options_per_second": r} (plus the median) on stdout.

    .venv/bin/python scripts/bench/bsm_numpy.py [--options 1000000] [--repetitions 5]
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # OPENBLAS_CORETYPE is the machine's; leave it alone.

import argparse
import json
import math
import sys
import time

try:
    import numpy as np
    from scipy.special import ndtr
    from scipy.stats import norm
except ImportError as error:  # the caller reports "skipped" with this message
    print(f"NumPy/SciPy not installed: {error} (run scripts/setup)", file=sys.stderr)
    sys.exit(3)

RATE = 0.03
DIVIDEND_YIELD = 0.01
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def benchmark_inputs(n):
    """RiskBenchmark.run's contracts: (is_call, spot, strike, vol, years) arrays."""
    i = np.arange(n)
    is_call = i % 2 == 0
    spot = np.full(n, 100.0)
    strike = 60.0 + (i % 81)
    vol = 0.1 + (i % 50) / 100.0
    years = 0.05 + (i % 40) / 10.0
    return is_call, spot, strike, vol, years


def valuation(is_call, spot, strike, vol, years, rate, dividend_yield):
    """Price, delta, gamma, vega, theta, rho (arrays) for sigma*sqrt(T) > 0; r and q scalars."""
    sign = np.where(is_call, 1.0, -1.0)
    carry = rate - dividend_yield
    sqrt_t = np.sqrt(years)
    std_dev = vol * sqrt_t
    carry_discount = np.exp((carry - rate) * years)
    forward_value = spot * carry_discount  # S e^((b-r)T)
    strike_value = strike * np.exp(-rate * years)  # K e^(-rT)
    d1 = (np.log(spot / strike) + (carry + 0.5 * vol * vol) * years) / std_dev
    d2 = d1 - std_dev
    nd1 = ndtr(sign * d1)
    nd2 = ndtr(sign * d2)
    density = np.exp(-0.5 * d1 * d1) * INV_SQRT_2PI
    price = sign * (forward_value * nd1 - strike_value * nd2)
    delta = sign * carry_discount * nd1
    gamma = carry_discount * density / (spot * std_dev)
    vega = forward_value * density * sqrt_t
    theta = (-forward_value * density * vol / (2.0 * sqrt_t)
             - sign * (carry - rate) * forward_value * nd1
             - sign * rate * strike_value * nd2)
    rho = sign * years * strike_value * nd2
    return price, delta, gamma, vega, theta, rho


def scalar_valuation(is_call, s, k, vol, t, r, q):
    """Textbook BSM with scipy.stats.norm, one option at a time (the reference)."""
    d1 = (math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / (vol * math.sqrt(t))
    d2 = d1 - vol * math.sqrt(t)
    df, qf = math.exp(-r * t), math.exp(-q * t)
    gamma = qf * norm.pdf(d1) / (s * vol * math.sqrt(t))
    vega = s * qf * norm.pdf(d1) * math.sqrt(t)
    decay = -s * qf * norm.pdf(d1) * vol / (2 * math.sqrt(t))
    if is_call:
        price = s * qf * norm.cdf(d1) - k * df * norm.cdf(d2)
        delta = qf * norm.cdf(d1)
        theta = decay + q * s * qf * norm.cdf(d1) - r * k * df * norm.cdf(d2)
        rho = k * t * df * norm.cdf(d2)
    else:
        price = k * df * norm.cdf(-d2) - s * qf * norm.cdf(-d1)
        delta = -qf * norm.cdf(-d1)
        theta = decay - q * s * qf * norm.cdf(-d1) + r * k * df * norm.cdf(-d2)
        rho = -k * t * df * norm.cdf(-d2)
    return price, delta, gamma, vega, theta, rho


def one(is_call, s, k, vol, t, r, q):
    values = valuation(np.array([is_call]), np.array([s]), np.array([k]), np.array([vol]), np.array([t]), r, q)
    return [float(v[0]) for v in values]


def check():
    """Returns a list of failures (empty when every number is right)."""
    failures = []
    names = ("price", "delta", "gamma", "vega", "theta", "rho")

    def expect(label, got, want, tolerance):
        if not abs(got - want) <= tolerance:
            failures.append(f"{label}: got {got!r}, expected {want!r} ± {tolerance}")

    # Hull, Options, Futures, and Other Derivatives: Example 15.6 (S=42, K=40, r=10%, σ=20%, T=0.5):
    # call 4.76, put 0.81.
    expect("Hull 15.6 call", one(True, 42, 40, 0.2, 0.5, 0.1, 0.0)[0], 4.76, 0.005)
    expect("Hull 15.6 put", one(False, 42, 40, 0.2, 0.5, 0.1, 0.0)[0], 0.81, 0.005)
    # Hull ch. 19 (S=49, K=50, r=5%, σ=20%, T=20/52), call: delta 0.522, gamma 0.066,
    # vega 12.1 per 1.00 of vol, theta -4.31 per year, rho 8.91 per 1.00 of rate.
    _, delta, gamma, vega, theta, rho = one(True, 49, 50, 0.2, 20 / 52, 0.05, 0.0)
    expect("Hull 19 delta", delta, 0.522, 0.0005)
    expect("Hull 19 gamma", gamma, 0.066, 0.0005)
    expect("Hull 19 vega", vega, 12.1, 0.05)
    expect("Hull 19 theta", theta, -4.31, 0.005)
    expect("Hull 19 rho", rho, 8.91, 0.005)

    # Against the scalar scipy.stats.norm formulas on a spread of benchmark inputs and a few extremes.
    is_call, spot, strike, vol, years = benchmark_inputs(4000)
    batch = valuation(is_call, spot, strike, vol, years, RATE, DIVIDEND_YIELD)
    points = [(bool(is_call[i]), 100.0, float(strike[i]), float(vol[i]), float(years[i]), RATE, DIVIDEND_YIELD, i)
              for i in (0, 1, 2, 3, 17, 40, 81, 399, 1234, 3999)]
    extremes = [(True, 100.0, 300.0, 0.15, 0.1, 0.05, 0.02), (False, 100.0, 30.0, 0.15, 0.1, 0.05, 0.02),
                (True, 100.0, 100.0, 1.5, 5.0, -0.01, 0.03), (False, 250.0, 200.0, 0.05, 0.01, 0.2, 0.0)]
    cases = [(p, [float(v[p[-1]]) for v in batch]) for p in points]
    cases += [(p + (None,), one(*p)) for p in extremes]
    for (call, s, k, v, t, r, q, _), got in cases:
        want = scalar_valuation(call, s, k, v, t, r, q)
        for name, g, w in zip(names, got, want):
            expect(f"{'call' if call else 'put'} S={s} K={k} σ={v} T={t} r={r} q={q} {name}",
                   g, w, 1e-9 * max(1.0, abs(w)))

    # Greeks against central differences of the vectorised price; put-call parity.
    s, k, v, t, r, q = 95.0, 100.0, 0.3, 0.75, 0.04, 0.015
    for call in (True, False):
        price = lambda **bump: one(call, bump.get("s", s), k, bump.get("v", v), bump.get("t", t),
                                   bump.get("r", r), q)[0]
        _, delta, gamma, vega, theta, rho = one(call, s, k, v, t, r, q)
        h = 1e-4
        expect(f"fd delta {call}", delta, (price(s=s + h) - price(s=s - h)) / (2 * h), 1e-6)
        expect(f"fd gamma {call}", gamma, (price(s=s + 1e-2) - 2 * price() + price(s=s - 1e-2)) / 1e-4, 1e-5)
        expect(f"fd vega {call}", vega, (price(v=v + h) - price(v=v - h)) / (2 * h), 1e-5)
        expect(f"fd theta {call}", theta, -(price(t=t + h) - price(t=t - h)) / (2 * h), 1e-5)
        # BSM rho moves r with q fixed, so the carry b = r - q moves too.
        expect(f"fd rho {call}", rho, (price(r=r + h) - price(r=r - h)) / (2 * h), 1e-5)
    call_price, put_price = one(True, s, k, v, t, r, q)[0], one(False, s, k, v, t, r, q)[0]
    expect("put-call parity", call_price - put_price, s * math.exp(-q * t) - k * math.exp(-r * t), 1e-10)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--options", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    if args.options <= 0 or args.repetitions <= 0:
        parser.error("--options and --repetitions must be positive")

    failures = check()
    if failures:
        print("bsm_numpy.py: wrong numbers:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)

    inputs = benchmark_inputs(args.options)
    seconds = []
    checksum = 0.0
    for _ in range(args.repetitions):
        start = time.perf_counter()
        values = valuation(*inputs, RATE, DIVIDEND_YIELD)
        seconds.append(time.perf_counter() - start)
        checksum = float(sum(v.sum() for v in values))
    if not math.isfinite(checksum):
        print(f"bsm_numpy.py: non-finite checksum {checksum}", file=sys.stderr)
        sys.exit(1)
    seconds.sort()
    best = seconds[0]
    print(json.dumps({
        "options": args.options,
        "best_seconds": best,
        "median_seconds": seconds[len(seconds) // 2],
        "options_per_second": args.options / best,
        "checksum": checksum,
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
