import API
import Foundation
import HummingbirdTesting
import Logging
import PortfolioValuation
import PostgresNIO
import Risk
import Testing

/// The risk endpoints that compute on request (stress tests, hedges, option maths), the stored
/// stress results and the instrument search, against a real database.
@Suite struct RiskComputeEndpointTests {
    struct Shock: Decodable { var symbol: String?; var pricePercent: Double; var volatilityPoints: Double; var rateBasisPoints: Double }
    struct Position: Decodable { var id: String; var underlying: String; var baseValue: Double; var stressedValue: Double; var pnl: Double }
    struct Result: Decodable {
        var scenario: String; var description: String?; var shocks: [Shock]
        var baseValue: Double; var stressedValue: Double; var pnl: Double; var positions: [Position]
    }
    struct Computed: Decodable { var portfolioId: String; var asOf: String; var portfolioValue: Double; var results: [Result] }
    struct Stored: Decodable { var portfolioId: String; var runId: String?; var results: [Result] }
    struct Valuation: Decodable { var price: Double; var delta: Double; var gamma: Double }
    struct Trade: Decodable { var symbol: String; var quantity: Double; var multiplier: Double; var unitPrice: Double }
    struct Proposal: Decodable { var underlying: String; var trades: [Trade]; var before: Valuation; var after: Valuation }
    struct Hedge: Decodable { var strategy: String; var asOf: String; var proposals: [Proposal] }

