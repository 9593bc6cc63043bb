import Logging
import Store

/// When PostgreSQL refuses a batch's data (a date it cannot store, a value out of range, a broken
/// constraint), committing the same batch again fails the same way forever and stops all ingest.
/// This finds the message whose rows it refuses, by bisecting the batch's messages in trial
/// transactions that are rolled back, and returns the batch without that message's rows and with
/// a dead letter for it (its raw bytes, and PostgreSQL's message as the reason). The caller commits
/// the rest; with several bad messages it comes back once for each.
///
/// A command's rows go, but its effect on the book stays (the engine has applied it; a replay
/// applies it again), like any command the book accepts: only its stored rows are refused.
struct DataErrorIsolation {
    let writer: BatchWriter
    let topics: TopicNames
    let logger: Logger

    /// One consumed message, as the rows it produced name it.
    struct Source: Hashable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    /// The batch without the first message whose rows PostgreSQL refuses, plus its dead letter.
    /// When the batch is refused even without any message rows (its snapshots, depth or dead
    /// letters), no message is to blame: every message of the batch becomes a dead letter, so the
    /// offsets still move on. Throws what is not a data error (the database is down): retry later.
    func isolate(_ batch: IngestBatch, messages: [ConsumedMessage], failure: any Error) async throws -> IngestBatch {
        // The topic whose messages make each table's rows.
        let topicOf = [
            batch.quotes.table: topics.quotes, batch.trades.table: topics.trades, batch.orders.table: topics.commands,
            batch.orderEvents.table: topics.commands, batch.executions.table: topics.commands,
        ]
        func restricted(to allowed: Set<Source>) -> IngestBatch {
            batch.keepingRows { table, partition, offset in
                guard let topic = topicOf[table] else { return true }
                return allowed.contains(Source(topic: topic, partition: partition, offset: offset))
            }
        }
        let sources = messages.map { Source(topic: $0.topic, partition: $0.partition, offset: $0.offset) }
        if let refusal = try await refusal(of: restricted(to: [])) {
            logger.error("PostgreSQL refuses the batch even without its messages' rows; every message goes to dead letters",
                         metadata: ["messages": "\(messages.count)", "error": "\(refusal)"])
            return deadLettered(batch, messages: messages, reason: "PostgreSQL refused the batch: \(refusal)")
        }
        // The first `low` messages' rows are accepted; the first `high` are refused (all were).
        var low = 0, high = messages.count
        var reason = PostgresErrorText.describe(failure)
        while high - low > 1 {
            let middle = (low + high) / 2
            if let refusal = try await refusal(of: restricted(to: Set(sources[..<middle]))) {
                high = middle
                reason = refusal
            } else {
                low = middle
            }
        }
        guard high > 0 else { return batch }
        let bad = messages[high - 1]
        let badSource = sources[high - 1]
        logger.error("PostgreSQL refuses a message's rows; it goes to dead letters and the rest of the batch commits", metadata: [
            "topic": "\(bad.topic)", "partition": "\(bad.partition)", "offset": "\(bad.offset)", "error": "\(reason)"])
        var reduced = batch.keepingRows { table, partition, offset in
            Source(topic: topicOf[table] ?? "", partition: partition, offset: offset) != badSource
        }
        guard reduced.rowCount < batch.rowCount else {
            // The search named a message without rows: the refusal does not follow the messages.
            return deadLettered(batch, messages: messages, reason: "PostgreSQL refused the batch: \(reason)")
        }
        reduced.deadLetters.append(DeadLetter(
            topic: bad.topic, partition: bad.partition, offset: bad.offset, key: bad.key, payload: bad.value,
            error: "PostgreSQL refused its rows: \(reason.prefix(240))"))
        return reduced
    }

    /// PostgreSQL's reason for refusing `batch`, or nil when it would commit it.
    private func refusal(of batch: IngestBatch) async throws -> String? {
        do {
            try await writer.trial(batch)
            return nil
        } catch where BatchWriter.isDataError(error) {
            return PostgresErrorText.describe(error)
        }
    }

    /// Only the batch's offsets (and log ids), with every message a dead letter.
    private func deadLettered(_ batch: IngestBatch, messages: [ConsumedMessage], reason: String) -> IngestBatch {
        var result = IngestBatch()
        result.nextOffsets = batch.nextOffsets
        result.logIDs = batch.logIDs
        result.messageCount = batch.messageCount
        let already = Set(batch.deadLetters.map { Source(topic: $0.topic, partition: $0.partition, offset: $0.offset) })
        result.deadLetters = batch.deadLetters
        for m in messages where !already.contains(Source(topic: m.topic, partition: m.partition, offset: m.offset)) {
            result.deadLetters.append(DeadLetter(topic: m.topic, partition: m.partition, offset: m.offset, key: m.key,
                                                 payload: m.value, error: String(reason.prefix(280))))
        }
        return result
    }
}
