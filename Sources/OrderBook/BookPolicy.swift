/// What happens when an order would trade with a resting order of the same owner.
public enum SelfTradePrevention: UInt8, Sendable, Hashable, CaseIterable {
    /// Owners are ignored: orders of one owner may trade with each other.
    case none = 0
    /// The resting order is cancelled (reason `selfTrade`) and the incoming order keeps matching.
    case cancelResting = 1
    /// The incoming order's remainder is cancelled (reason `selfTrade`); the resting order stays.
    case cancelIncoming = 2
}

/// What happens to a post-only order whose price would take liquidity.
public enum PostOnlyPolicy: UInt8, Sendable, Hashable, CaseIterable {
    /// Rejected with reason `wouldCross`.
    case reject = 0
    /// Repriced one tick behind the opposite best (buy: best ask − tick, sell: best bid + tick).
    case reprice = 1
}

/// Per-book rules that are not part of the instrument.
public struct BookConfiguration: Sendable, Hashable {
    public var selfTradePrevention: SelfTradePrevention
    public var postOnlyPolicy: PostOnlyPolicy

    public init(selfTradePrevention: SelfTradePrevention = .none, postOnlyPolicy: PostOnlyPolicy = .reject) {
        self.selfTradePrevention = selfTradePrevention
        self.postOnlyPolicy = postOnlyPolicy
    }
}
