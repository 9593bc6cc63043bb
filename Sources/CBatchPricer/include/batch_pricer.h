#ifndef QUANT_BATCH_PRICER_H
#define QUANT_BATCH_PRICER_H

#include <stddef.h>

/// European options in struct-of-arrays form, validated by the caller (Risk's `OptionBatch`):
/// underlying > 0, strike > 0, volatility >= 0, time >= 0, all finite. `sign` is +1 for a call,
/// -1 for a put; `black76` is 1 for Black-76 (rho = -t * price), 0 for Black-Scholes-Merton;
/// `carry` is the cost of carry b (r - q, or 0 for Black-76).
typedef struct {
    const double *underlying, *strike, *volatility, *time, *rate, *carry, *sign, *black76;
} qp_option_inputs;

typedef struct {
    double *price, *delta, *gamma, *vega, *theta, *rho;
} qp_option_outputs;

/// Prices `count` options with libmvec's vector exp and erfc and SLEEF's log: AVX-512 (8 at a
/// time) or AVX2 with FMA (4 at a time), whichever the CPU has. From `QP_STREAM_MIN_OPTIONS`
/// options on, results whose six columns share one alignment are written around the cache. Returns the lane width used, or 0 when the CPU has
/// neither (nothing was written: price them one by one). An option with zero volatility or time
/// gets a NaN price, and `*deterministic` is set to 1: its value is the caller's (the scalar
/// pricer's) to give.
int qp_price_batch(qp_option_inputs inputs, qp_option_outputs outputs, size_t count, int *deterministic);

/// The batch size from which `qp_price_batch` streams its results (non-temporal stores).
#define QP_STREAM_MIN_OPTIONS 262144

/// One option's price as a function of the underlying alone (Risk's `ScenarioPricer`): what does
/// not depend on it, computed once. `stdDev` (σ√T) must be positive.
typedef struct {
    double sign, carryDiscount, strike, strikeValue, drift, stdDev;
} qp_scenario_option;

/// The option's price at each of `count` underlying prices (scenario revaluation: one log and two
/// erfc each). Returns the lane width used, or 0 when the CPU has neither AVX-512 nor AVX2
/// (nothing was written).
int qp_scenario_prices(qp_scenario_option option, const double *underlying, double *price, size_t count);

/// y[i] = exp(x[i]) for `count` values with libmvec's exp (within 4 ULP; exp(0) = 1 exactly). Returns the
/// lane width used, or 0 (nothing written) without AVX-512 or AVX2.
int qp_exp(const double *x, double *y, size_t count);

/// The lane width `qp_price_batch` would use on this CPU (8, 4 or 0).
int qp_batch_width(void);

#endif
