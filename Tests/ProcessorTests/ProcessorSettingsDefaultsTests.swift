import Processor
import QuantConfig
import Testing

/// Issue 17: a setting had two defaults (`processor.batchMaxDelayMs` 10 in `ConfigKey`, 100 in
/// `ProcessorSettings`). The settings' defaults are the source; this keeps the struct's equal.
@Suite struct ProcessorSettingsDefaultsTests {
    static func defaultValue(_ path: String) throws -> String {
        try #require(ConfigKey.named(path)).defaultValue
    }

    @Test func theStructsDefaultsAreTheSettingsDefaults() throws {
        let settings = ProcessorSettings(brokers: "b:1", groupID: "g")
        #expect("\(settings.batchMaxMessages)" == (try Self.defaultValue("processor.batchMaxMessages")))
        #expect(settings.batchMaxDelay == .milliseconds(Int(try Self.defaultValue("processor.batchMaxDelayMs"))!))
        #expect("\(settings.commitWhenCaughtUp)" == (try Self.defaultValue("processor.commitWhenCaughtUp")))
        #expect("\(settings.fetchWaitMaxMilliseconds)" == (try Self.defaultValue("processor.fetchWaitMaxMs")))
        #expect("\(settings.publishEvents)" == (try Self.defaultValue("processor.publishEvents")))
        #expect("\(settings.requireAccount)" == (try Self.defaultValue("processor.requireAccount")))
        // The scheduler is off in a pipeline made in code (tests, benchmarks); its own defaults are the settings'.
        let sessions = SessionScheduler.Settings()
        #expect(sessions.defaultCalendar == (try Self.defaultValue("processor.defaultCalendar")))
        #expect(sessions.checkInterval == .milliseconds(Int(try Self.defaultValue("processor.sessionCheckIntervalMs"))!))
        #expect(try Self.defaultValue("processor.sessions") == "true", "quant processor closes sessions unless told not to")
        #expect(settings.snapshotInterval == .seconds(Int(try Self.defaultValue("processor.snapshotIntervalSeconds"))!))
        #expect(settings.depthInterval == .milliseconds(Int(try Self.defaultValue("processor.depthIntervalMs"))!))
        // Batch windows are off in a pipeline made in code, like the scheduler; `quant processor`
        // stores one every processor.ingestWindowSeconds (ProcessorSettings(settings:)).
        let windowSeconds = Int(try Self.defaultValue("processor.ingestWindowSeconds"))!
        #expect(settings.ingestWindow == nil && windowSeconds > 0)
        #expect("\(settings.closedOrderMemory)" == (try Self.defaultValue("processor.closedOrderMemory")))
        #expect(settings.eventTime == EventTimeWindow(
            maxLeadSeconds: Int(try Self.defaultValue("processor.maxEventLeadSeconds"))!,
            maxAgeDays: Int(try Self.defaultValue("processor.maxEventAgeDays"))!))
        #expect(settings.shutdownGrace == .seconds(Int(try Self.defaultValue("processor.shutdownGraceSeconds"))!))
        #expect("\(settings.statisticsIntervalMilliseconds)" == (try Self.defaultValue("kafka.statisticsIntervalMs")))
        #expect("\(settings.sessionTimeoutMilliseconds)" == (try Self.defaultValue("kafka.sessionTimeoutMs")))
        #expect(settings.topics == TopicNames(prefix: try Self.defaultValue("processor.topicPrefix")))
    }
}
