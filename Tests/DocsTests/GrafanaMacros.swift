import Foundation

/// What Grafana does to a PostgreSQL panel's SQL before sending it, for the macros and variables
/// our dashboards use (Grafana's PostgreSQL data source: template variables are interpolated in
/// the browser, then the server expands the `$__` macros; pkg/tsdb/grafana-postgresql-datasource/macros.go):
///
/// | in the SQL | becomes |
/// | --- | --- |
/// | `$__interval`, `$__interval_ms` | the panel interval, e.g. `5s`, `1m`; in milliseconds |
/// | `$var`, `${var}` | a variable's value; multi-value or include-all variables as quoted literals `'a','b'` |
/// | `$__time(col)` | `col AS "time"` |
/// | `$__timeEpoch(col)` | `extract(epoch from col) AS "time"` |
/// | `$__timeFilter(col)` | `col BETWEEN 'from' AND 'to'` (RFC 3339, UTC) |
/// | `$__timeFrom()`, `$__timeTo()` | `'from'`, `'to'` |
/// | `$__timeGroup(col, 5m)` | `floor(extract(epoch from col)/300)*300` |
/// | `$__timeGroupAlias(col, 5m)` | the same `AS "time"` |
///
/// Anything else starting with `$__` is refused, so a dashboard cannot use a macro this test does not
/// understand.
struct GrafanaQuery {
    var from: Date
    var to: Date
    /// Template variables by name: the values and whether Grafana quotes them (multi or include-all).
    var variables: [String: (values: [String], quoted: Bool)] = [:]

    struct Refused: Error, CustomStringConvertible { let description: String }

    /// Grafana's interval for a range: range / max data points, rounded up to a round interval.
    var intervalSeconds: Int {
        let raw = to.timeIntervalSince(from) / 1000
        let steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        return steps.first { Double($0) >= raw } ?? 86400
    }

    static func format(seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// `5m`, `'5m'`, `30s`, `1h`, `1d`, `500ms` → seconds.
    static func parseInterval(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]
        for (unit, factor) in units where t.hasSuffix(unit) {
            if let n = Double(t.dropLast(unit.count)), n > 0 { return n * factor }
        }
        throw Refused(description: "not an interval: \(text)")
    }

    static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    func expand(_ sql: String) throws -> String {
        var text = sql
        text = replaceToken("$__interval_ms", in: text, with: String(intervalSeconds * 1000))
        text = replaceToken("$__interval", in: text, with: Self.format(seconds: intervalSeconds))
        for (name, variable) in variables.sorted(by: { $0.key.count > $1.key.count }) {
            let value = variable.quoted
                ? variable.values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",")
                : variable.values.joined(separator: ",")
            text = text.replacingOccurrences(of: "${\(name)}", with: value)
            text = replaceToken("$" + name, in: text, with: value)
        }
        return try expandMacros(text)
    }

    /// Replaces `token` where the next character cannot continue a name.
    private func replaceToken(_ token: String, in text: String, with value: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: token) {
            let after = rest[range.upperBound...].first
            result += rest[..<range.lowerBound]
            if let after, after.isLetter || after.isNumber || after == "_" {
                result += token
            } else {
                result += value
            }
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    private func expandMacros(_ text: String) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "$__") {
            result += rest[..<start.lowerBound]
            let nameEnd = rest[start.upperBound...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
            let name = String(rest[start.upperBound..<nameEnd])
            guard nameEnd < rest.endIndex, rest[nameEnd] == "(" else {
                throw Refused(description: "unknown Grafana variable $__\(name)")
            }
            // Arguments up to the matching parenthesis, split on top-level commas.
            var depth = 0
            var args: [String] = []
            var current = ""
            var index = rest.index(after: nameEnd)
            var closed = false
            while index < rest.endIndex {
                let c = rest[index]
                if c == "(" { depth += 1 }
                if c == ")" {
                    if depth == 0 { closed = true; break }
                    depth -= 1
                }
                if c == "," && depth == 0 {
                    args.append(current.trimmingCharacters(in: .whitespaces)); current = ""
                } else {
                    current.append(c)
                }
                index = rest.index(after: index)
            }
            guard closed else { throw Refused(description: "unclosed $__\(name)(") }
            let last = current.trimmingCharacters(in: .whitespaces)
            if !last.isEmpty || !args.isEmpty { args.append(last) }
            result += try macro(name, args)
            rest = rest[rest.index(after: index)...]
        }
        return result + rest
    }

    private func macro(_ name: String, _ args: [String]) throws -> String {
        func arguments(_ count: ClosedRange<Int>) throws {
            guard count.contains(args.count) else { throw Refused(description: "$__\(name) takes \(count) arguments, got \(args)") }
        }
        let from = "'\(Self.rfc3339(self.from))'", to = "'\(Self.rfc3339(self.to))'"
        switch name {
        case "time": try arguments(1...1); return "\(args[0]) AS \"time\""
        case "timeEpoch": try arguments(1...1); return "extract(epoch from \(args[0])) AS \"time\""
        case "timeFilter": try arguments(1...1); return "\(args[0]) BETWEEN \(from) AND \(to)"
        case "timeFrom": try arguments(0...0); return from
        case "timeTo": try arguments(0...0); return to
        case "timeGroup", "timeGroupAlias":
            // A third argument (fill mode) only changes what Grafana does with the result.
            try arguments(2...3)
            let seconds = try Self.parseInterval(args[1])
            let n = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            let group = "floor(extract(epoch from \(args[0]))/\(n))*\(n)"
            return name == "timeGroup" ? group : group + " AS \"time\""
        default:
            throw Refused(description: "macro $__\(name) is not expanded by this test")
        }
    }

    /// `now`, `now-1h`, `now-30d`, `now-15m` → a date before `now`.
    static func relative(_ text: String, now: Date) throws -> Date {
        if text == "now" { return now }
        guard text.hasPrefix("now-") else { throw Refused(description: "unsupported time \(text)") }
        return now.addingTimeInterval(-(try parseInterval(String(text.dropFirst(4)))))
    }
}
