import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, output to a log file, in a process group of its
/// own so that Ctrl-C reaches only `quant demo`, which then stops its children in order.
///
/// Not Foundation's `Process`: its `waitUntilExit` can hang on children that start daemons
/// (`scripts/stack up`), which inherit the descriptors it watches; `waitpid` waits for the child only.
struct ChildProcess: Sendable {
    let name: String
    let pid: pid_t

    /// Starts `path arguments…` with `environment`; stdout and stderr go to `logPath`.
    static func start(_ name: String, _ path: String, _ arguments: [String], environment: [String: String],
                      logPath: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw DemoError("cannot start \(name) (\(path)): \(String(cString: strerror(result)))") }
        return ChildProcess(name: name, pid: pid)
    }

    /// Runs to completion and returns the exit status (-1 if killed by a signal).
    static func run(_ name: String, _ path: String, _ arguments: [String], environment: [String: String],
                    logPath: String) async throws -> Int32 {
        try await start(name, path, arguments, environment: environment, logPath: logPath).exitStatus()
    }

    func terminate() { kill(pid, SIGTERM) }

    /// Waits for the exit without blocking a thread of the cooperative pool.
    func exitStatus() async -> Int32 {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
            if reaped == -1 && errno != EINTR { return -1 }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    var isRunning: Bool { kill(pid, 0) == 0 && !Self.isZombie(pid) }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
