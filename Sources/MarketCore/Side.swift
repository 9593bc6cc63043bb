/// The side of an order or of a trade's aggressor.
public enum Side: String, Sendable, Hashable, Codable, CaseIterable {
    case buy
    case sell

    @inlinable public var opposite: Side { self == .buy ? .sell : .buy }
}
