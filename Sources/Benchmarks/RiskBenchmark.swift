import Foundation
import MarketCore
import Risk

/// One timed benchmark case.
public struct RiskBenchmarkResult: Sendable, Hashable, Codable {
    public var name: String
    public var work: String
    /// Fastest of the repetitions, in seconds.
    public var bestSeconds: Double
    public var medianSeconds: Double
    /// Units of work per second at the best time (options, calls), when meaningful.
    public var perSecond: Double?
}

/// The issue-5 performance cases, on synthetic data, single-threaded. Run it from a release
/// build (`quant bench risk`); results belong in `docs/benchmarks.md`.
public enum RiskBenchmark {
    public static func run(
        options: Int = 1_000_000, positions: Int = 1_000, scenarios: Int = 1_000,
        paths: Int = 100_000, factors: Int = 20, repetitions: Int = 3
    ) throws(RiskError) -> [RiskBenchmarkResult] {
        var results: [RiskBenchmarkResult] = []
        var sink = 0.0

        // Baseline: the cost of the C maths the pricer is made of, so runs on different machines compare.
        let inputs = (0..<options).map { 0.5 + Double($0 % 1000) / 1000 }
        results.append(time("baseline exp+log", "\(options) × (exp + log)", count: options, repetitions) {
            var total = 0.0
            for x in inputs { total += exp(x) + log(x) }
            sink += total
        })

        let contracts: [OptionParameters] = (0..<options).map { (i: Int) -> OptionParameters in
            let strike: Double = 60 + Double(i % 81)
            let volatility: Double = 0.1 + Double(i % 50) / 100
            let years: Double = 0.05 + Double(i % 40) / 10
            return OptionParameters(
                right: i % 2 == 0 ? .call : .put, underlying: 100, strike: strike, rate: 0.03,
                dividendYield: 0.01, volatility: volatility, timeToExpiry: years)
        }
        var pricingError: RiskError?
        results.append(time("price + 5 Greeks", "\(options) European options, OptionPricer.valuation", count: options, repetitions) {
            var total = 0.0
            for contract in contracts {
                do throws(RiskError) {
                    let v = try OptionPricer.valuation(contract)
                    total += v.price + v.delta + v.gamma + v.vega + v.theta + v.rho
                } catch { pricingError = error }
            }
            sink += total
        })
        if let pricingError { throw pricingError }
        // The same options as columns, validated once (as NumPy gets its arrays), then priced in
        // SIMD blocks (OptionPricer.valuations): on one thread, then split across every core.
        // Results go into storage reused from run to run, as a risk engine's would be.
        let batch = try OptionBatch(contracts)
        var valued = OptionValuations(count: options)
        results.append(time("price + 5 Greeks, batched", "\(options) European options, OptionPricer.valuations (\(OptionPricer.batchWidth) at a time)",
                            count: options, repetitions) {
            OptionPricer.valuations(batch, into: &valued)
            sink += valued[options - 1].price
        })
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let slices = try (0..<cores).map { (k: Int) throws(RiskError) -> OptionBatch in
            try OptionBatch(Array(contracts[(options * k / cores)..<(options * (k + 1) / cores)]))
        }
        let outputs = slices.map { OutputSlot($0.count) }
        results.append(time("price + 5 Greeks, batched, \(cores) threads", "the same, one slice per core (DispatchQueue.concurrentPerform)",
                            count: options, repetitions) {
            DispatchQueue.concurrentPerform(iterations: cores) { k in
                OptionPricer.valuations(slices[k], into: &outputs[k].valuations)
            }
            sink += outputs[0].valuations[0].price
        })

        let historical = try syntheticRisk(positions: positions, factors: factors, days: scenarios)
        var scenarioError: RiskError?
        results.append(time(
            "historical VaR/ES", "\(positions) positions (half options), \(factors) factors, \(scenarios) scenarios, 3 confidences, full revaluation",
            count: nil, repetitions
        ) {
            do throws(RiskError) { sink += try historical.historical(horizons: [1])[0].valueAtRisk } catch { scenarioError = error }
        })
        let monteCarloBook = try syntheticRisk(positions: 2 * factors, factors: factors, days: 500)
        results.append(time(
            "Monte Carlo VaR/ES", "\(paths) paths, \(factors) factors, \(2 * factors) positions (half options), 3 confidences, full revaluation",
            count: nil, repetitions
        ) {
            do throws(RiskError) { sink += try monteCarloBook.monteCarlo(horizons: [1], paths: paths)[0].valueAtRisk } catch { scenarioError = error }
        })
        if let scenarioError { throw scenarioError }
        guard sink.isFinite else { throw .invalidParameter(name: "benchmark checksum", value: sink, requirement: "finite") }
        return results
    }

    private static func time(
        _ name: String, _ work: String, count: Int?, _ repetitions: Int, _ body: () -> Void
    ) -> RiskBenchmarkResult {
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let elapsed = clock.measure(body)
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        seconds.sort()
        return RiskBenchmarkResult(
            name: name, work: work, bestSeconds: seconds[0], medianSeconds: seconds[seconds.count / 2],
            perSecond: count.map { Double($0) / seconds[0] })
    }

    /// A book of `positions` on `factors` synthetic underlyings: alternately a stock and an option
    /// (calls and puts across strikes and expiries), with `days` daily returns of history.
    static func syntheticRisk(positions: Int, factors: Int, days: Int) throws(RiskError) -> PortfolioRisk {
        let symbols = (0..<factors).map { Symbol("F\($0)")! }
        var sampler = NormalSampler(seed: 2025)
        var rows: [(date: CivilDate, symbol: Symbol, close: Double)] = []
        var prices = [Double](repeating: 100, count: factors)
        for day in 0...days {
            let common = sampler.next()
            for j in 0..<factors {
                if day > 0 { prices[j] *= exp(0.012 * (0.6 * common + 0.8 * sampler.next())) }
                rows.append((CivilDate(dayNumber: 18_000 + day), symbols[j], prices[j]))
            }
        }
        let history = try PriceHistory(rows: rows)
        var book: [RiskPosition] = []
        for i in 0..<positions {
            let underlying = symbols[i % factors]
            let spot = prices[i % factors]
            if i % 2 == 0 {
                book.append(RiskPosition(id: "P\(i)", symbol: underlying, quantity: Double(100 + i % 7 * 10)))
            } else {
                book.append(RiskPosition(
                    id: "P\(i)", symbol: Symbol("O\(i)")!, quantity: Double(i % 5) - 2.5, multiplier: 100,
                    option: OptionLeg(
                        underlying: underlying, right: i % 4 == 1 ? .call : .put,
                        strike: (spot * (0.8 + Double(i % 9) * 0.05)).rounded(), timeToExpiry: 0.1 + Double(i % 12) / 6,
                        volatility: 0.2 + Double(i % 6) / 20)))
            }
        }
        return try PortfolioRisk(portfolio: Portfolio(positions: book, rate: 0.03), prices: history, lookback: days)
    }
}

/// One thread's results in the multi-threaded pricing case: each slot is written by its own thread only.
private final class OutputSlot: @unchecked Sendable {
    var valuations: OptionValuations
    init(_ count: Int) { valuations = OptionValuations(count: count) }
}
