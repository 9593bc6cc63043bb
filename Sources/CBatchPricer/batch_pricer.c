// The batched Black-Scholes kernel behind Risk's `OptionPricer.valuations` (docs/risk.md): the
// scalar pricer's formulas (OptionPricer.swift) over whole arrays, with glibc's libmvec exp and erfc
// (erfc 2.6x faster than SLEEF's here, and most of the cost; exp 1.4x) and SLEEF's log to 3.5 ULP
// (1.8x faster than its 1.0-ULP log, 1.4x than libmvec's; docs/benchmarks.md). Each width is
// compiled for its instruction set with a target attribute and chosen at run time, so the binary
// runs on any x86-64 and uses what the CPU has.
#include "batch_pricer.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// SLEEF's declarations in sleef.h are hidden unless the whole file targets the instruction set;
// these are the same functions of libsleef 3.x.
#define AVX512 __attribute__((target("avx512f"), const))
#define AVX2 __attribute__((target("avx2,fma"), const))
AVX512 __m512d Sleef_logd8_u35avx512f(__m512d);
AVX512 __m512d _ZGVeN8v_exp(__m512d);   // libmvec: exp, 8 lanes, AVX-512
AVX512 __m512d _ZGVeN8v_erfc(__m512d);  // libmvec: erfc, 8 lanes, AVX-512
AVX2 __m256d Sleef_logd4_u35avx2(__m256d);
AVX2 __m256d _ZGVdN4v_exp(__m256d);     // libmvec: exp, 4 lanes, AVX2
AVX2 __m256d _ZGVdN4v_erfc(__m256d);  // libmvec: erfc, 4 lanes, AVX2

typedef __m512d v8d;
typedef __m512i v8l;
typedef __m256d v4d;
typedef __m256i v4l;

// One block of W options from `in` at `i` into `out`: the scalar pricer's Terms and valuation.
#define PRICE_BLOCK(VD, VL, W, EXP, LOG, ERFC, SQRT, STORE)                                                \
    do {                                                                                             \
        VD s, k, v, t, r, b, sign, b76;                                                              \
        memcpy(&s, in->underlying + i, sizeof s); memcpy(&k, in->strike + i, sizeof k);              \
        memcpy(&v, in->volatility + i, sizeof v); memcpy(&t, in->time + i, sizeof t);                \
        memcpy(&r, in->rate + i, sizeof r); memcpy(&b, in->carry + i, sizeof b);                     \
        memcpy(&sign, in->sign + i, sizeof sign); memcpy(&b76, in->black76 + i, sizeof b76);         \
        VD carryDiscount = (VD)EXP((b - r) * t);                                                      \
        VD forward = s * carryDiscount;                                                              \
        VD strikeValue = k * (VD)EXP(-r * t);                                                         \
        VD sqrtT = (VD)SQRT(t);                                                                       \
        VD stdDev = v * sqrtT;                                                                       \
        VD invStdDev = 1.0 / stdDev; /* one division where the scalar pricer has three */            \
        VD d1 = ((VD)LOG(s / k) + (b + 0.5 * v * v) * t) * invStdDev;                                 \
        VD d2 = d1 - stdDev;                                                                         \
        VD nd1 = 0.5 * (VD)ERFC(sign * d1 * -0.70710678118654752440);                                 \
        VD nd2 = 0.5 * (VD)ERFC(sign * d2 * -0.70710678118654752440);                                 \
        VD density = 0.39894228040143267794 * (VD)EXP(-0.5 * d1 * d1);                                \
        VD price = sign * (forward * nd1 - strikeValue * nd2);                                       \
        VD delta = sign * carryDiscount * nd1;                                                       \
        VD gamma = carryDiscount * density * invStdDev / s;                                          \
        VD vega = forward * density * sqrtT;                                                         \
        /* σ/(2√T) = σ²/(2σ√T) */                                                                     \
        VD theta = -forward * density * (0.5 * v * v) * invStdDev - sign * (b - r) * forward * nd1   \
                   - sign * r * strikeValue * nd2;                                                   \
        VL isB76 = b76 > 0.5;                                                                        \
        VD rho = (VD)(((VL)(-t * price) & isB76) | ((VL)(sign * t * strikeValue * nd2) & ~isB76));   \
        /* No volatility or no time: NaN, the caller's scalar pricer values it. */                   \
        VL live = stdDev > 0;                                                                        \
        VD nan = (VD){0} + NAN;                                                                      \
        dead |= ~live;                                                                               \
        price = (VD)(((VL)price & live) | ((VL)nan & ~live));                                        \
        STORE(out->price + i, price); STORE(out->delta + i, delta); STORE(out->gamma + i, gamma);     \
        STORE(out->vega + i, vega); STORE(out->theta + i, theta); STORE(out->rho + i, rho);          \
    } while (0)

