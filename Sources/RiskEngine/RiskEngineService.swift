import Foundation
import Logging
import PipelineContracts
import PortfolioValuation
import PostgresNIO
import Risk
import ServiceLifecycle
import Store

/// # RiskEngine
///
/// The `quant risk-engine` service: keeps every portfolio's VaR, ES and Greeks current in Postgres.
/// It owns the cycle (when to recompute what), the reading of inputs (`RiskInputsReader`) and the
/// storing of results (`RiskRunWriter`); the maths is the `Risk` core's, reached through
/// `PortfolioRiskCalculator`. May import: `Risk`, `MarketCore`, `Store`, `QuantConfig`,
/// postgres-nio, swift-log, swift-service-lifecycle. See docs/risk.md, "Risk engine".
///
/// A cycle values each portfolio on its own: one that cannot be valued (too little history, an
/// expired option, …) is logged with a typed `RiskEngineError` and skipped; the others go on.
/// Cycles run every `interval`, and `debounce` after an `md_trades` notification for the
/// portfolios holding (an option on) a symbol that traded, or after a `risk_positions`
/// notification for the portfolio whose positions changed. On graceful shutdown (SIGTERM/SIGINT in a
/// `ServiceGroup`) the current cycle finishes and `run()` returns.
public struct RiskEngineService: Service {
    public let configuration: RiskEngineConfiguration
    public let logger: Logger
    let reader: RiskInputsReader
    let writer: RiskRunWriter
    let calculator: PortfolioRiskCalculator
    let client: PostgresClient
    /// Also announces each stored run on Kafka (`risk.metrics`); nil: off (no brokers configured).
    let publisher: (any RiskMetricsPublisher)?

    public init(
        client: PostgresClient, configuration: RiskEngineConfiguration, logger: Logger,
        publisher: (any RiskMetricsPublisher)? = nil
    ) {
        self.client = client
        self.publisher = publisher
        self.configuration = configuration
        self.logger = logger
        // Watched connections: a request postgres-nio dropped as PostgreSQL restarted hung the
        // engine for good, and then its SIGTERM (the chaos campaign, docs/reliability.md).
        reader = RiskInputsReader(client: client, logger: logger, rows: { query in try await client.rows(query, logger: logger) })
        writer = RiskRunWriter(client: client, logger: logger)
        calculator = PortfolioRiskCalculator(configuration: configuration)
    }

