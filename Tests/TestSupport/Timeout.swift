import Synchronization

/// The value of `task`, or an error once `timeout` has passed without it. It returns even if the
/// task ignores cancellation (the task is left running): awaiting `Task.value` cannot be cancelled,
/// so a task group racing it against a sleep would hang with it.
@discardableResult
public func value<T: Sendable>(of task: Task<T, any Error>, within timeout: Duration, _ what: String) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let pending = PendingContinuation(continuation)
        let timer = Task {
            // Cancelled (the task finished first): its sleep ends at once, and it must not then
            // claim a timeout. That race failed tests under load whose processor had stopped.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            pending.resume(with: .failure(TestDatabase.MissingService(description: "timed out after \(timeout) waiting for \(what)")))
        }
        Task {
            let result = await task.result
            pending.resume(with: result)
            timer.cancel()
        }
    }
}

/// A continuation the first of several racers resumes; the others find it gone.
private final class PendingContinuation<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
