import CRdKafka

/// The producer's calls on the handle.
extension RDKafkaClient {
    /// Serves delivery reports (and statistics) for up to `timeoutMilliseconds`.
    func poll(timeoutMilliseconds: Int32) {
        _ = rd_kafka_poll(handle, timeoutMilliseconds)
    }

    /// Blocks until every enqueued message was delivered or failed, or the timeout passed.
    func flush(timeoutMilliseconds: Int32) throws(KafkaError) {
        let err = rd_kafka_flush(handle, timeoutMilliseconds)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "flush") }
    }

    /// Enqueues one record with `id` as its message opaque (0: no report awaited). Returns false,
    /// without building an error, when librdkafka's queue is full: the caller waits and retries.
    func produce(_ record: KafkaProducerRecord, id: UInt) throws(KafkaError) -> Bool {
        let headers = RDKafkaMessage.makeHeaders(record.headers)
        let err = record.value.withUnsafeBytes { value in
            withOptionalBytes(record.key) { key in
                crdkafka_produce(handle, record.topic, record.partition.rawValue,
                                 key?.baseAddress, key?.count ?? 0, value.baseAddress, value.count,
                                 headers, UnsafeMutableRawPointer(bitPattern: id))
            }
        }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return true }
        // On failure the headers are still ours.
        if let headers { rd_kafka_headers_destroy(headers) }
        if err == RD_KAFKA_RESP_ERR__QUEUE_FULL { return false }
        throw .librdkafka(err, "produce to \(record.topic)")
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
