import Foundation

/// One forward-only schema change: `migrations/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let fileName: String
    public let sql: String

    /// Reads every `NNNN_name.sql` in `directory`, sorted by version.
    /// Files that do not match the pattern are an error rather than silently ignored.
    public static func load(from directory: String) throws -> [Migration] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.missingDirectory(directory)
        }
        var result: [Migration] = []
        for fileName in names.sorted() where !fileName.hasPrefix(".") {
            guard fileName.hasSuffix(".sql") else { throw MigrationError.badFileName(fileName) }
            let stem = fileName.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0,
                  !parts[1].isEmpty
            else { throw MigrationError.badFileName(fileName) }
            let sql = try String(contentsOfFile: "\(directory)/\(fileName)", encoding: .utf8)
            result.append(Migration(version: version, name: String(parts[1]), fileName: fileName, sql: sql))
        }
        var seen = Set<Int>()
        for migration in result where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        return result
    }

    /// The reader-contract files of `sql/`, applied in name order.
    public static func loadScripts(from directory: String) throws -> [(fileName: String, sql: String)] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw MigrationError.missingDirectory(directory)
        }
        return try names.filter { $0.hasSuffix(".sql") }.sorted().map {
            ($0, try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8))
        }
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case missingDirectory(String)
    case badFileName(String)
    case duplicateVersion(Int)
    case checksumChanged(version: Int, fileName: String, applied: String, current: String)
    case appliedFileMissing(version: Int, name: String)
    case outOfOrder(version: Int, fileName: String, latestApplied: Int)
    case statementFailed(file: String, statement: String, message: String)
    case badTarget(target: Int, current: Int, head: Int)

    public var description: String {
        switch self {
        case let .missingDirectory(dir): "migration folder \(dir) does not exist"
        case let .badFileName(name): "\(name): migration files must be named NNNN_name.sql (four digits, > 0)"
        case let .duplicateVersion(v): "two migration files share version \(v)"
        case let .checksumChanged(v, file, applied, current):
            "\(file): applied migration \(v) was changed after it was applied (checksum \(applied.prefix(12))… in the ledger, \(current.prefix(12))… on disk). Migrations are forward-only: restore the file and add a new migration instead."
        case let .appliedFileMissing(v, name): "migration \(v) (\(name)) is in the ledger but its file is gone"
        case let .outOfOrder(v, file, latest):
            "\(file): version \(v) is pending but \(latest) is already applied; number new migrations above the latest"
        case let .badTarget(target, current, head):
            target > head
                ? "there is no migration \(target): the latest is \(head)"
                : "the database is at migration \(current), past \(target): migrations only go forward"
        case let .statementFailed(file, statement, message):
            "\(file): \(message)\n  in statement: \(statement.prefix(300))"
        }
    }
}
