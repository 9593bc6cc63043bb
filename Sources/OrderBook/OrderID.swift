/// The book's compact handle for an order: an integer chosen by the caller.
///
/// Client order ids travel as strings; `MatchingEngine` interns them into `OrderID`s so that the
/// book's hot path hashes and stores eight bytes instead of a string.
public struct OrderID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static func < (lhs: OrderID, rhs: OrderID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Who owns an order, for self-trade prevention. `OwnerID.none` (zero) never self-trades.
public struct OwnerID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let none = OwnerID(0)
    public var description: String { String(rawValue) }
}
