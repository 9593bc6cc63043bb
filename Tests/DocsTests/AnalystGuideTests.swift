import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// Every ```sql block of docs/sql.md runs as the analyst role against the real schema, filled like
/// a running demo, and returns rows.
@Suite struct AnalystGuideTests {
    static func sqlBlocks(in markdown: String) -> [(line: Int, sql: String)] {
        var blocks: [(Int, String)] = []
        var current: [String]? = nil
        var start = 0
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```sql" {
                current = []
                start = index + 2
            } else if current != nil, trimmed == "```" {
                blocks.append((start, current!.joined(separator: "\n")))
                current = nil
            } else if current != nil {
                current!.append(String(line))
            }
        }
        return blocks
    }

    @Test func extractsFencedSQLBlocksOnly() {
        let markdown = "text\n```sql\nSELECT 1;\n```\n```bash\npsql\n```\n    SELECT 2;\n```sql\nSELECT 3\nFROM x;\n```\n"
        let blocks = Self.sqlBlocks(in: markdown)
        #expect(blocks.map(\.sql) == ["SELECT 1;", "SELECT 3\nFROM x;"])
        #expect(blocks.map(\.line) == [3, 10])
    }

    @Test func everyExampleQueryOfTheGuideRunsAsAnalystAndReturnsRows() async throws {
        let guide = try String(contentsOfFile: "\(TestDatabase.repositoryRoot)/docs/sql.md", encoding: .utf8)
        let blocks = Self.sqlBlocks(in: guide)
        #expect(blocks.count >= 20, "docs/sql.md should hold the example queries")
        try await FilledDatabase.with { db in
            try await db.connection(as: "analyst") { c in
                for block in blocks {
                    let statements = SQLScript.statements(block.sql)
                    #expect(statements.count == 1, "docs/sql.md:\(block.line): one statement per block")
                    do {
                        let rows = try await rowCount(block.sql, on: c, logger: db.logger)
                        #expect(rows > 0, "docs/sql.md:\(block.line) returned no rows:\n\(block.sql)")
                    } catch {
                        Issue.record("docs/sql.md:\(block.line) failed as analyst: \(error)\n\(block.sql)")
                    }
                }
            }
        }
    }

    @Test func theAnalystReadsTheReaderViewsButNotTheBaseTables() async throws {
        try await FilledDatabase.with { db in
            try await db.connection(as: "analyst") { c in
                let exceptions = try await rowCount("SELECT * FROM analytics.var_exceptions WHERE exception", on: c, logger: db.logger)
                #expect(exceptions > 0)
                await #expect(throws: QueryFailure.self) {
                    _ = try await rowCount("SELECT * FROM market.quotes LIMIT 1", on: c, logger: db.logger)
                }
            }
        }
    }
}

@Suite struct AnalystGuideCoverageTests {
    @Test func theGuideNamesEveryReaderViewAndFunction() async throws {
        let guide = try String(contentsOfFile: "\(TestDatabase.repositoryRoot)/docs/sql.md", encoding: .utf8)
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let rows = try await c.query("""
                    SELECT table_schema || '.' || table_name FROM information_schema.views
                    WHERE table_schema IN ('api', 'analytics')
                    UNION
                    SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname IN ('api', 'analytics')
                    """, logger: db.logger)
                var names: [String] = []
                for try await name in rows.decode(String.self) { names.append(name) }
                #expect(names.count > 20)
                for name in names {
                    #expect(guide.contains("`\(name)`") || guide.contains("`\(name)("), "docs/sql.md does not document \(name)")
                }
            }
        }
    }
}