    /// AAA closes at 10.20 today (APITest's trades); `book` holds 100 AAA and 2 calls AAA-C-10
    /// (no quote: priced at the default volatility 0.25 and rate 0.04 of `RiskEngineConfiguration()`).
    static let expiry = "2031-01-17"
    static func seedBook(_ client: PostgresClient, _ logger: Logger) async throws {
        for sql in [
            """
            INSERT INTO market.instruments (symbol, name, kind, multiplier, underlying, strike, expiry, option_right) VALUES
              ('AAA-C-10', 'AAA call 10', 'option', 100, 'AAA', 10, '\(expiry)', 'call'),
              ('AAA-P-9', 'AAA put 9', 'option', 100, 'AAA', 9, '\(expiry)', 'put')
            """,
            "INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('book', 'Book')",
            "INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('book', 'AAA', 100), ('book', 'AAA-C-10', 2)",
        ] {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    static func call(_ spot: Double, asOf: String, volatility: Double = 0.25, rate: Double = 0.04) throws -> OptionValuation {
        try OptionPricer.valuation(OptionParameters(
            right: .call, underlying: spot, strike: 10, rate: rate, volatility: volatility,
            timeToExpiry: CivilDate(asOf)!.yearFraction(to: CivilDate(expiry)!)))
    }

    @Test func customStressScenariosRevalueTheCurrentPositions() async throws {
        try await APITest.withAPI { client, db, logger in
            try await Self.seedBook(db, logger)
            let response = try await client.send(.post, "/api/v1/risk/portfolios/book/stresstest", json: """
                {"scenarios":[{"name":"crash","description":"AAA -20 %, vol +10","shocks":[{"price_percent":-20,"volatility_points":10}]},
                              {"name":"aaa-rates","shocks":[{"symbol":"AAA","rate_basis_points":100}]}]}
                """)
            #expect(response.status == .ok)
            let body = try APITest.decode(Computed.self, response)
            let base = try Self.call(10.2, asOf: body.asOf)
            #expect(abs(body.portfolioValue - (1020 + 200 * base.price)) < 1e-9)
            let crash = try #require(body.results.first)
            #expect(crash.scenario == "crash" && crash.shocks.first?.pricePercent == -20)
            #expect(abs(crash.positions[0].pnl - -204) < 1e-9)
            let stressedCall = try Self.call(8.16, asOf: body.asOf, volatility: 0.35)
            #expect(abs(crash.positions[1].pnl - 200 * (stressedCall.price - base.price)) < 1e-9)
            #expect(abs(crash.pnl - crash.positions.reduce(0) { $0 + $1.pnl }) < 1e-9)
            let rates = body.results[1]
            #expect(rates.positions[0].pnl == 0)
            #expect(abs(rates.positions[1].pnl - 200 * (try Self.call(10.2, asOf: body.asOf, rate: 0.05).price - base.price)) < 1e-9)

            let invalid = try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/book/stresstest", json: """
                {"scenarios":[{"name":"x","shocks":[{"price_percent":-150,"volatilty_points":1}]},{"shocks":[]}],"extra":1}
                """), .unprocessableContent)
            #expect(Set(invalid.errors?.map(\.field) ?? []) == ["extra", "scenarios[0].shocks[0].volatilty_points", "scenarios[1].name"])
            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/book/stresstest", json: """
                {"scenarios":[{"name":"x","shocks":[{"price_percent":-150}]}]}
                """), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/book/stresstest", json: "{\"scenarios\":[]}"), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/book/stresstest", json: "[1"), .badRequest)
            let scenario = "{\"scenarios\":[{\"name\":\"x\"}]}"
            try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/nope/stresstest", json: scenario), .notFound)
            let empty = try APITest.expectProblem(try await client.send(.post, "/api/v1/risk/portfolios/empty/stresstest", json: scenario), .conflict)
            #expect(empty.detail?.contains("no positions") == true)
        }
    }

    @Test func storedStandardScenariosOfTheLatestRun() async throws {
        try await APITest.withAPI { client, db, logger in
            let before = try APITest.decode(Stored.self, try await client.get("/api/v1/risk/portfolios/alpha/stresstest"))
            #expect(before.runId == nil && before.results.isEmpty)
            try await db.query(PostgresQuery(unsafeSQL: """
                INSERT INTO risk.stress_results (computed_at, run_id, portfolio_id, scenario, description, shocks, base_value,
                    stressed_value, pnl, positions) VALUES
                  (\(APITest.base), '00000000-0000-0000-0000-000000000001', 'alpha', 'equity-crash', NULL,
                   '[{"price_percent":-10,"volatility_points":0,"rate_basis_points":0}]', 5000, 4400, -600, '[]'),
                  (\(APITest.base) + interval '1 minute', '00000000-0000-0000-0000-000000000002', 'alpha', 'equity-crash', 'down 20',
                   '[{"price_percent":-20,"volatility_points":15,"rate_basis_points":0}]', 5100, 4000, -1100,
                   '[{"id":"AAA","underlying":"AAA","base_value":5100,"stressed_value":4000,"pnl":-1100}]')
                """), logger: logger)
            let stored = try APITest.decode(Stored.self, try await client.get("/api/v1/risk/portfolios/alpha/stresstest"))
            #expect(stored.runId == "00000000-0000-0000-0000-000000000002")
            #expect(stored.results.map(\.pnl) == [-1100])
            #expect(stored.results.first?.shocks.first?.volatilityPoints == 15)
            #expect(stored.results.first?.positions.first?.stressedValue == 4000)
            try APITest.expectProblem(try await client.get("/api/v1/risk/portfolios/nope/stresstest"), .notFound)
        }
    }

    @Test func hedgeProposalsNeutraliseDeltaAndGamma() async throws {
        try await APITest.withAPI { client, db, logger in
            try await Self.seedBook(db, logger)
            let delta = try APITest.decode(Hedge.self, try await client.get("/api/v1/risk/portfolios/book/hedge"))
            let base = try Self.call(10.2, asOf: delta.asOf)
            let proposal = try #require(delta.proposals.first)
            #expect(delta.strategy == "delta" && proposal.underlying == "AAA")
            #expect(abs(proposal.before.delta - (100 + 200 * base.delta)) < 1e-9)
            #expect(abs(proposal.trades[0].quantity + proposal.before.delta) < 1e-9)
            #expect(abs(proposal.after.delta) < 1e-9)

            let gamma = try APITest.decode(Hedge.self, try await client.get(
                "/api/v1/risk/portfolios/book/hedge?strategy=delta-gamma&instrument=AAA-P-9"))
            let hedge = try #require(gamma.proposals.first)
            #expect(hedge.trades.map(\.symbol) == ["AAA-P-9", "AAA"])
            #expect(abs(hedge.after.gamma) < 1e-9 && abs(hedge.after.delta) < 1e-9)
            #expect(hedge.trades[0].quantity < 0, "selling puts cancels the long calls' gamma")

            try APITest.expectProblem(try await client.get("/api/v1/risk/portfolios/book/hedge?strategy=delta-gamma"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/risk/portfolios/book/hedge?strategy=gamma"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/risk/portfolios/book/hedge?instrument=BBB"), .unprocessableContent)
            try APITest.expectProblem(try await client.get(
                "/api/v1/risk/portfolios/book/hedge?strategy=delta-gamma&instrument=AAA"), .unprocessableContent)
            try APITest.expectProblem(try await client.get(
                "/api/v1/risk/portfolios/book/hedge?strategy=delta-gamma&instrument=ZZZ"), .unprocessableContent)
            try APITest.expectProblem(try await client.get("/api/v1/risk/portfolios/nope/hedge"), .notFound)
        }
    }

    @Test func optionMathsForOneOptionOrABatch() async throws {
        try await APITest.withAPI(seed: false) { client, _, _ in
            // Hull's example: S 42, K 40, r 10 %, σ 20 %, T ½: call 4.7594, put 0.8086.
            let hull = "\"underlying_price\":42,\"strike\":40,\"rate\":0.1,\"time_to_expiry\":0.5"
            struct Price: Decodable { var price: Double }
            let one = try APITest.decode(Price.self, try await client.send(.post, "/api/v1/derivatives/price", json: """
                {"right":"call",\(hull),"volatility":0.2}
                """))
            #expect(abs(one.price - 4.759422392871535) < 1e-12)
            let batch = try APITest.decode([Price].self, try await client.send(.post, "/api/v1/derivatives/price", json: """
                [{"right":"call",\(hull),"volatility":0.2},{"right":"put",\(hull),"volatility":0.2,"model":"bsm"}]
                """))
            #expect(batch.count == 2 && abs(batch[1].price - 0.8085993729000958) < 1e-12)

            struct Greeks: Decodable { var price: Double; var delta: Double; var vegaPerVolPoint: Double; var thetaPerDay: Double }
            let greeks = try APITest.decode(Greeks.self, try await client.send(.post, "/api/v1/derivatives/greeks", json: """
                {"right":"call",\(hull),"volatility":0.2}
                """))
            let core = try OptionPricer.valuation(OptionParameters(right: .call, underlying: 42, strike: 40, rate: 0.1, volatility: 0.2, timeToExpiry: 0.5))
            #expect(greeks.delta == core.delta && greeks.vegaPerVolPoint == core.vegaPerVolPoint && greeks.thetaPerDay == core.thetaPerDay)

            struct Implied: Decodable { var impliedVolatility: Double }
            let implied = try APITest.decode([Implied].self, try await client.send(.post, "/api/v1/derivatives/implied-vol", json: """
                [{"right":"call",\(hull),"price":4.759422392871535}]
                """))
            #expect(abs(implied[0].impliedVolatility - 0.2) < 1e-9)

            let invalid = try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/price", json: """
                [{"right":"call",\(hull),"volatility":0.2},{"right":"straddle","underlying_price":-1,"strike":40,"volatility":"high","x":1}]
                """), .unprocessableContent)
            #expect(Set(invalid.errors?.map(\.field) ?? []) == [
                "options[1].right", "options[1].underlying_price", "options[1].time_to_expiry", "options[1].volatility", "options[1].x",
            ])
            let noVolatility = try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/implied-vol", json: """
                {"right":"call",\(hull),"price":1}
                """), .unprocessableContent)
            #expect(noVolatility.detail?.contains("no volatility fits") == true)
            let tooMany = "[" + Array(repeating: "{\"right\":\"call\",\(hull),\"volatility\":0.2}", count: 1001).joined(separator: ",") + "]"
            try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/greeks", json: tooMany), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/greeks", json: "[]"), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/greeks", json: "\"call\""), .badRequest)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/derivatives/greeks", json: "[1, 2]"), .badRequest)
        }
    }

    @Test func symbolSearchByPrefixOrName() async throws {
        try await APITest.withAPI { client, db, logger in
            try await Self.seedBook(db, logger)
            struct Match: Decodable { var symbol: String; var match: String }
            struct Matches: Decodable { var instruments: [Match] }
            let prefix = try APITest.decode(Matches.self, try await client.get("/api/v1/market/symbols?q=aaa"))
            #expect(prefix.instruments.map(\.symbol) == ["AAA", "AAA-C-10", "AAA-P-9"])
            let name = try APITest.decode(Matches.self, try await client.get("/api/v1/market/symbols?q=triple"))
            #expect(name.instruments.map(\.symbol) == ["AAA"] && name.instruments.first?.match == "name")
            let limited = try APITest.decode(Matches.self, try await client.get("/api/v1/market/symbols?q=A&limit=2"))
            #expect(limited.instruments.count == 2)
            let wildcard = try APITest.decode(Matches.self, try await client.get("/api/v1/market/symbols?q=%25"))
            #expect(wildcard.instruments.isEmpty)
            try APITest.expectProblem(try await client.get("/api/v1/market/symbols"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/market/symbols?q=a&limit=0"), .badRequest)
        }
    }
}
