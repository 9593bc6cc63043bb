/// Runs `start` on a random port of `range` until it succeeds, at most `attempts` times.
///
/// Private test services take ports below the kernel's ephemeral range (32768–60999 here): there
/// only listeners, not the suite's many client connections, can hold a port. A port taken all the
/// same makes `start` fail, and the next attempt tries another.
public func onRandomPort<T>(in range: Range<Int>, attempts: Int = 5, _ start: (Int) async throws -> T) async throws -> T {
    var attempt = 1
    while true {
        do { return try await start(Int.random(in: range)) } catch where attempt < attempts { attempt += 1 }
    }
}
