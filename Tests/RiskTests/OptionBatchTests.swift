import CBatchPricer
import MarketCore
@testable import Risk
import Testing

/// The batched SIMD pricer against the scalar one it must equal: the benchmark's options to 1e-12
/// relative, and a grid of edges (deep in and out of the money, tiny and huge volatility and time,
/// zero volatility or time, negative rates, Black-76) within the bounds docs/risk.md states.
@Suite struct OptionBatchTests {
    /// `docs/benchmarks.md`'s options: spot 100, strikes 60…140, σ 0.10…0.59, T 0.05…3.95, r 3 %, q 1 %.
    static func benchmarkOptions(_ count: Int) -> [OptionParameters] {
        (0..<count).map { (i: Int) -> OptionParameters in
            let strike: Double = 60 + Double(i % 81)
            let volatility: Double = 0.1 + Double(i % 50) / 100
            let years: Double = 0.05 + Double(i % 40) / 10
            return OptionParameters(right: i % 2 == 0 ? .call : .put, underlying: 100, strike: strike, rate: 0.03,
                                    dividendYield: 0.01, volatility: volatility, timeToExpiry: years)
        }
    }

    static func fields(_ v: OptionValuation) -> [Double] { [v.price, v.delta, v.gamma, v.vega, v.theta, v.rho] }

    /// The largest |batch − scalar| / (relative·|scalar| + absolute) over every field of every
    /// option: at most 1 when every field is within bounds.
    static func worst(_ options: [OptionParameters], relative: Double, absolute: (OptionParameters) -> Double) throws
        -> (error: Double, at: String)
    {
        let batch = OptionPricer.valuations(try OptionBatch(options))
        var worst = (error: 0.0, at: "")
        for (i, option) in options.enumerated() {
            let scalar = fields(OptionPricer.uncheckedValuation(option)), vector = fields(batch[i])
            for f in 0..<6 {
                let error = abs(vector[f] - scalar[f]) / (relative * abs(scalar[f]) + absolute(option))
                if !(error <= worst.error) { worst = (error, "\(option) field \(f): \(vector[f]) vs \(scalar[f])") }
            }
        }
        return worst
    }

    @Test func theBenchmarksOptionsEqualTheScalarPricerTo1e12Relative() throws {
        let options = Self.benchmarkOptions(200_000)
        // 1e-12 relative; where a value is near zero, the sum of larger terms that cancel (a deep
        // out-of-the-money price of 1e-50, a theta changing sign), within 1e-16 of the spot instead.
        let result = try Self.worst(options, relative: 1e-12) { $0.underlying * 1e-16 }
        #expect(result.error <= 1, "\(result.at)")
        #expect(OptionPricer.batchWidth >= 1)
    }

    @Test func theEdgesStayWithinTheirStatedBounds() throws {
        var options: [OptionParameters] = []
        for strike in [1e-3, 1, 50, 99.9, 100, 100.1, 200, 1e4, 1e6] {
            for volatility in [0, 1e-6, 0.01, 0.2, 1, 5] {
                for time in [0, 1e-8, 1e-3, 0.5, 5, 50] {
                    for rate in [-0.02, 0, 0.05] {
                        for right in [Instrument.OptionRight.call, .put] {
                            for model in OptionPricingModel.allCases {
                                options.append(OptionParameters(right: right, underlying: 100, strike: strike, rate: rate,
                                                                dividendYield: 0.02, volatility: volatility, timeToExpiry: time, model: model))
                            }
                        }
                    }
                }
            }
        }
        // 1e-9 relative, plus 1e-14 of the larger of spot and strike where the value is the
        // difference of two nearly equal terms (a tiny σ√T at the money, a deep out-of-the-money
        // option): there the scalar pricer is no more exact than that either.
        let result = try Self.worst(options, relative: 1e-9) { max($0.underlying, $0.strike) * 1e-14 }
        #expect(result.error <= 1, "\(result.at)")
        // Zero volatility or time: exactly the scalar pricer's deterministic value.
        let deterministic = options.filter { $0.volatility == 0 || $0.timeToExpiry == 0 }
        let batch = OptionPricer.valuations(try OptionBatch(deterministic))
        for (i, option) in deterministic.enumerated() {
            #expect(batch[i] == OptionPricer.uncheckedValuation(option))
        }
    }

    /// From `QP_STREAM_MIN_OPTIONS` options on, the kernel streams results past the cache after a
    /// short head that aligns them: at every offset from a 64-byte boundary, and when the columns do
    /// not share one (no streaming), every result equals the cached path's bit for bit.
    @Test func streamedResultsEqualCachedOnesAtEveryAlignment() throws {
        let count = Int(QP_STREAM_MIN_OPTIONS) + 13
        let options = Self.benchmarkOptions(count)
        let batch = try OptionBatch(options)
        // The cached path: two halves, each under the threshold.
        let halves = try [options[..<(count / 2)], options[(count / 2)...]].map { OptionPricer.valuations(try OptionBatch(Array($0))) }
        let reference = (0..<count).map { Self.fields($0 < count / 2 ? halves[0][$0] : halves[1][$0 - count / 2]) }

        for (offset, stride) in (0..<8).map({ ($0, (count + 7) & ~7) }) + [(0, count)] {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: (6 * stride + 8) * 8, alignment: 64)
            defer { memory.deallocate() }
            let o = memory.bindMemory(to: Double.self, capacity: 6 * stride + 8) + offset
            var deterministic: Int32 = 0
            let width = batch.columns.withUnsafeBufferPointer { input in
                let a = input.baseAddress!, n = count
                return qp_price_batch(
                    qp_option_inputs(underlying: a, strike: a + n, volatility: a + 2 * n, time: a + 3 * n, rate: a + 4 * n,
                                     carry: a + 5 * n, sign: a + 6 * n, black76: a + 7 * n),
                    qp_option_outputs(price: o, delta: o + stride, gamma: o + 2 * stride, vega: o + 3 * stride,
                                      theta: o + 4 * stride, rho: o + 5 * stride),
                    count, &deterministic)
            }
            guard width > 0 else { return }  // no AVX2 here: the scalar pricer prices every batch
            var mismatches = 0
            for i in 0..<count {
                for f in 0..<6 where o[f * stride + i].bitPattern != reference[i][f].bitPattern { mismatches += 1 }
            }
            #expect(mismatches == 0 && deterministic == 0, "offset \(offset) doubles, column stride \(stride)")
        }
    }

    @Test func anyCountAndAnInvalidOption() throws {
        for count in [0, 1, 3, 7, 8, 9, 17] {
            let options = Self.benchmarkOptions(count)
            let batch = OptionPricer.valuations(try OptionBatch(options))
            #expect(batch.count == count)
            for (i, option) in options.enumerated() {
                #expect(abs(batch[i].price - OptionPricer.uncheckedValuation(option).price) <= 1e-12 * OptionPricer.uncheckedValuation(option).price)
            }
        }
        var options = Self.benchmarkOptions(3)
        options[1].volatility = -0.1
        #expect(throws: RiskError.self) { try OptionBatch(options) }
        // A row reads back as the contract it was made from.
        let contract = OptionParameters(right: .put, underlying: 50, strike: 55, rate: 0.04, dividendYield: 0.015,
                                        volatility: 0.3, timeToExpiry: 0.75)
        #expect(try OptionBatch([contract]).option(0) == contract)
    }
}
