/// Splits a SQL file into statements, because postgres-nio speaks only the extended query protocol,
/// which runs one statement per message.
///
/// It understands everything in PostgreSQL's lexer that can hide a `;`: single-quoted strings (with
/// `''`), `E'…'` strings with backslash escapes, double-quoted identifiers, dollar-quoted bodies
/// (`$$…$$`, `$tag$…$tag$`), `--` line comments and nested `/* */` block comments.
public enum SQLScript {
    public static func statements(_ text: String) -> [String] {
        let s = Array(text.utf8)
        var result: [String] = []
        var start = 0
        var i = 0
        var hasCode = false  // the current statement holds something besides whitespace/comments

        func flush(upTo end: Int) {
            if hasCode, let stmt = String(bytes: s[start..<end], encoding: .utf8) {
                let trimmed = stmt.trimmingWhitespace()
                if !trimmed.isEmpty { result.append(trimmed) }
            }
            hasCode = false
        }

        while i < s.count {
            let c = s[i]
            let next: UInt8 = i + 1 < s.count ? s[i + 1] : 0
            switch c {
            case UInt8(ascii: "-") where next == UInt8(ascii: "-"):
                while i < s.count, s[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                var depth = 1
                i += 2
                while i < s.count, depth > 0 {
                    if s[i] == UInt8(ascii: "/"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "*") { depth += 1; i += 2 }
                    else if s[i] == UInt8(ascii: "*"), i + 1 < s.count, s[i + 1] == UInt8(ascii: "/") { depth -= 1; i += 2 }
                    else { i += 1 }
                }
            case UInt8(ascii: "'"):
                hasCode = true
                let backslashEscapes = i > 0 && (s[i - 1] == UInt8(ascii: "E") || s[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !isIdentifierByte(s[i - 2]))
                i += 1
                while i < s.count {
                    if backslashEscapes, s[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if s[i] == UInt8(ascii: "'") {
                        if i + 1 < s.count, s[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "\""):
                hasCode = true
                i += 1
                while i < s.count {
                    if s[i] == UInt8(ascii: "\"") {
                        if i + 1 < s.count, s[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "$") where i == 0 || !isIdentifierByte(s[i - 1]):
                hasCode = true
                // $tag$ where tag is empty or an identifier not starting with a digit; `$1` is a parameter.
                var j = i + 1
                while j < s.count, isIdentifierByte(s[j]), !(j == i + 1 && isDigit(s[j])) { j += 1 }
                if j < s.count, s[j] == UInt8(ascii: "$") {
                    let tag = Array(s[i...j])
                    i = j + 1
                    while i < s.count {
                        if s[i] == UInt8(ascii: "$"), i + tag.count <= s.count, Array(s[i..<(i + tag.count)]) == tag {
                            i += tag.count
                            break
                        }
                        i += 1
                    }
                } else {
                    i += 1
                }
            case UInt8(ascii: ";"):
                flush(upTo: i)
                i += 1
                start = i
            default:
                if !isSpace(c) { hasCode = true }
                i += 1
            }
        }
        flush(upTo: s.count)
        return result
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b >= 0x80
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let f = view.first, f.isWhitespace { view.removeFirst() }
        while let l = view.last, l.isWhitespace { view.removeLast() }
        return String(view)
    }
}
