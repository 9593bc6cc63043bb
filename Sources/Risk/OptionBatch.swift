import CBatchPricer

/// European options as columns (struct of arrays), validated once: the input of the batched
/// pricer `OptionPricer.valuations`, which prices them 4 or 8 at a time with SIMD `exp`, `log` and
/// `erfc` (libmvec and SLEEF). Rows keep the order they were given in.
public struct OptionBatch: Sendable {
    /// underlying, strike, volatility, time, rate, carry, sign (+1 call, −1 put), black76 (1 or 0):
    /// each `count` long, one after the other (the C kernel's `qp_option_inputs`).
    private(set) var columns: [Double]
    public let count: Int

    /// Throws for the first invalid option (`OptionParameters.validated()`).
    public init(_ options: [OptionParameters]) throws(RiskError) {
        count = options.count
        columns = [Double](repeating: 0, count: 8 * options.count)
        for (i, option) in options.enumerated() {
            let p = try option.validated()
            let n = options.count
            columns[i] = p.underlying
            columns[n + i] = p.strike
            columns[2 * n + i] = p.volatility
            columns[3 * n + i] = p.timeToExpiry
            columns[4 * n + i] = p.rate
            columns[5 * n + i] = p.carry
            columns[6 * n + i] = p.right == .call ? 1 : -1
            columns[7 * n + i] = p.model == .black76 ? 1 : 0
        }
    }

    /// The option of row `i`, as the scalar pricer takes it.
    public func option(_ i: Int) -> OptionParameters {
        let n = count
        let black76 = columns[7 * n + i] == 1
        let rate = columns[4 * n + i]
        return OptionParameters(
            right: columns[6 * n + i] > 0 ? .call : .put, underlying: columns[i], strike: columns[n + i], rate: rate,
            dividendYield: black76 ? 0 : rate - columns[5 * n + i], volatility: columns[2 * n + i],
            timeToExpiry: columns[3 * n + i], model: black76 ? .black76 : .blackScholesMerton)
    }
}

/// Prices and Greeks of an `OptionBatch`, row by row.
public struct OptionValuations: Sendable {
    /// price, delta, gamma, vega, theta, rho: each `count` long, one after the other, `stride` apart.
    var columns: [Double]
    public let count: Int
    /// `count` rounded up to 8 rows (64 bytes), so the six columns share one alignment and the
    /// kernel can stream large batches past the cache (`QP_STREAM_MIN_OPTIONS`).
    let stride: Int

    /// Room for `count` results; `OptionPricer.valuations(_:into:)` fills it again and again.
    public init(count: Int) {
        self.count = count
        stride = (count + 7) & ~7
        columns = [Double](repeating: 0, count: 6 * stride)
    }

    public subscript(i: Int) -> OptionValuation {
        let n = stride
        return OptionValuation(price: columns[i], delta: columns[n + i], gamma: columns[2 * n + i], vega: columns[3 * n + i],
                               theta: columns[4 * n + i], rho: columns[5 * n + i])
    }

    public var prices: ArraySlice<Double> { columns[0..<count] }

    mutating func set(_ i: Int, _ v: OptionValuation) {
        let n = stride
        (columns[i], columns[n + i], columns[2 * n + i]) = (v.price, v.delta, v.gamma)
        (columns[3 * n + i], columns[4 * n + i], columns[5 * n + i]) = (v.vega, v.theta, v.rho)
    }
}

extension OptionPricer {
    /// How many options the batched pricer takes at once on this CPU: 8 (AVX-512), 4 (AVX2 with
    /// FMA), or 1 (neither: `valuations` prices one by one with the scalar pricer).
    public static let batchWidth: Int = max(1, Int(qp_batch_width()))

    /// Price and the five Greeks of every option of `batch`: the scalar pricer's formulas
    /// (`valuation`) over whole columns with SIMD `exp`, `log` and `erfc` (libmvec and SLEEF, within 4 ULP),
    /// so each result agrees with `valuation`'s to about 1e-12 relative. Options with zero
    /// volatility or time (their deterministic value) and CPUs without AVX2 take the scalar pricer.
    public static func valuations(_ batch: OptionBatch) -> OptionValuations {
        var out = OptionValuations(count: batch.count)
        valuations(batch, into: &out)
        return out
    }

    /// `valuations(batch)` into `out`, whose storage is reused when it has `batch.count` rows (a
    /// fresh 6 × 8 bytes per option costs the kernel's time again in page faults).
    public static func valuations(_ batch: OptionBatch, into out: inout OptionValuations) {
        if out.count != batch.count { out = OptionValuations(count: batch.count) }
        guard batch.count > 0 else { return }
        let n = batch.count, m = out.stride
        var deterministic: Int32 = 0
        let width = batch.columns.withUnsafeBufferPointer { input in
            out.columns.withUnsafeMutableBufferPointer { output in
                let a = input.baseAddress!, o = output.baseAddress!
                return qp_price_batch(
                    qp_option_inputs(underlying: a, strike: a + n, volatility: a + 2 * n, time: a + 3 * n, rate: a + 4 * n,
                                     carry: a + 5 * n, sign: a + 6 * n, black76: a + 7 * n),
                    qp_option_outputs(price: o, delta: o + m, gamma: o + 2 * m, vega: o + 3 * m, theta: o + 4 * m, rho: o + 5 * m),
                    n, &deterministic)
            }
        }
        if width == 0 {
            for i in 0..<n { out.set(i, uncheckedValuation(batch.option(i))) }
        } else if deterministic != 0 {
            for i in 0..<n where out.columns[i].isNaN { out.set(i, uncheckedValuation(batch.option(i))) }
        }
    }
}
