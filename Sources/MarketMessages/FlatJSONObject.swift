/// A scanner for the flat JSON objects of our wire format: one object whose values are strings,
/// numbers, booleans or null. It records where each value sits in the input instead of building
/// dictionaries, so decoding a quote costs about a microsecond and allocates nothing but the field
/// table. Nested objects and arrays are skipped over (validated for balance) and reported as `.nested`.
public struct FlatJSONObject {
    public enum Kind: Sendable, Equatable { case string, number, bool, null, nested }

    public struct Field {
        public var key: Range<Int>
        public var value: Range<Int>
        public var kind: Kind
        /// The string contains escapes and must be unescaped before use.
        public var escaped: Bool
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAnObject
        case unexpected(byte: UInt8, at: Int)
        case unterminatedString
        case truncated
        case trailingData(at: Int)
        case tooDeep
        case duplicateKey(String)

        public var description: String {
            switch self {
            case .notAnObject: "not a JSON object"
            case let .unexpected(byte, at): "invalid JSON: unexpected '\(Unicode.Scalar(byte))' at byte \(at)"
            case .unterminatedString: "invalid JSON: unterminated string"
            case .truncated: "invalid JSON: truncated"
            case let .trailingData(at): "invalid JSON: trailing data at byte \(at)"
            case .tooDeep: "invalid JSON: nested too deeply"
            case let .duplicateKey(key): "invalid JSON: duplicate key \"\(key)\""
            }
        }
    }

    public let bytes: UnsafeRawBufferPointer
    public private(set) var fields: [Field] = []

    /// Parses `bytes`, which must outlive this value.
    public init(_ bytes: UnsafeRawBufferPointer) throws(ParseError) {
        self.bytes = bytes
        fields.reserveCapacity(12)
        var i = skipSpace(0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw .notAnObject }
        i = skipSpace(i + 1)
        guard i < bytes.count else { throw .truncated }
        if bytes[i] == UInt8(ascii: "}") {
            i = skipSpace(i + 1)
            if i != bytes.count { throw .trailingData(at: i) }
            return
        }
        while true {
            guard i < bytes.count else { throw .truncated }
            guard bytes[i] == UInt8(ascii: "\"") else { throw .unexpected(byte: bytes[i], at: i) }
            let (key, keyEscaped, afterKey) = try scanString(i)
            if keyEscaped { throw .unexpected(byte: UInt8(ascii: "\\"), at: key.lowerBound) }
            i = skipSpace(afterKey)
            guard i < bytes.count else { throw .truncated }
            guard bytes[i] == UInt8(ascii: ":") else { throw .unexpected(byte: bytes[i], at: i) }
            i = skipSpace(i + 1)
            guard i < bytes.count else { throw .truncated }
            let field: Field
            (field, i) = try scanValue(at: i, key: key)
            for existing in fields where equal(existing.key, key) {
                throw .duplicateKey(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[key]), as: UTF8.self))
            }
            fields.append(field)
            i = skipSpace(i)
            guard i < bytes.count else { throw .truncated }
            if bytes[i] == UInt8(ascii: ",") { i = skipSpace(i + 1); continue }
            if bytes[i] == UInt8(ascii: "}") { break }
            throw .unexpected(byte: bytes[i], at: i)
        }
        i = skipSpace(i + 1)
        if i != bytes.count { throw .trailingData(at: i) }
    }

    /// The field named `name`, if present.
    public func field(_ name: StaticString) -> Field? {
        let count = name.utf8CodeUnitCount
        for field in fields where field.key.count == count {
            if memcmp(bytes.baseAddress! + field.key.lowerBound, name.utf8Start, count) == 0 { return field }
        }
        return nil
    }

    /// The raw bytes of a value (for strings: without the quotes, still escaped).
    public func slice(_ field: Field) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[field.value])
    }

    /// A string value, unescaped.
    public func string(_ field: Field) -> String {
        let raw = String(decoding: slice(field), as: UTF8.self)
        return field.escaped ? Self.unescape(raw) : raw
    }

    // MARK: scanning

    private func skipSpace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
        }
        return i
    }

    /// Returns the content range (without quotes), whether it has escapes, and the index after the closing quote.
    private func scanString(_ start: Int) throws(ParseError) -> (Range<Int>, Bool, Int) {
        var i = start + 1
        var escaped = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return (start + 1..<i, escaped, i + 1) }
            if b == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if b < 0x20 { throw .unexpected(byte: b, at: i) }
            i += 1
        }
        throw .unterminatedString
    }

    private func scanValue(at start: Int, key: Range<Int>) throws(ParseError) -> (Field, Int) {
        let b = bytes[start]
        switch b {
        case UInt8(ascii: "\""):
            let (range, escaped, next) = try scanString(start)
            return (Field(key: key, value: range, kind: .string, escaped: escaped), next)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var i = start + 1
            while i < bytes.count {
                let c = bytes[i]
                let numeric = (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ".")
                    || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                if !numeric { break }
                i += 1
            }
            return (Field(key: key, value: start..<i, kind: .number, escaped: false), i)
        case UInt8(ascii: "t"): return (Field(key: key, value: start..<start + 4, kind: .bool, escaped: false), try literal("true", start))
        case UInt8(ascii: "f"): return (Field(key: key, value: start..<start + 5, kind: .bool, escaped: false), try literal("false", start))
        case UInt8(ascii: "n"): return (Field(key: key, value: start..<start + 4, kind: .null, escaped: false), try literal("null", start))
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let end = try skipNested(start)
            return (Field(key: key, value: start..<end, kind: .nested, escaped: false), end)
        default:
            throw .unexpected(byte: b, at: start)
        }
    }

    private func literal(_ word: StaticString, _ start: Int) throws(ParseError) -> Int {
        let n = word.utf8CodeUnitCount
        guard start + n <= bytes.count else { throw .truncated }
        guard memcmp(bytes.baseAddress! + start, word.utf8Start, n) == 0 else { throw .unexpected(byte: bytes[start], at: start) }
        return start + n
    }

    private func skipNested(_ start: Int) throws(ParseError) -> Int {
        var depth = 0
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i = try scanString(i).2
                continue
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
                if depth > 32 { throw .tooDeep }
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        throw .truncated
    }

    private func equal(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
    }

    static func unescape(_ raw: String) -> String {
        var out = ""
        var iterator = raw.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            guard c == "\\", let e = iterator.next() else { out.unicodeScalars.append(c); continue }
            switch e {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "u":
                var hex = ""
                for _ in 0..<4 { if let h = iterator.next() { hex.unicodeScalars.append(h) } }
                if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            default: out.unicodeScalars.append(e)
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
