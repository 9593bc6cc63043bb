import Foundation
import Hummingbird
import Risk

/// `POST /derivatives/price`, `/derivatives/greeks`, `/derivatives/implied-vol`: the `Risk` core's
/// closed forms for one option (a JSON object) or a batch (an array of up to `maxBatch`), answered
/// in the same shape. Invalid inputs are a 422 that names every field (`options[i].field` in a batch).
struct DerivativesController: Sendable {
    static let maxBatch = 1000

    struct PriceBody: Codable, Sendable { var price: Double }

    struct GreeksBody: Codable, Sendable {
        var price: Double, delta: Double, gamma: Double, vega: Double, theta: Double, rho: Double
        var vegaPerVolPoint: Double, thetaPerDay: Double, rhoPerPercentPoint: Double
        init(_ v: OptionValuation) {
            (price, delta, gamma, vega, theta, rho) = (v.price, v.delta, v.gamma, v.vega, v.theta, v.rho)
            (vegaPerVolPoint, thetaPerDay, rhoPerPercentPoint) = (v.vegaPerVolPoint, v.thetaPerDay, v.rhoPerPercentPoint)
        }
        var numbers: [Double] { [price, delta, gamma, vega, theta, rho] }
    }

    struct ImpliedVolatilityBody: Codable, Sendable { var impliedVolatility: Double }

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("derivatives/price", use: price)
        group.post("derivatives/greeks", use: greeks)
        group.post("derivatives/implied-vol", use: impliedVolatility)
    }

    @Sendable func price(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await Self.answer(request, needs: .volatility, all: { options in
            Self.batched(options).map { $0.map { PriceBody(price: $0.price) } }
        }) { option, field in
            let value = try OptionPricer.price(option.parameters)
            guard value.isFinite else { throw Problem.invalidRiskInput([.init(field, "the price is not a finite number")]) }
            return PriceBody(price: value)
        }
    }

    @Sendable func greeks(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await Self.answer(request, needs: .volatility, all: { options in
            Self.batched(options).map { $0.map(GreeksBody.init) }
        }) { option, field in
            let body = GreeksBody(try OptionPricer.valuation(option.parameters))
            guard body.numbers.allSatisfy(\.isFinite) else { throw Problem.invalidRiskInput([.init(field, "a Greek is not a finite number")]) }
            return body
        }
    }

    @Sendable func impliedVolatility(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await Self.answer(request, needs: .price) { option, _ in
            ImpliedVolatilityBody(impliedVolatility: try ImpliedVolatility.solve(price: option.price ?? 0, parameters: option.parameters))
        }
    }

    /// A batch priced by the batched SIMD pricer (`OptionPricer.valuations`), or nil when an option
    /// is invalid or a number not finite: then each is computed alone and the bad ones named.
    private static func batched(_ options: [OptionRequest]) -> [OptionValuation]? {
        guard options.count > 1, let batch = try? OptionBatch(options.map(\.parameters)) else { return nil }
        let values = OptionPricer.valuations(batch)
        let all = (0..<values.count).map { values[$0] }
        return all.allSatisfy { [$0.price, $0.delta, $0.gamma, $0.vega, $0.theta, $0.rho].allSatisfy(\.isFinite) } ? all : nil
    }

    /// Parses every option, then computes them all at once (`all`, when it answers) or each alone;
    /// a `RiskError` becomes a 422 on that option. The body is an object or an array, and so is the answer.
    private static func answer<Body: Encodable & Sendable>(
        _ request: Request, needs: OptionRequest.Needs, all: ([OptionRequest]) -> [Body]? = { _ in nil },
        _ compute: (OptionRequest, String) throws -> Body
    ) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1024 * 1024)
        let (items, batch) = try OptionRequest.items(Data(buffer: buffer), maxBatch: maxBatch)
        var errors: [Problem.FieldError] = []
        var options: [OptionRequest] = []
        for (index, item) in items.enumerated() {
            if let option = OptionRequest.parse(item, needs: needs, prefix: batch ? "options[\(index)]." : "", errors: &errors) {
                options.append(option)
            }
        }
        guard errors.isEmpty else { throw Problem.invalidRiskInput(errors) }
        if batch, let results = all(options) { return try JSONBody.response(results) }
        var results: [Body] = []
        for (index, option) in options.enumerated() {
            let field = batch ? "options[\(index)]" : "option"
            do {
                results.append(try compute(option, field))
            } catch let error as RiskError {
                errors.append(.init(field, error.description))
            }
        }
        guard errors.isEmpty else { throw Problem.invalidRiskInput(errors) }
        return batch ? try JSONBody.response(results) : try JSONBody.response(results[0])
    }
}
