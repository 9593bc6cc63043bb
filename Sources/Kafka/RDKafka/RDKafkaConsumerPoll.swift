import CRdKafka

/// One iteration of the consumer's poll thread: fetched messages into the buffer, in batches.
extension RDKafkaConsumerContext {
    /// False when the consumer must stop (a fatal error, a failed assignment).
    func pollOnce(client: RDKafkaClient) -> Bool {
        if stopError.withLock({ $0 != nil }) { return false }
        refreshWatermarks(client: client)
        // Backpressure: while the application's buffer is full, do not take more from librdkafka.
        let room = buffer.waitForSpace(timeout: 0.05)
        guard room > 0 else { return true }
        // Wait up to 100 ms for the first message, then take what is already there, up to the room left.
        logGuard.verifyIfDue(client.handle)
        var batch: [KafkaConsumerMessage] = []
        var timeout: Int32 = logGuard.isVerifying ? 50 : 100
        var generation = logGuard.generation
        var topicIDs = logGuard.topicIDs
        while batch.count < min(room, 1_024), let message = rd_kafka_consumer_poll(client.handle, timeout) {
            timeout = 0
            defer { rd_kafka_message_destroy(message) }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                // An assignment served inside this poll may have brought new ids.
                if logGuard.generation != generation {
                    generation = logGuard.generation
                    topicIDs = logGuard.topicIDs
                }
                batch.append(reader.read(message, topicIDs: topicIDs, generation: generation))
            } else if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
                let error = KafkaError.librdkafka(err, "consume", detail: text)
                if let fatal = client.fatalError() {
                    buffer.push(batch)
                    fail(fatal)
                    return false
                }
                logger.warning("consumer error", metadata: ["error": "\(error)"])
                // A broker restart or a topic that went away may mean a replaced log: everything
                // fetched from here on waits until the topic ids are verified.
                logGuard.suspect(client.handle, because: error)
                break
            }
        }
        buffer.push(batch)
        return true
    }

    /// Copies librdkafka's cached high watermarks of the assignment (local calls, no request),
    /// at most once a second.
    private func refreshWatermarks(client: RDKafkaClient) {
        guard watermarksReadAt.duration(to: .now) >= .seconds(1) else { return }
        watermarksReadAt = .now
        guard let assignment = try? client.assignment() else { return }
        var result: [TopicPartition: KafkaOffset] = [:]
        for p in assignment {
            if let high = client.cachedHighWatermark(p) { result[p] = high }
        }
        highWatermarks.withLock { $0 = result }
    }
}
