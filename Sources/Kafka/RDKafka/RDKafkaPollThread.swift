import Foundation
import Synchronization

/// A dedicated OS thread that runs a poll loop, so blocking librdkafka calls never occupy a
/// thread of Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private final class Flag: Sendable {
        let value = Atomic<Bool>(true)
    }
    private let flag = Flag()
    private let done = DispatchSemaphore(value: 0)

    /// `iteration` is called until `stopAndWait()` or until it returns false; `finally` runs once on
    /// the same thread afterwards.
    init(name: String, iteration: @escaping @Sendable () -> Bool, finally: @escaping @Sendable () -> Void = {}) {
        let thread = Thread { [flag, done] in
            while flag.value.load(ordering: .acquiring) && iteration() {}
            flag.value.store(false, ordering: .releasing)
            finally()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    var isRunning: Bool { flag.value.load(ordering: .acquiring) }

    /// Asks the loop to stop and waits (off the cooperative pool) until `finally` has run.
    func stopAndWait() async {
        flag.value.store(false, ordering: .releasing)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [done] in
                done.wait()
                done.signal()  // later callers return too
                continuation.resume()
            }
        }
    }
}

/// Runs a blocking librdkafka call on a Dispatch thread and awaits its result.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
    let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            do throws(KafkaError) { continuation.resume(returning: .success(try body())) } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try result.get()
}