// Options [START, START + REST), REST < W, at the head or the tail of the batch: copied into a full
// block padded with a harmless option, priced, and only their results copied back.
#define PRICE_PART(VD, VL, W, EXP, LOG, ERFC, SQRT, START, REST)                                      \
    do {                                                                                             \
        size_t start = (START), rest = (REST);                                                       \
        if (rest == 0) break;                                                                        \
        double pad[8][W], res[6][W];                                                                 \
        const double fill[8] = {1, 1, 0.2, 1, 0, 0, 1, 0};                                           \
        const double *src[8] = {inputs.underlying, inputs.strike, inputs.volatility, inputs.time,    \
                                inputs.rate, inputs.carry, inputs.sign, inputs.black76};             \
        for (int f = 0; f < 8; f++)                                                                  \
            for (size_t j = 0; j < W; j++) pad[f][j] = j < rest ? src[f][start + j] : fill[f];       \
        qp_option_inputs padded = {pad[0], pad[1], pad[2], pad[3], pad[4], pad[5], pad[6], pad[7]};  \
        qp_option_outputs into = {res[0], res[1], res[2], res[3], res[4], res[5]};                   \
        {                                                                                            \
            const qp_option_inputs *in = &padded;                                                    \
            qp_option_outputs *out = &into;                                                          \
            size_t i = 0;                                                                            \
            PRICE_BLOCK(VD, VL, W, EXP, LOG, ERFC, SQRT, STORE_CACHED);                              \
        }                                                                                            \
        double *dst[6] = {outputs.price, outputs.delta, outputs.gamma, outputs.vega, outputs.theta,  \
                          outputs.rho};                                                              \
        for (int f = 0; f < 6; f++) memcpy(dst[f] + start, res[f], rest * sizeof(double));           \
    } while (0)

#define STORE_CACHED(p, x) memcpy((p), &(x), sizeof(x))
#define STORE_STREAM512(p, x) _mm512_stream_pd((p), (x))
#define STORE_STREAM256(p, x) _mm256_stream_pd((p), (x))

// From this many options on, results bypass the cache (non-temporal stores): inputs and results
// (112 bytes an option, 29 MB at this size) no longer fit a server's share of last-level cache, so a
// cached store would first read each result line from memory only to overwrite it. Measured on
// 1M options: 0.91x the time in a C harness, 0.95x on two threads in `quant bench risk`, within the
// noise on one (docs/benchmarks.md). Smaller batches stay in the cache for their reader.
#define STREAM_MIN_OPTIONS QP_STREAM_MIN_OPTIONS

// Whether the six result columns can be streamed: the same offset from an `align`-byte boundary
// (then one short head aligns them all).
static int sameAlignment(qp_option_outputs o, uintptr_t align) {
    uintptr_t a = (uintptr_t)o.price % align;
    return (uintptr_t)o.delta % align == a && (uintptr_t)o.gamma % align == a && (uintptr_t)o.vega % align == a
        && (uintptr_t)o.theta % align == a && (uintptr_t)o.rho % align == a && a % sizeof(double) == 0;
}

// The whole batch at width W: a head of plain stores up to the alignment when streaming, full
// blocks, then the tail.
#define PRICE_ALL(VD, VL, W, EXP, LOG, ERFC, SQRT, STREAM)                                             \
    do {                                                                                             \
        const qp_option_inputs *in = &inputs;                                                        \
        qp_option_outputs *out = &outputs;                                                           \
        const uintptr_t align = W * sizeof(double);                                                  \
        int stream = count >= STREAM_MIN_OPTIONS && sameAlignment(outputs, align);                    \
        size_t i = stream ? ((align - (uintptr_t)outputs.price % align) % align) / sizeof(double) : 0; \
        PRICE_PART(VD, VL, W, EXP, LOG, ERFC, SQRT, 0, i);                                            \
        if (stream) {                                                                                \
            for (; i + W <= count; i += W) PRICE_BLOCK(VD, VL, W, EXP, LOG, ERFC, SQRT, STREAM);     \
            _mm_sfence(); /* the streamed lines are visible before the caller hands them on */       \
        } else {                                                                                     \
            for (; i + W <= count; i += W) PRICE_BLOCK(VD, VL, W, EXP, LOG, ERFC, SQRT, STORE_CACHED); \
        }                                                                                            \
        PRICE_PART(VD, VL, W, EXP, LOG, ERFC, SQRT, i, count - i);                                    \
    } while (0)

__attribute__((target("avx512f"))) static int price512(qp_option_inputs inputs, qp_option_outputs outputs, size_t count) {
    v8l dead = {0};
    PRICE_ALL(v8d, v8l, 8, _ZGVeN8v_exp, Sleef_logd8_u35avx512f, _ZGVeN8v_erfc, _mm512_sqrt_pd, STORE_STREAM512);
    long long any = 0;
    for (int j = 0; j < 8; j++) any |= dead[j];
    return any != 0;
}

