import Kafka
import OrderBook
import Processor
import QuantConfig

extension ProcessorSettings {
    /// The processor's configuration from the `kafka.*`, `processor.*` and `limits.*` settings: the
    /// one mapping, used by `quant processor` and `quant bench ingest` (which then overrides what it
    /// measures).
    init(settings: QuantSettings) throws {
        self.init(
            brokers: settings.kafka.brokers, groupID: settings.kafka.groupId, clientID: "\(settings.kafka.clientId)-processor",
            sessionTimeoutMilliseconds: settings.kafka.sessionTimeoutMs,
            topics: TopicNames(prefix: settings.processor.topicPrefix),
            batchMaxMessages: settings.processor.batchMaxMessages,
            batchMaxDelay: .milliseconds(settings.processor.batchMaxDelayMs),
            publishEvents: settings.processor.publishEvents)
        commitWhenCaughtUp = settings.processor.commitWhenCaughtUp
        fetchWaitMaxMilliseconds = settings.processor.fetchWaitMaxMs
        snapshotInterval = .seconds(settings.processor.snapshotIntervalSeconds)
        depthInterval = .milliseconds(settings.processor.depthIntervalMs)
        if settings.processor.ingestWindowSeconds > 0 { ingestWindow = .seconds(settings.processor.ingestWindowSeconds) }
        limits = try PreTradeLimitTable(settings: settings)
        closedOrderMemory = settings.processor.closedOrderMemory
        requireAccount = settings.processor.requireAccount
        if settings.processor.sessions {
            sessions = SessionScheduler.Settings(
                defaultCalendar: settings.processor.defaultCalendar, checkInterval: .milliseconds(settings.processor.sessionCheckIntervalMs))
        }
        upkeep = PartitionUpkeep.Settings(
            interval: .seconds(settings.partitions.maintenanceIntervalSeconds), premakeDays: settings.partitions.premakeDays)
        eventTime = EventTimeWindow(maxLeadSeconds: settings.processor.maxEventLeadSeconds, maxAgeDays: settings.processor.maxEventAgeDays)
        shutdownGrace = .seconds(settings.processor.shutdownGraceSeconds)
        statisticsIntervalMilliseconds = settings.kafka.statisticsIntervalMs
        kafkaSecurity = try KafkaSecurity(settings: settings.kafka)
    }
}
