import PostgresNIO

extension PostgresConnection {
    /// LISTENs on every channel (nested, so each is UNLISTENed on exit), calls `started` once all
    /// are registered, then hands every notification to `handle` until the connection fails or the
    /// task is cancelled. One connection serves all channels.
    func listen(on channels: [String], started: @Sendable () -> Void = {},
                handle: @escaping @Sendable (_ channel: String, _ payload: String) async -> Void) async throws {
        try await listen(on: channels[...], sequences: [], started: started, handle: handle)
    }

    private func listen(on channels: ArraySlice<String>, sequences: [(String, PostgresNotificationSequence)],
                        started: @Sendable () -> Void,
                        handle: @escaping @Sendable (String, String) async -> Void) async throws {
        guard let channel = channels.first else {
            started()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (channel, notifications) in sequences {
                    group.addTask {
                        for try await notification in notifications { await handle(channel, notification.payload) }
                    }
                }
                try await group.waitForAll()
            }
            return
        }
        try await listen(on: channel) { notifications in
            try await self.listen(on: channels.dropFirst(), sequences: sequences + [(channel, notifications)],
                                  started: started, handle: handle)
        }
    }
}
