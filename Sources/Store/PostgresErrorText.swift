import PostgresNIO
import _ConnectionPoolModule

/// postgres-nio hides server messages behind a generic description (to avoid leaking data into
/// logs by accident); operators of the migrator and the processor need the real message.
public enum PostgresErrorText {
    public static func describe(_ error: any Error) -> String {
        let error = unwrap(error)
        guard let psql = error as? PSQLError else { return "\(error)" }
        guard let info = psql.serverInfo else {
            // Connection-level failures carry the underlying socket or TLS error.
            return psql.underlying.map { "\(psql.code): \($0)" } ?? "\(psql.code)"
        }
        var text = "\(info[.severity] ?? "ERROR") \(info[.sqlState] ?? ""): \(info[.message] ?? "")"
        if let detail = info[.detail] { text += " (\(detail))" }
        if let hint = info[.hint] { text += " hint: \(hint)" }
        return text
    }

    /// The SQLSTATE of a server error, e.g. "23514" for a row with no partition.
    public static func sqlState(_ error: any Error) -> String? {
        (unwrap(error) as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Whether the server may answer differently soon: no SQLSTATE (the connection failed), or
    /// one of class 08 (connection exception), 53 (insufficient resources, e.g. too many
    /// connections) or 57 (operator intervention: shutting down, starting up, terminated by a
    /// restart). Anything else the server said is its considered answer to the same request.
    public static func isTransient(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return true }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
    }

    /// Whether `error` says the client's pool is shut down (the process is stopping): such a pool
    /// never comes back, so retrying is pointless. Leasing a connection throws the pool's own
    /// error, a query through the client PostgresNIO's.
    public static func isPoolClosed(_ error: any Error) -> Bool {
        let error = unwrap(error)
        if let psql = error as? PSQLError { return psql.code == .poolClosed }
        return (error as? ConnectionPoolError) == .poolShutdown
    }

    /// The error that matters inside a failed transaction: its BEGIN, body or COMMIT error.
    public static func unwrap(_ error: any Error) -> any Error {
        guard let tx = error as? PostgresTransactionError else { return error }
        return tx.closureError ?? tx.commitError ?? tx.beginError ?? error
    }
}