    public func run() async throws {
        let requests = CycleRequests()
        requests.requestAll()
        logger.info("risk engine started", metadata: [
            "interval": "\(configuration.interval)", "methods": "\(configuration.methods.map(\.storedName))",
            "confidences": "\(configuration.confidences)", "horizons": "\(configuration.horizons)",
        ])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.schedule(requests) }
            group.addTask { await self.listen(requests) }
            if let interval = configuration.pnlInterval { group.addTask { await self.recordPnL(every: interval) } }
            await withGracefulShutdownHandler {
                await self.loop(requests)
            } onGracefulShutdown: {
                requests.finish()
            }
            group.cancelAll()
        }
        logger.info("risk engine stopped")
    }

    /// Runs one cycle over every portfolio, or over `portfolioIDs`. Throws only when the list of
    /// portfolios cannot be read; each portfolio's outcome is in the report.
    public func runCycle(portfolioIDs: [String]? = nil) async throws -> CycleReport {
        let ids: [String]
        if let portfolioIDs { ids = portfolioIDs } else { ids = try await reader.portfolioIDs() }
        return try await valuate(ids)
    }

    func runCycle(_ work: CycleRequests.Work) async throws -> CycleReport {
        if work.allPortfolios { return try await runCycle() }
        var ids = work.portfolioIDs
        if !work.symbols.isEmpty { ids.formUnion(try await reader.portfolioIDs(holding: work.symbols.sorted())) }
        // A portfolio deleted since its notification has nothing left to value.
        let existing = Set(try await reader.portfolioIDs())
        return try await valuate(ids.filter(existing.contains).sorted())
    }

    private func valuate(_ ids: [String]) async throws -> CycleReport {
        let started = ContinuousClock.now
        var report = CycleReport()
        for id in ids {
            try Task.checkCancellation()
            report.outcomes.append(await valuate(id))
        }
        RiskEngineMetrics.cycle(duration: ContinuousClock.now - started)
        for outcome in report.outcomes { RiskEngineMetrics.valued(outcome: outcome.status.rawValue) }
        logger.info("risk cycle done", metadata: [
            "portfolios": "\(ids.count)", "stored": "\(report.stored.count)", "skipped": "\(report.skipped.count)",
            "failed": "\(report.failed.count)", "duration": "\(ContinuousClock.now - started)",
        ])
        return report
    }

    private func valuate(_ portfolioID: String) async -> CycleReport.Outcome {
        var logger = logger
        logger[metadataKey: "portfolio"] = "\(portfolioID)"
        let started = ContinuousClock.now
        do {
            let inputs = try await reader.inputs(
                portfolioID: portfolioID, lookbackDays: configuration.lookbackDays,
                alsoClosesOf: configuration.betaIndex.map { [$0.rawValue] } ?? [])
            let run = try calculator.compute(inputs) { method, duration in
                RiskEngineMetrics.computed(method: method.storedName, duration: duration)
            }
            for (symbol, volatility) in run.volatilities.sorted(by: { $0.key < $1.key }) {
                if let note = volatility.note {
                    logger.warning("option quote gives no implied volatility; using risk.defaultVolatility",
                                   metadata: ["option": "\(symbol)", "reason": "\(note)"])
                }
            }
            let runID = UUID()
            let computedAt = try await writer.write(run, runID: runID)
            logger.info("risk stored", metadata: [
                "run_id": "\(runID.uuidString.lowercased())", "as_of": "\(run.valuationDate)", "value": "\(run.value)",
                "rows": "\(run.measures.count)", "stress": "\(run.stress.count)", "duration": "\(ContinuousClock.now - started)",
            ])
            if let note = run.betaNote { logger.debug("no beta", metadata: ["reason": "\(note)"]) }
            var outcome = CycleReport.Outcome(portfolioID: portfolioID, status: .stored, runID: runID, computedAt: computedAt)
            if let publisher {
                do {
                    try await publisher.publish(RiskMetricsMessage(run: run, runID: runID, computedAt: computedAt))
                    outcome.published = true
                } catch {
                    // Stored is what counts; the feed misses this run and carries the next one.
                    logger.warning("risk.metrics publish failed", metadata: ["error": "\(error)"])
                    outcome.published = false
                }
            }
            return outcome
        } catch let error as RiskEngineError {
            // An empty portfolio is normal (new or flat); anything else needs someone's attention.
            logger.log(level: error == .noPositions ? .info : .warning, "portfolio skipped", metadata: ["reason": "\(error)"])
            return .init(portfolioID: portfolioID, status: .skipped, reason: error.description)
        } catch {
            let text = PostgresErrorText.describe(error)
            logger.error("portfolio failed", metadata: ["error": "\(text)"])
            return .init(portfolioID: portfolioID, status: .failed, reason: text)
        }
    }

    /// Takes pending work each time it is woken, until the requests finish (graceful shutdown) or
    /// the task is cancelled.
    private func loop(_ requests: CycleRequests) async {
        var lastPositionCycle: ContinuousClock.Instant?
        for await _ in requests.wakes {
            var work = requests.take()
            if work.isEmpty { continue }
            if !work.allPortfolios, work.portfolioIDs.isEmpty, configuration.debounce > .zero {
                // Prints come in bursts: wait for the rest, then recompute once; a position change
                // (a fill) ends the wait, since someone is waiting for its VaR.
                let deadline = ContinuousClock.now + configuration.debounce
                while ContinuousClock.now < deadline, !requests.hasPositionChanges {
                    try? await Task.sleep(for: min(.milliseconds(20), deadline - .now))
                }
                work.merge(requests.take())
            } else if !work.portfolioIDs.isEmpty, let last = lastPositionCycle, last + configuration.positionsThrottle > .now {
                // Positions changing fast (fills): one cycle per throttle interval takes them all.
                try? await Task.sleep(until: last + configuration.positionsThrottle)
                work.merge(requests.take())
            }
            if !work.portfolioIDs.isEmpty { lastPositionCycle = .now }
            do {
                _ = try await runCycle(work)
            } catch is CancellationError {
                return
            } catch {
                logger.error("risk cycle failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
        }
    }

    private func schedule(_ requests: CycleRequests) async {
        while true {
            do { try await Task.sleep(for: configuration.interval) } catch { return }
            requests.requestAll()
        }
    }

    /// Records the P&L of every account position every `interval`, until cancelled.
    private func recordPnL(every interval: Duration) async {
        let recorder = PnLRecorder(client: client, logger: logger)
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                let positions = try await recorder.record()
                logger.debug("P&L recorded", metadata: ["positions": "\(positions)"])
            } catch {
                logger.warning("P&L recording failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
        }
    }

    /// LISTENs on `md_trades` and `risk_positions` on one pooled connection; reconnects after a failure.
    private func listen(_ requests: CycleRequests) async {
        while !Task.isCancelled {
            do {
                try await client.withOpenConnection { [logger] connection in
                    try await connection.listen(on: NotifyChannel.mdTrades.name) { trades in
                        try await connection.listen(on: NotifyChannel.riskPositions.name) { positions in
                            logger.debug("listening", metadata: ["channels": "md_trades, risk_positions"])
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask {
                                    for try await notification in trades {
                                        Self.route(TradeNotice.read(notification.payload)?.symbol, requests) { requests.request(symbols: [$0]) }
                                    }
                                }
                                group.addTask {
                                    for try await notification in positions {
                                        Self.route(PositionsNotice.read(notification.payload)?.portfolioId, requests) { requests.request(portfolioIDs: [$0]) }
                                    }
                                }
                                // Either sequence ends only with its connection: reconnect both.
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN failed; retrying in 5 s", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            do { try await Task.sleep(for: .seconds(5)) } catch { return }
        }
    }

    /// Requests the work a payload names (a `TradeNotice`'s symbol, a `PositionsNotice`'s
    /// portfolio); a payload that is not one asks for every portfolio rather than missing one.
    static func route(_ key: String?, _ requests: CycleRequests, _ request: (String) -> Void) {
        if let key { request(key) } else { requests.requestAll() }
    }
}

/// What one cycle did, portfolio by portfolio.
public struct CycleReport: Sendable, Encodable {
    public struct Outcome: Sendable, Encodable {
        public enum Status: String, Sendable, Encodable { case stored, skipped, failed }
        public var portfolioID: String
        public var status: Status
        public var runID: UUID?
        public var computedAt: String?
        /// Why it was skipped or failed.
        public var reason: String?
        /// Whether the run reached `risk.metrics`; nil when publishing is off.
        public var published: Bool?

        enum CodingKeys: String, CodingKey {
            case portfolioID = "portfolio_id", status, runID = "run_id", computedAt = "computed_at", reason, published
        }

        /// Spelled as Postgres and the `risk_metrics` payload spell them: run ids in lower case.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(portfolioID, forKey: .portfolioID)
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(runID?.uuidString.lowercased(), forKey: .runID)
            try container.encodeIfPresent(computedAt, forKey: .computedAt)
            try container.encodeIfPresent(reason, forKey: .reason)
            try container.encodeIfPresent(published, forKey: .published)
        }
    }

    public var outcomes: [Outcome] = []
    public var stored: [Outcome] { outcomes.filter { $0.status == .stored } }
    public var skipped: [Outcome] { outcomes.filter { $0.status == .skipped } }
    public var failed: [Outcome] { outcomes.filter { $0.status == .failed } }
}
