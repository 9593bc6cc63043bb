/// `GET /api/v1/pipeline` and the stream's `pipeline` event (channel `pipeline:GROUP`): how the
/// consumer group keeps up, defined once for both (docs/api.md, "Pipeline"). Rates are messages per
/// second over the API's last ~10 s of samples (absent until it has two); times are RFC 3339 UTC.
public struct PipelineBody: Codable, Sendable, Equatable {
    public var consumerGroup: String
    public var asOf: String
    public var broker: PipelineBroker
    /// Every topic the group has committed offsets of, by name.
    public var topics: [PipelineTopic]
    /// Every processor that stored a batch window (`ops.ingest_windows`) in the last 2 minutes: its latest.
    public var processors: [PipelineProcessor]
    public var deadLetters: DeadLetterSummary

    public init(consumerGroup: String, asOf: String, broker: PipelineBroker, topics: [PipelineTopic],
                processors: [PipelineProcessor], deadLetters: DeadLetterSummary) {
        (self.consumerGroup, self.asOf, self.broker) = (consumerGroup, asOf, broker)
        (self.topics, self.processors, self.deadLetters) = (topics, processors, deadLetters)
    }
}

/// Whether the broker told the API its end offsets; without them there is no lag or input rate.
public struct PipelineBroker: Codable, Sendable, Equatable {
    public var reachable: Bool
    public var error: String?
    /// When the end offsets (or the error) were read: the API asks the broker every few seconds.
    public var readAt: String?
    public init(reachable: Bool, error: String? = nil, readAt: String? = nil) {
        (self.reachable, self.error, self.readAt) = (reachable, error, readAt)
    }
}

public struct PipelineTopic: Codable, Sendable, Equatable {
    public var topic: String
    /// The broker's partitions (those with a stored offset when the broker did not answer).
    public var partitions: Int
    /// Sum over its partitions of the next offset committed to PostgreSQL with the rows.
    public var committedOffset: Int64
    /// Sum over its partitions of the broker's end offsets (high watermarks).
    public var endOffset: Int64?
    /// Messages on the broker not yet committed: per partition end − committed (0 where nothing
    /// is), at least 0, summed.
    public var lag: Int64?
    /// Messages per second arriving on the broker (end offsets) and committed (stored offsets).
    public var producedPerSecond: Double?
    public var consumedPerSecond: Double?
    public var lastCommit: String?
    public var secondsSinceCommit: Double?

    public init(topic: String, partitions: Int, committedOffset: Int64, endOffset: Int64? = nil, lag: Int64? = nil,
                producedPerSecond: Double? = nil, consumedPerSecond: Double? = nil, lastCommit: String? = nil,
                secondsSinceCommit: Double? = nil) {
        (self.topic, self.partitions, self.committedOffset, self.endOffset, self.lag) = (topic, partitions, committedOffset, endOffset, lag)
        (self.producedPerSecond, self.consumedPerSecond) = (producedPerSecond, consumedPerSecond)
        (self.lastCommit, self.secondsSinceCommit) = (lastCommit, secondsSinceCommit)
    }
}

/// One processor's latest window of committed batches (`ops.ingest_windows`).
public struct PipelineProcessor: Codable, Sendable, Equatable {
    /// host/pid of the processor process.
    public var instance: String
    public var windowEnd: String
    public var windowSeconds: Double
    public var batches: Int
    public var messages: Int64
    public var messagesPerSecond: Double
    public var deadLetters: Int
    /// Commit time of its batches in milliseconds (absent when it committed none).
    public var commitMsP50: Double?
    public var commitMsP99: Double?
    public var commitMsMax: Double?

    public init(instance: String, windowEnd: String, windowSeconds: Double, batches: Int, messages: Int64,
                messagesPerSecond: Double, deadLetters: Int, commitMsP50: Double?, commitMsP99: Double?, commitMsMax: Double?) {
        (self.instance, self.windowEnd, self.windowSeconds, self.batches, self.messages) = (instance, windowEnd, windowSeconds, batches, messages)
        (self.messagesPerSecond, self.deadLetters) = (messagesPerSecond, deadLetters)
        (self.commitMsP50, self.commitMsP99, self.commitMsMax) = (commitMsP50, commitMsP99, commitMsMax)
    }
}

/// The dead letters (`ops.dead_letters`) of every topic: how many in the last hour, and the newest,
/// so a reader knows when to read `GET /pipeline/dead-letters` again.
public struct DeadLetterSummary: Codable, Sendable, Equatable {
    public var lastHour: Int64
    public var latestId: Int64?
    public var latestAt: String?
    public init(lastHour: Int64, latestId: Int64?, latestAt: String?) {
        (self.lastHour, self.latestId, self.latestAt) = (lastHour, latestId, latestAt)
    }
}
