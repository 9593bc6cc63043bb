import Foundation
import Logging
import PostgresNIO

/// The schema this build's services need: they refuse to start against an older one, naming the
/// migrations it lacks, instead of failing later on a missing table or column.
///
/// `required` is the latest migration the code uses; `SchemaRequirementTests` keeps it equal to the
/// newest file in `migrations/`, so adding a migration means raising it. A newer schema (migrated
/// ahead of a rolling upgrade) is accepted.
public enum SchemaRequirement {
    public static let required = 32

    public struct TooOld: Error, CustomStringConvertible {
        public let current: Int
        public let required: Int
        public let missing: [String]
        public var description: String {
            let at = current == 0 ? "has no migration this service can see" : "is at migration \(String(format: "%04d", current))"
            return "the database schema \(at); this build needs \(String(format: "%04d", required)) (missing: "
                + missing.joined(separator: ", ") + "). Run `quant migrate up` first."
        }
    }

    /// Throws `TooOld` when the ledger's latest version is below `required`. `migrationsDirectory`,
    /// when readable, gives the missing migrations their names.
    public static func check(_ connection: PostgresConnection, service: String, migrationsDirectory: String?, logger: Logger) async throws {
        // A ledger this role may not read predates the grant in sql/999: older than this build too.
        let readable = try await connection.query("""
            SELECT to_regclass('public.schema_migrations') IS NOT NULL
               AND has_table_privilege('public.schema_migrations', 'SELECT')
            """, logger: logger)
        var canRead = false
        for try await ok in readable.decode(Bool.self) { canRead = ok }
        var current = 0
        if canRead {
            let rows = try await connection.query("SELECT coalesce(max(version), 0)::int FROM public.schema_migrations", logger: logger)
            for try await version in rows.decode(Int.self) { current = version }
        }
        guard current < required else {
            logger.debug("schema is new enough", metadata: ["service": "\(service)", "version": "\(current)"])
            return
        }
        let names = Dictionary(
            ((try? migrationsDirectory.map(Migration.load(from:))) ?? nil ?? []).map { ($0.version, $0.fileName) },
            uniquingKeysWith: { first, _ in first })
        let missing = ((current + 1)...required).map { names[$0].map { ($0 as NSString).deletingPathExtension } ?? String(format: "%04d", $0) }
        throw TooOld(current: current, required: required, missing: missing)
    }
}
