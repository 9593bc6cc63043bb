/// A minimal reader for the comma-separated inputs of the calculator: a header line naming the
/// columns, no quoting (none of our fields contain commas), `#` comment lines and blank lines skipped.
struct DelimitedText {
    struct Row {
        /// 1-based line number in the source, for error messages.
        let line: Int
        let fields: [String: String]

        func required(_ column: String) throws(RiskError) -> String {
            guard let value = fields[column], !value.isEmpty else {
                throw .malformedInput(line: line, reason: "missing \(column)")
            }
            return value
        }

        func optional(_ column: String) -> String? {
            guard let value = fields[column], !value.isEmpty else { return nil }
            return value
        }

        func number(_ column: String) throws(RiskError) -> Double {
            let text = try required(column)
            guard let value = Double(text), value.isFinite else {
                throw .malformedInput(line: line, reason: "\(column) is not a number: \(text)")
            }
            return value
        }

        func optionalNumber(_ column: String) throws(RiskError) -> Double? {
            guard optional(column) != nil else { return nil }
            return try number(column)
        }
    }

    let rows: [Row]

    init(_ text: String, requiredColumns: [String]) throws(RiskError) {
        var header: [String]?
        var rows: [Row] = []
        // `isNewline` also matches "\r\n", which Swift treats as one Character.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingSpaces) }
            guard let columns = header else {
                let names = fields.map { $0.lowercased() }
                for column in requiredColumns where !names.contains(column) {
                    throw .malformedInput(line: index + 1, reason: "header lacks column \(column)")
                }
                header = names
                continue
            }
            guard fields.count <= columns.count else {
                throw .malformedInput(line: index + 1, reason: "\(fields.count) fields, header has \(columns.count)")
            }
            var values: [String: String] = [:]
            for (column, value) in zip(columns, fields) { values[column] = value }
            rows.append(Row(line: index + 1, fields: values))
        }
        guard header != nil else { throw .malformedInput(line: 1, reason: "no header line") }
        self.rows = rows
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
