import CRdKafka
import Foundation

/// DescribeTopics (a Metadata request) for the topic ids of some topics, blocking the caller.
/// Works on any client handle, so the consumer's poll thread can ask on its own handle.
enum RDKafkaTopicIDs {
    /// The topics the broker knows, each with its id, or nil when the broker gives none (before
    /// Kafka 2.8); topics it does not know are left out. Throws when the request fails or times out.
    static func describe(_ handle: OpaquePointer, topics: [String], timeoutMilliseconds: Int32) throws(KafkaError)
        -> [String: KafkaTopicID?]
    {
        guard !topics.isEmpty else { return [:] }
        var errstr = [CChar](repeating: 0, count: 512)
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_DESCRIBETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let names = topics.map { strdup($0)! }
        defer { for name in names { free(name) } }
        var pointers: [UnsafePointer<CChar>?] = names.map { UnsafePointer($0) }
        let collection = rd_kafka_TopicCollection_of_topic_names(&pointers, pointers.count)
        defer { rd_kafka_TopicCollection_destroy(collection) }
        rd_kafka_DescribeTopics(handle, collection, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1_000) else {
            throw .librdkafka(RD_KAFKA_RESP_ERR__TIMED_OUT, "describe topics \(topics)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .librdkafka(eventError, "describe topics \(topics)",
                              detail: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        var count = 0
        guard let result = rd_kafka_event_DescribeTopics_result(event),
              let descriptions = rd_kafka_DescribeTopics_result_topics(result, &count)
        else { throw .librdkafka(RD_KAFKA_RESP_ERR__BAD_MSG, "describe topics \(topics): no result") }
        var ids: [String: KafkaTopicID?] = [:]
        for i in 0..<count {
            guard let description = descriptions[i], rd_kafka_TopicDescription_error(description) == nil,
                  let name = rd_kafka_TopicDescription_name(description)
            else { continue }
            let text = rd_kafka_TopicDescription_topic_id(description).flatMap { rd_kafka_Uuid_base64str($0) }
            ids[String(cString: name)] = text.flatMap { KafkaTopicID(librdkafka: String(cString: $0)) }
        }
        return ids
    }
}
