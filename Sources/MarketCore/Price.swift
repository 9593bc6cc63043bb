/// An exact decimal price: a signed 64-bit count of 10⁻⁸ units.
///
/// Prices travel as decimal strings on the wire and as `numeric` in Postgres; inside the
/// process they are integers so that arithmetic and comparison are exact and cheap.
/// Eight decimals cover equities, options, futures and FX; the range is ±92 billion.
public struct Price: Sendable, Hashable, Comparable {
    public static let decimals = 8
    public static let scale: Int64 = 100_000_000

    /// Price in units of 10⁻⁸.
    public var units: Int64

    @inlinable public init(units: Int64) { self.units = units }

    public static let zero = Price(units: 0)

    /// Parses a plain decimal string such as `"101.25"`, `"-0.5"` or `"7"`.
    /// Returns nil for anything else: exponents, more than eight decimals, overflow, empty input.
    public init?(_ text: some StringProtocol) {
        guard let units = FixedPointDecimal.parse(text, decimals: Self.decimals) else { return nil }
        self.units = units
    }

    /// Whole-number constructor for tests and literals: `Price(whole: 101)`.
    public init(whole: Int64) { self.units = whole * Self.scale }

    /// The shortest exact decimal string (`"101.25"`, `"0.0001"`, `"7"`).
    public var decimalString: String { FixedPointDecimal.format(units, decimals: Self.decimals) }

    /// An approximation for analytics (risk maths); never used for money that is stored.
    public var doubleValue: Double { Double(units) / Double(Self.scale) }

    @inlinable public static func < (lhs: Price, rhs: Price) -> Bool { lhs.units < rhs.units }
}

extension Price: CustomStringConvertible {
    public var description: String { decimalString }
}

extension Price: Codable {
    /// Encoded as a decimal string so no JSON reader ever sees a binary float.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let price = Price(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a decimal price with at most 8 decimals: \(text)")
        }
        self = price
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimalString)
    }
}
