import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion off Swift's cooperative thread pool and returns its exit status.
///
/// Tests run in parallel on a 2-thread pool (2 cores): a blocking `waitpid` there (initdb, pg_ctl
/// stop take seconds) would stall every other test's tasks, and time-bounded tests fail.
public func runToCompletion(_ path: String, _ arguments: [String], environment: [String: String]) async -> Int32 {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: runToCompletionBlocking(path, arguments, environment: environment)) }.start()
    }
}

extension Process {
    /// `waitUntilExit` on a thread of its own, for the same reason as `runToCompletion`.
    public func exited() async {
        nonisolated(unsafe) let process = self
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
    }
}

extension Process {
    /// Runs the process and returns what it wrote to standard output (and standard error, if
    /// `withStandardError`) once it has exited. Reading and waiting happen on a thread of their
    /// own, for the same reason as `runToCompletion`; two processes run this way at once are read
    /// at once, so neither can block on a full pipe while the other is awaited.
    public func runCollectingOutput(withStandardError: Bool = false) async throws -> String {
        let output = Pipe()
        standardOutput = output
        standardError = withStandardError ? output : FileHandle.nullDevice
        try run()
        nonisolated(unsafe) let process = self
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
    }
}

/// Runs a program to completion with `posix_spawn` + `waitpid` and returns its exit status.
///
/// Foundation's `Process.waitUntilExit` can wait forever for a script that starts a daemon
/// (`pg_ctl start`): the daemon inherits the descriptors Foundation watches. `waitpid` only waits
/// for the child itself. Output goes to /dev/null.
public func runToCompletionBlocking(_ path: String, _ arguments: [String], environment: [String: String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid = pid_t()
    guard posix_spawn(&pid, path, &actions, nil, argv, envp) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}
