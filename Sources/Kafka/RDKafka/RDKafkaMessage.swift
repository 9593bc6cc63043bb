import CRdKafka
import Foundation

/// Copies a consumed `rd_kafka_message_t` into a `KafkaConsumerMessage`.
enum RDKafkaMessage {
    /// Reads messages on one thread, reusing the topic's Swift string across messages.
    final class Reader: @unchecked Sendable {
        private var lastTopic: (cString: [CChar], string: String) = ([0], "")
        /// The id of `lastTopic` in the `topicIDs` it was last looked up in (by their generation).
        private var lastID: (generation: Int, id: KafkaTopicID?) = (-1, nil)

        func read(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topicIDs: [String: KafkaTopicID] = [:],
                  generation: Int = 0) -> KafkaConsumerMessage {
            var topic = ""
            if let rkt = message.pointee.rkt, let name = rd_kafka_topic_name(rkt) {
                if strcmp(lastTopic.cString, name) != 0 {
                    let string = String(cString: name)
                    lastTopic = (Array(string.utf8CString), string)
                    lastID.generation = -1
                }
                topic = lastTopic.string
            }
            if lastID.generation != generation { lastID = (generation, topicIDs[topic]) }
            var result = RDKafkaMessage.read(message, topic: topic)
            result.topicID = lastID.id
            return result
        }
    }

    static func read(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> KafkaConsumerMessage {
        let m = message.pointee
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let millis = rd_kafka_message_timestamp(message, &timestampType)
        let timestamp = timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || millis < 0
            ? nil : Date(timeIntervalSince1970: Double(millis) / 1000)
        return KafkaConsumerMessage(
            topic: topic, partition: KafkaPartition(rawValue: m.partition), offset: KafkaOffset(rawValue: m.offset),
            key: key, value: value, timestamp: timestamp, headers: headers(message))
    }

    static func headers(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            result.append(KafkaHeader(name.map { String(cString: $0) } ?? "",
                                      value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
        return result
    }

    /// Builds an `rd_kafka_headers_t` for producing, or nil when there are none.
    static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let hdrs = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { _ = rd_kafka_header_add(hdrs, header.name, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(hdrs, header.name, -1, nil, 0)
            }
        }
        return hdrs
    }
}