__attribute__((target("avx2,fma"))) static int price256(qp_option_inputs inputs, qp_option_outputs outputs, size_t count) {
    v4l dead = {0};
    PRICE_ALL(v4d, v4l, 4, _ZGVdN4v_exp, Sleef_logd4_u35avx2, _ZGVdN4v_erfc, _mm256_sqrt_pd, STORE_STREAM256);
    long long any = 0;
    for (int j = 0; j < 4; j++) any |= dead[j];
    return any != 0;
}

// One block of W scenario prices from `u` at `i` into `p`: ScenarioPricer.price's formula.
#define SCENARIO_BLOCK(VD, EXP_UNUSED, LOG, ERFC)                                                    \
    do {                                                                                             \
        VD s;                                                                                        \
        memcpy(&s, u + i, sizeof s);                                                                 \
        VD forward = s * o.carryDiscount;                                                            \
        VD d1 = ((VD)LOG(s / o.strike) + o.drift) / o.stdDev;                                        \
        VD nd1 = 0.5 * (VD)ERFC(o.sign * d1 * -0.70710678118654752440);                              \
        VD nd2 = 0.5 * (VD)ERFC(o.sign * (d1 - o.stdDev) * -0.70710678118654752440);                  \
        VD price = o.sign * (forward * nd1 - o.strikeValue * nd2);                                   \
        memcpy(p + i, &price, sizeof price);                                                         \
    } while (0)

#define SCENARIO_PRICES(VD, W, LOG, ERFC)                                                             \
    do {                                                                                             \
        size_t i = 0;                                                                                \
        const double *u = underlying;                                                                \
        double *p = price;                                                                           \
        for (; i + W <= count; i += W) SCENARIO_BLOCK(VD, 0, LOG, ERFC);                             \
        size_t rest = count - i;                                                                     \
        if (rest == 0) break;                                                                        \
        double padIn[W], padOut[W];                                                                  \
        for (size_t j = 0; j < W; j++) padIn[j] = j < rest ? underlying[i + j] : o.strike;           \
        size_t tail = i;                                                                             \
        u = padIn; p = padOut; i = 0;                                                                \
        SCENARIO_BLOCK(VD, 0, LOG, ERFC);                                                            \
        memcpy(price + tail, padOut, rest * sizeof(double));                                         \
    } while (0)

__attribute__((target("avx512f"))) static void scenario512(qp_scenario_option o, const double *underlying, double *price, size_t count) {
    SCENARIO_PRICES(v8d, 8, Sleef_logd8_u35avx512f, _ZGVeN8v_erfc);
}

__attribute__((target("avx2,fma"))) static void scenario256(qp_scenario_option o, const double *underlying, double *price, size_t count) {
    SCENARIO_PRICES(v4d, 4, Sleef_logd4_u35avx2, _ZGVdN4v_erfc);
}

int qp_scenario_prices(qp_scenario_option option, const double *underlying, double *price, size_t count) {
    int width = qp_batch_width();
    if (width == 8) scenario512(option, underlying, price, count);
    else if (width == 4) scenario256(option, underlying, price, count);
    return width;
}

#define EXP_ARRAY(VD, W, EXP)                                                                         \
    do {                                                                                             \
        size_t i = 0;                                                                                \
        for (; i + W <= count; i += W) {                                                             \
            VD v;                                                                                    \
            memcpy(&v, x + i, sizeof v);                                                             \
            v = (VD)EXP(v);                                                                          \
            memcpy(y + i, &v, sizeof v);                                                             \
        }                                                                                            \
        if (i == count) break;                                                                       \
        double pad[W] = {0};                                                                         \
        memcpy(pad, x + i, (count - i) * sizeof(double));                                            \
        VD v;                                                                                        \
        memcpy(&v, pad, sizeof v);                                                                   \
        v = (VD)EXP(v);                                                                              \
        memcpy(pad, &v, sizeof v);                                                                   \
        memcpy(y + i, pad, (count - i) * sizeof(double));                                            \
    } while (0)

__attribute__((target("avx512f"))) static void exp512(const double *x, double *y, size_t count) {
    EXP_ARRAY(v8d, 8, _ZGVeN8v_exp);
}

__attribute__((target("avx2,fma"))) static void exp256(const double *x, double *y, size_t count) {
    EXP_ARRAY(v4d, 4, _ZGVdN4v_exp);
}

int qp_exp(const double *x, double *y, size_t count) {
    int width = qp_batch_width();
    if (width == 8) exp512(x, y, count);
    else if (width == 4) exp256(x, y, count);
    return width;
}

int qp_batch_width(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 8;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 4;
    return 0;
}

int qp_price_batch(qp_option_inputs inputs, qp_option_outputs outputs, size_t count, int *deterministic) {
    int width = qp_batch_width();
    *deterministic = 0;
    if (width == 8) *deterministic = price512(inputs, outputs, count);
    else if (width == 4) *deterministic = price256(inputs, outputs, count);
    return width;
}
