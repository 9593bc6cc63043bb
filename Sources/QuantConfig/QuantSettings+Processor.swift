extension QuantSettings {
    /// `quant processor`: batching and topics (docs/processor.md).
    public struct Processor: Sendable {
        public var batchMaxMessages: Int
        public var batchMaxDelayMs: Int
        public var publishEvents: Bool
        public var requireAccount: Bool
        public var topicPrefix: String
        public var snapshotIntervalSeconds: Int
        public var depthIntervalMs: Int
        public var closedOrderMemory: Int
        public var maxEventLeadSeconds: Int
        public var maxEventAgeDays: Int
        public var shutdownGraceSeconds: Int

        init(_ source: ConfigSource) throws {
            batchMaxMessages = try source.positiveInt("processor.batchMaxMessages")
            batchMaxDelayMs = try source.positiveInt("processor.batchMaxDelayMs")
            publishEvents = try source.bool("processor.publishEvents")
            requireAccount = try source.bool("processor.requireAccount")
            topicPrefix = source.string("processor.topicPrefix")
            snapshotIntervalSeconds = try source.positiveInt("processor.snapshotIntervalSeconds")
            depthIntervalMs = try source.positiveInt("processor.depthIntervalMs")
            closedOrderMemory = try source.positiveInt("processor.closedOrderMemory")
            maxEventLeadSeconds = try source.nonNegativeInt("processor.maxEventLeadSeconds")
            maxEventAgeDays = try source.nonNegativeInt("processor.maxEventAgeDays")
            shutdownGraceSeconds = try source.nonNegativeInt("processor.shutdownGraceSeconds")
        }
    }
}
