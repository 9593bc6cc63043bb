import Foundation
import MarketCore
import Risk

/// One option of a `/derivatives/*` body, checked field by field so a 422 lists every reason.
/// Bounds keep every result finite (a strike of 1e300 or a rate of 1e5 would overflow): prices up
/// to 1e12, volatility up to 10 (1000 %), time up to 100 years, rates and yields within ±1.
struct OptionRequest {
    /// What the endpoint needs besides the contract: a volatility (price, Greeks) or a price (implied vol).
    enum Needs { case volatility, price }

    static let fields: Set<String> = [
        "right", "underlying_price", "strike", "time_to_expiry", "volatility", "rate", "dividend_yield", "model", "price",
    ]

    var parameters: OptionParameters
    /// The option's market price (implied volatility only).
    var price: Double?

    /// Parses `fields`; failures are appended to `errors` with `prefix` (e.g. `options[2].`).
    static func parse(
        _ fields: [String: JSONValue], needs: Needs, prefix: String, errors: inout [Problem.FieldError]
    ) -> OptionRequest? {
        let before = errors.count
        func fail(_ name: String, _ reason: String) { errors.append(.init(prefix + name, reason)) }
        for name in fields.keys.sorted() where !Self.fields.contains(name) { fail(name, "unknown field") }
        if needs == .volatility, fields["price"] != nil { fail("price", "only /derivatives/implied-vol takes a price") }
        if needs == .price, fields["volatility"] != nil { fail("volatility", "/derivatives/implied-vol solves for it; give price") }
        func number(_ name: String, required: Bool, default fallback: Double = 0, _ range: ClosedRange<Double>, _ text: String) -> Double? {
            let value: Double
            switch fields[name] {
            case nil, .null?:
                if required { fail(name, "required") ; return nil }
                return fallback
            case .number(let d)?: value = d
            default: fail(name, "must be a number"); return nil
            }
            guard value.isFinite, range.contains(value) else { fail(name, text); return nil }
            return value
        }
        var right: Instrument.OptionRight?
        switch fields["right"] {
        case .string(let text)?:
            right = Instrument.OptionRight(rawValue: text)
            if right == nil { fail("right", "call or put") }
        case nil, .null?: fail("right", "required")
        default: fail("right", "call or put")
        }
        var model = OptionPricingModel.blackScholesMerton
        switch fields["model"] {
        case nil, .null?: break
        case .string(let text)?:
            if let parsed = OptionPricingModel(rawValue: text) { model = parsed } else { fail("model", "bsm or black76") }
        default: fail("model", "bsm or black76")
        }
        let price = 1e-12...1e12
        let underlying = number("underlying_price", required: true, price, "a price > 0 and <= 1e12")
        let strike = number("strike", required: true, price, "a price > 0 and <= 1e12")
        let time = number("time_to_expiry", required: true, 0...100, "years from 0 to 100")
        let rate = number("rate", required: false, -1...1, "an annual rate from -1 to 1 (0.04 = 4 %)")
        let yield = number("dividend_yield", required: false, -1...1, "an annual yield from -1 to 1")
        var volatility: Double? = 0
        var optionPrice: Double?
        switch needs {
        case .volatility: volatility = number("volatility", required: true, 0...10, "an annual volatility from 0 to 10 (0.25 = 25 %)")
        case .price: optionPrice = number("price", required: true, 0...1e12, "a price >= 0 and <= 1e12")
        }
        guard errors.count == before, let right, let underlying, let strike, let time, let rate, let yield, let volatility else {
            return nil
        }
        return OptionRequest(
            parameters: OptionParameters(
                right: right, underlying: underlying, strike: strike, rate: rate, dividendYield: yield,
                volatility: volatility, timeToExpiry: time, model: model),
            price: optionPrice)
    }

    /// The body as a list of options: an object is one, an array (1 to `maxBatch` objects) a batch.
    static func items(_ body: Data, maxBatch: Int) throws -> (items: [[String: JSONValue]], batch: Bool) {
        guard let first = body.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else {
            throw Problem.badBody("the body must be a JSON object (one option) or an array of objects (a batch)")
        }
        try JSONDuplicateKeys.refuse(body)
        do {
            if first == UInt8(ascii: "{") { return ([try JSONDecoder().decode([String: JSONValue].self, from: body)], false) }
            if first == UInt8(ascii: "[") {
                let items = try JSONDecoder().decode([[String: JSONValue]].self, from: body)
                guard (1...maxBatch).contains(items.count) else {
                    throw Problem.invalidRiskInput([.init("body", "a batch holds 1 to \(maxBatch) options, not \(items.count)")])
                }
                return (items, true)
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.badBody("the body is not a JSON object or an array of JSON objects")
        }
        throw Problem.badBody("the body must be a JSON object (one option) or an array of objects (a batch)")
    }
}

extension Problem {
    /// 422: well-formed JSON, but not options (or stress scenarios, hedges) the risk core accepts.
    static func invalidRiskInput(_ errors: [FieldError], title: String = "Invalid option") -> Problem {
        Problem(.unprocessableContent, type: "urn:quant:problem:invalid-risk-input", title: title,
                detail: errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: errors)
    }
}
