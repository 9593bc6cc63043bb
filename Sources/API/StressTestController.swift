import Foundation
import Hummingbird
import MarketCore
import Risk

/// `POST /risk/portfolios/{id}/stresstest`: custom scenarios applied now to the portfolio's current
/// positions (full revaluation, nothing stored). `GET` the same path: the standard scenarios the
/// risk engine stored with the portfolio's latest run (`api.stress_latest`).
struct StressTestController: Sendable {
    static let maxScenarios = 50
    static let maxShocks = 200

    struct ComputedBody: Codable, Sendable {
        var portfolioId: String
        var asOf: String
        var portfolioValue: Double
        var results: [StressTest.Result]
    }

    let books: PortfolioBookReader
    let reader: StressResultReader
    let gate: ConcurrencyGate

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("risk/portfolios/:portfolioId/stresstest", use: compute)
        group.get("risk/portfolios/:portfolioId/stresstest", use: stored)
    }

    @Sendable func compute(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("portfolioId")
        let buffer = try await request.body.collect(upTo: 1024 * 1024)
        let scenarios = try Self.scenarios(Data(buffer: buffer))
        return try await gate.run(client: context.clientID) {
            let valued = try await books.book(id)
            let results: [StressTest.Result]
            do {
                results = try StressTest.run(book: valued.book, scenarios: scenarios)
            } catch let error as RiskError {
                throw Problem.invalidRiskInput([.init("scenarios", error.description)], title: "Invalid stress scenario")
            }
            return try JSONBody.response(ComputedBody(
                portfolioId: id, asOf: valued.book.valuationDate.description, portfolioValue: valued.book.value, results: results))
        }
    }

    @Sendable func stored(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try RequestParameters(request: request, context: context).identifier("portfolioId")
        guard try await reader.portfolioExists(id) else { throw Problem.notFound("unknown portfolio \(id)") }
        return try JSONBody.response(try await reader.latest(id))
    }

    /// `{"scenarios": [{"name", "description"?, "shocks": [{"symbol"?, "price_percent"?,
    /// "volatility_points"?, "rate_basis_points"?}]}]}`; unknown keys are refused (a misspelt move
    /// must not silently become zero), and so are values the core refuses.
    static func scenarios(_ body: Data) throws -> [StressScenario] {
        try JSONDuplicateKeys.refuse(body)
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw Problem.badBody("the body must be a JSON object {\"scenarios\": [...]}")
        }
        var errors: [Problem.FieldError] = []
        for key in object.keys.sorted() where key != "scenarios" { errors.append(.init(key, "unknown field")) }
        guard case .array(let list)? = object["scenarios"], (1...maxScenarios).contains(list.count) else {
            throw Problem.invalidRiskInput(errors + [.init("scenarios", "a list of 1 to \(maxScenarios) scenarios")], title: "Invalid stress scenario")
        }
        var scenarios: [StressScenario] = []
        for (i, item) in list.enumerated() {
            let path = "scenarios[\(i)]"
            guard case .object(let fields) = item else { errors.append(.init(path, "must be an object")); continue }
            for key in fields.keys.sorted() where !["name", "description", "shocks"].contains(key) {
                errors.append(.init("\(path).\(key)", "unknown field"))
            }
            var name = ""
            if case .string(let text)? = fields["name"] { name = text }
            if name.isEmpty || name.count > 100 { errors.append(.init("\(path).name", "a string of 1 to 100 characters")) }
            var description: String?
            switch fields["description"] {
            case nil, .null?: break
            case .string(let text)?: description = text
            default: errors.append(.init("\(path).description", "must be a string"))
            }
            var shockList: [JSONValue] = []
            switch fields["shocks"] {
            case nil, .null?: break
            case .array(let items)? where items.count <= maxShocks: shockList = items
            default: errors.append(.init("\(path).shocks", "a list of at most \(maxShocks) shocks")); continue
            }
            var shocks: [StressShock] = []
            for (j, shockItem) in shockList.enumerated() {
                if let shock = Self.shock(shockItem, path: "\(path).shocks[\(j)]", errors: &errors) { shocks.append(shock) }
            }
            guard !name.isEmpty else { continue }
            do {
                scenarios.append(try StressScenario(name: name, description: description, shocks: shocks).validated())
            } catch {
                errors.append(.init(path, error.description))
            }
        }
        guard errors.isEmpty else { throw Problem.invalidRiskInput(errors, title: "Invalid stress scenario") }
        return scenarios
    }

    private static func shock(_ item: JSONValue, path: String, errors: inout [Problem.FieldError]) -> StressShock? {
        guard case .object(let fields) = item else { errors.append(.init(path, "must be an object")); return nil }
        let before = errors.count
        let keys = ["symbol", "price_percent", "volatility_points", "rate_basis_points"]
        for key in fields.keys.sorted() where !keys.contains(key) { errors.append(.init("\(path).\(key)", "unknown field")) }
        func number(_ key: String) -> Double {
            switch fields[key] {
            case nil, .null?: return 0
            case .number(let value)?: return value
            default: errors.append(.init("\(path).\(key)", "must be a number")); return 0
            }
        }
        var symbol: Symbol?
        switch fields["symbol"] {
        case nil, .null?: break
        case .string(let text)?:
            symbol = Symbol(text)
            if symbol == nil { errors.append(.init("\(path).symbol", "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")) }
        default: errors.append(.init("\(path).symbol", "must be a string"))
        }
        let shock = StressShock(
            symbol: symbol, pricePercent: number("price_percent"), volatilityPoints: number("volatility_points"),
            rateBasisPoints: number("rate_basis_points"))
        return errors.count == before ? shock : nil
    }
}
