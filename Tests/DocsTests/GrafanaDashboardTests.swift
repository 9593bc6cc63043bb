import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// Grafana cannot run here, so its PostgreSQL panels are run as Grafana would run them: every
/// panel's SQL from the dashboards of config/grafana/dashboards, variables and macros expanded for
/// the dashboard's own time range, as the analyst role (Grafana's datasource user), against the
/// migrated schema filled like a running demo. Each must succeed and return rows.
@Suite struct GrafanaDashboardTests {
    static let dashboardsDirectory = "\(TestDatabase.repositoryRoot)/config/grafana/dashboards"
    static let postgresTypes: Set<String> = ["grafana-postgresql-datasource", "postgres"]

    struct Dashboard: @unchecked Sendable {  // immutable JSON
        let file: String
        let json: [String: Any]
        var title: String { json["title"] as? String ?? file }
    }

    struct SQLTarget {
        let panel: String
        let refId: String
        let format: String
        let sql: String
    }

    static func dashboards() throws -> [Dashboard] {
        let files = try FileManager.default.contentsOfDirectory(atPath: dashboardsDirectory).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(dashboardsDirectory)/\(file)"))
            guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw GrafanaQuery.Refused(description: "\(file) is not a JSON object")
            }
            return Dashboard(file: file, json: json)
        }
    }

    static func isPostgres(_ datasource: Any?) -> Bool {
        guard let ds = datasource as? [String: Any], let type = ds["type"] as? String else { return false }
        return postgresTypes.contains(type)
    }

    /// Every PostgreSQL target of every panel, rows' nested panels included.
    static func sqlTargets(_ dashboard: Dashboard) -> [SQLTarget] {
        var result: [SQLTarget] = []
        func walk(_ panels: [[String: Any]]) {
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let datasource = target["datasource"] ?? panel["datasource"]
                    guard isPostgres(datasource), let sql = target["rawSql"] as? String else { continue }
                    result.append(SQLTarget(panel: title, refId: target["refId"] as? String ?? "?",
                                            format: target["format"] as? String ?? "time_series", sql: sql))
                }
                walk(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        walk(dashboard.json["panels"] as? [[String: Any]] ?? [])
        return result
    }

    @Test func theExpanderFollowsGrafanasPostgresMacros() throws {
        let from = Date(timeIntervalSince1970: 1_492_750_877)
        var q = GrafanaQuery(from: from, to: from.addingTimeInterval(3600))
        q.variables = ["symbol": (["AAPL", "O'NEIL"], true), "symbols": (["X"], true), "limit": (["3.5"], false)]
        #expect(q.intervalSeconds == 5)
        #expect(try q.expand("$__timeFilter(ts)") == "ts BETWEEN '2017-04-21T05:01:17.000Z' AND '2017-04-21T06:01:17.000Z'")
        #expect(try q.expand("$__timeGroupAlias(ts, 5m)") == "floor(extract(epoch from ts)/300)*300 AS \"time\"")
        #expect(try q.expand("$__timeGroup(ts, '1h', 0)") == "floor(extract(epoch from ts)/3600)*3600")
        #expect(try q.expand("$__timeGroupAlias(ts, $__interval)") == "floor(extract(epoch from ts)/5)*5 AS \"time\"")
        #expect(try q.expand("$__timeFrom()::date, $__interval_ms") == "'2017-04-21T05:01:17.000Z'::date, 5000")
        #expect(try q.expand("symbol IN ($symbol) OR s IN (${symbols}) AND v > $limit") == "symbol IN ('AAPL','O''NEIL') OR s IN ('X') AND v > 3.5")
        #expect(try q.expand("$__time(coalesce(a, b))") == "coalesce(a, b) AS \"time\"")
        #expect(throws: GrafanaQuery.Refused.self) { try q.expand("$__unixEpochFilter(ts)") }
        #expect(throws: GrafanaQuery.Refused.self) { try q.expand("$__timeGroup(ts)") }
    }

    @Test func everyPostgresPanelRunsAsAnalystAndReturnsRows() async throws {
        let dashboards = try Self.dashboards()
        #expect(dashboards.map(\.file) == ["order-books.json", "pipeline.json", "risk.json", "system.json"])
        let total = dashboards.map { Self.sqlTargets($0).count }.reduce(0, +)
        #expect(total >= 20)
        try await FilledDatabase.with { db in
            try await db.connection(as: "analyst") { c in
                for dashboard in dashboards {
                    let time = dashboard.json["time"] as? [String: String] ?? [:]
                    let now = Date()
                    var query = GrafanaQuery(from: try GrafanaQuery.relative(time["from"] ?? "now-6h", now: now),
                                             to: try GrafanaQuery.relative(time["to"] ?? "now", now: now))
                    // Template variables, in order, each from its query or its current value.
                    let templating = dashboard.json["templating"] as? [String: Any]
                    for variable in templating?["list"] as? [[String: Any]] ?? [] {
                        let name = variable["name"] as? String ?? "?"
                        let quoted = variable["multi"] as? Bool == true || variable["includeAll"] as? Bool == true
                        switch variable["type"] as? String {
                        case "query":
                            #expect(Self.isPostgres(variable["datasource"]), "\(dashboard.file): variable \(name)")
                            let sql = try query.expand(variable["query"] as? String ?? "")
                            let rows = try await c.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
                            var values: [String] = []
                            for try await value in rows.decode(String.self) { values.append(value) }
                            #expect(!values.isEmpty, "\(dashboard.file): variable \(name) has no values")
                            query.variables[name] = (values, quoted)
                        case "custom", "textbox", "constant":
                            let current = (variable["current"] as? [String: Any])?["value"]
                            let values = (current as? [String]) ?? [(current as? String) ?? (variable["query"] as? String ?? "")]
                            query.variables[name] = (values, quoted)
                        default:
                            Issue.record("\(dashboard.file): variable \(name) of an unsupported type")
                        }
                    }
                    for target in Self.sqlTargets(dashboard) {
                        let place = "\(dashboard.file) “\(target.panel)” \(target.refId)"
                        let sql: String
                        do { sql = try query.expand(target.sql) } catch {
                            Issue.record("\(place): \(error)"); continue
                        }
                        #expect(!sql.contains("$"), "\(place): unexpanded variable in\n\(sql)")
                        do {
                            let rows = try await c.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
                            var count = 0
                            var hasTime = false
                            for try await row in rows {
                                if count == 0 { hasTime = row.makeRandomAccess().contains("time") }
                                count += 1
                            }
                            #expect(count > 0, "\(place) returned no rows:\n\(sql)")
                            if target.format == "time_series" {
                                #expect(hasTime || count == 0, "\(place): a time series needs a column named time")
                            }
                        } catch {
                            Issue.record("\(place) failed as analyst: \(PostgresErrorText.describe(error))\n\(sql)")
                        }
                    }
                }
            }
        }
    }

    @Test func everyPanelNamesAProvisionedDatasource() throws {
        let provisioning = try String(contentsOfFile: "\(TestDatabase.repositoryRoot)/config/grafana/provisioning/datasources/datasources.yaml", encoding: .utf8)
        for dashboard in try Self.dashboards() {
            for panel in dashboard.json["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let ds = (target["datasource"] ?? panel["datasource"]) as? [String: Any]
                    let uid = ds?["uid"] as? String ?? "none"
                    #expect(provisioning.contains("uid: \(uid)\n"), "\(dashboard.file) “\(panel["title"] ?? "?")” uses datasource \(uid)")
                }
            }
        }
    }
}
