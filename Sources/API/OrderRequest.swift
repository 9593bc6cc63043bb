import Foundation
import MarketCore
import OrderBook

/// A write request's JSON body (orders, portfolios, positions) checked field by field, so a 422 can list every reason at once.
/// Prices are decimal strings or JSON numbers (read from their literal text), at most 8 decimals.
struct OrderRequest {
    /// One JSON value, kept as typed as the body wrote it.
    enum Value: Decodable {
        case string(String), integer(Int64), number(Decimal), bool(Bool), null, other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int64.self) { self = .integer(i) }
            else if let d = try? c.decode(Decimal.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .other }
        }
    }

    private let fields: [String: Value]
    private(set) var errors: [Problem.FieldError] = []

    /// Parses the body as a JSON object; anything else is a 400.
    init(body: Data) throws {
        guard let first = body.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }), first == UInt8(ascii: "{") else {
            throw Problem.badBody("the body must be a JSON object")
        }
        try JSONDuplicateKeys.refuse(body)
        do {
            fields = try JSONDecoder().decode([String: Value].self, from: body)
        } catch {
            throw Problem.badBody("the body is not valid JSON")
        }
    }

    mutating func fail(_ field: String, _ reason: String) { errors.append(.init(field, reason)) }

    func has(_ name: String) -> Bool {
        switch fields[name] {
        case nil, .null?: return false
        default: return true
        }
    }

    mutating func string(_ name: String, required: Bool) -> String? {
        guard has(name) else {
            if required { fail(name, "required") }
            return nil
        }
        guard case .string(let text)? = fields[name] else { fail(name, "must be a string"); return nil }
        return text
    }

    mutating func enumeration<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, required: Bool) -> T?
    where T.RawValue == String {
        guard let text = string(name, required: required) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(name, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return value
    }

    /// The literal text of a decimal given as a string or a JSON number.
    private mutating func decimalText(_ name: String, required: Bool, example: String) -> String? {
        guard has(name) else {
            if required { fail(name, "required") }
            return nil
        }
        switch fields[name] {
        case .string(let s)?: return s
        case .integer(let i)?: return String(i)
        case .number(let d)?: return d.description
        default: fail(name, "must be a decimal string such as \"\(example)\""); return nil
        }
    }

    mutating func price(_ name: String, required: Bool) -> Price? {
        guard let text = decimalText(name, required: required, example: "189.25") else { return nil }
        guard let price = Price(text), price.units > 0 else {
            fail(name, "must be a positive decimal with at most 8 decimal places")
            return nil
        }
        return price
    }

    mutating func quantity(_ name: String, required: Bool) -> Quantity? {
        guard has(name) else {
            if required { fail(name, "required") }
            return nil
        }
        guard case .integer(let value)? = fields[name], value > 0, value <= 1_000_000_000_000 else {
            fail(name, "must be a whole number from 1 to 1000000000000")
            return nil
        }
        return Quantity(value)
    }

    /// A signed decimal (string or JSON number) with at most `integerDigits` digits before the
    /// point and 8 after, as text for a `::numeric` bind parameter.
    mutating func signedDecimal(_ name: String, required: Bool, integerDigits: Int = 16) -> String? {
        guard let text = decimalText(name, required: required, example: "-150.5") else { return nil }
        let unsigned = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard digits(parts[0]), parts[0].count <= integerDigits,
              parts.count == 1 || (digits(parts[1]) && parts[1].count <= 8)
        else {
            fail(name, "must be a decimal with at most \(integerDigits) digits before the point and 8 after")
            return nil
        }
        return text
    }

    mutating func bool(_ name: String) -> Bool? {
        guard has(name) else { return nil }
        guard case .bool(let value)? = fields[name] else { fail(name, "must be true or false"); return nil }
        return value
    }

    /// An id of 1–64 printable ASCII characters without spaces.
    mutating func identifier(_ name: String) -> String? {
        guard let text = string(name, required: false) else { return nil }
        guard RequestParameters.isIdentifier(text) else {
            fail(name, "1-64 printable ASCII characters without spaces"); return nil
        }
        return text
    }

    /// Unknown fields are refused, so a typo (`qty`) is not silently ignored.
    mutating func refuseUnknown(allowed: Set<String>) {
        for name in fields.keys.sorted() where !allowed.contains(name) { fail(name, "unknown field") }
    }
}
