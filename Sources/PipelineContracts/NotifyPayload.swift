import Foundation

/// The payload of one NOTIFY channel. The producer sends `payload` (written by hand, because the
/// processor sends these per batch on its hot path; `NotifyPayloadTests` checks that it decodes
/// back to the same value and that its keys are the documented ones); consumers call `read`.
public protocol NotifyPayload: Codable, Sendable, Equatable {
    static var channel: NotifyChannel { get }
    /// The JSON keys in the order `payload` writes them, as documented (docs/processor.md, docs/risk.md).
    static var wireKeys: [String] { get }
    var payload: String { get }
}

extension NotifyPayload {
    /// The payload in `text`, or nil when it is not one: any database login may NOTIFY, so a
    /// payload is input like any other and its consumer validates what it uses.
    public static func read(_ text: String) -> Self? {
        try? WireJSON.decoder().decode(Self.self, from: Data(text.utf8))
    }
}

/// Writes one flat JSON object field by field, without an encoder's allocations.
struct JSONObjectText {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ key: String) {
        if !first { text += "," }
        first = false
        text += "\""
        text += key
        text += "\":"
    }

    mutating func string(_ key: String, _ value: String?) {
        self.key(key)
        guard let value else { text += "null"; return }
        Self.quote(value, into: &text)
    }

    mutating func number<N: BinaryInteger>(_ key: String, _ value: N) {
        self.key(key)
        text += String(value)
    }

    mutating func close() -> String { text + "}" }

    /// `value` as a JSON string: quotes, backslashes and control characters escaped.
    static func quote(_ value: String, into text: inout String) {
        text += "\""
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
