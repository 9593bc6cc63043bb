extension QuantSettings {
    /// `quant processor`: batching and topics (docs/processor.md).
    public struct Processor: Sendable {
        public var batchMaxMessages: Int
        public var batchMaxDelayMs: Int
        public var commitWhenCaughtUp: Bool
        public var fetchWaitMaxMs: Int
        public var publishEvents: Bool
        public var requireAccount: Bool
        /// Send `end_of_day` at each session's close (`processor.sessions`).
        public var sessions: Bool
        public var defaultCalendar: String
        public var sessionCheckIntervalMs: Int
        public var topicPrefix: String
        public var snapshotIntervalSeconds: Int
        public var depthIntervalMs: Int
        public var ingestWindowSeconds: Int
        public var closedOrderMemory: Int
        public var maxEventLeadSeconds: Int
        public var maxEventAgeDays: Int
        public var shutdownGraceSeconds: Int

        init(_ source: ConfigSource) throws {
            batchMaxMessages = try source.positiveInt("processor.batchMaxMessages")
            batchMaxDelayMs = try source.positiveInt("processor.batchMaxDelayMs")
            commitWhenCaughtUp = try source.bool("processor.commitWhenCaughtUp")
            fetchWaitMaxMs = try source.positiveInt("processor.fetchWaitMaxMs")
            publishEvents = try source.bool("processor.publishEvents")
            requireAccount = try source.bool("processor.requireAccount")
            sessions = try source.bool("processor.sessions")
            defaultCalendar = source.string("processor.defaultCalendar").trimmingCharacters(in: .whitespaces)
            guard defaultCalendar.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) != nil else {
                throw ConfigSource.LoadError.invalidValue(
                    key: "processor.defaultCalendar", variable: "QUANT_PROCESSOR_DEFAULT_CALENDAR", value: defaultCalendar,
                    expected: "a calendar id of market.trading_calendars (1-64 of A-Z a-z 0-9 . _ -)")
            }
            sessionCheckIntervalMs = try source.positiveInt("processor.sessionCheckIntervalMs")
            topicPrefix = source.string("processor.topicPrefix")
            snapshotIntervalSeconds = try source.positiveInt("processor.snapshotIntervalSeconds")
            depthIntervalMs = try source.positiveInt("processor.depthIntervalMs")
            ingestWindowSeconds = try source.nonNegativeInt("processor.ingestWindowSeconds")
            closedOrderMemory = try source.positiveInt("processor.closedOrderMemory")
            maxEventLeadSeconds = try source.nonNegativeInt("processor.maxEventLeadSeconds")
            maxEventAgeDays = try source.nonNegativeInt("processor.maxEventAgeDays")
            shutdownGraceSeconds = try source.nonNegativeInt("processor.shutdownGraceSeconds")
        }
    }
}
