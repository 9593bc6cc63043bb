import Kafka
import Logging

/// Asks the broker which log a topic holds now, for an assignment that got no topic id (the broker
/// was re-creating its topics when the consumer described them). Waits while the broker does not
/// know the topic yet, up to `timeout`, and fails then: replaying books from a log whose identity
/// is unknown could put another log's commands into them.
struct LogResolution {
    let admin: KafkaAdmin
    let timeout: Duration
    let logger: Logger

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The topic's id; nil when the broker knows the topic but gives no ids (before Kafka 2.8).
    func id(of topic: String) async throws -> KafkaTopicID? {
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        while true {
            attempt += 1
            var problem = "not described yet"
            do {
                if let id = try await admin.topicIDs([topic])[topic] {
                    logger.notice("topic id resolved for the assignment", metadata: [
                        "topic": "\(topic)", "topic_id": "\(id)", "attempts": "\(attempt)"])
                    return id
                }
                if try await admin.topic(topic) != nil { return nil }
            } catch {
                problem = "\(error)"
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                throw Failure("the broker did not describe \(topic) within \(timeout) (\(problem)): its log cannot be told from the stored one")
            }
            if attempt == 1 || attempt % 20 == 0 {
                logger.warning("waiting for the broker to describe the topic", metadata: [
                    "topic": "\(topic)", "attempt": "\(attempt)", "problem": "\(problem)"])
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
