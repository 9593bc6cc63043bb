/// A whole number of units (shares, contracts). Lot sizes are checked by the order book.
public struct Quantity: Sendable, Hashable, Comparable, Codable {
    public var value: Int64

    @inlinable public init(_ value: Int64) { self.value = value }

    public static let zero = Quantity(0)

    /// Parses an integer string; quantities also travel as strings or JSON integers.
    public init?(_ text: some StringProtocol) {
        guard let v = Int64(text) else { return nil }
        self.value = v
    }

    @inlinable public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }

    /// Accepts a JSON integer or an integer string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Int64.self) {
            value = v
        } else {
            let text = try container.decode(String.self)
            guard let v = Int64(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer quantity: \(text)")
            }
            value = v
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension Quantity: CustomStringConvertible {
    public var description: String { String(value) }
}
