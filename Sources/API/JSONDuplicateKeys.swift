import Foundation

/// Finds a key written twice in one JSON object, at any depth. Foundation's decoder keeps one of
/// the two silently, so `{"quantity":1,"quantity":1000000}` would mean what the decoder picked,
/// not what a proxy or an audit log that read the other one saw; the API refuses such a body
/// (400), as the processor's decoder refuses such a message. Keys are compared after unescaping
/// (`"a"` and `"\u0061"` are the same key). Malformed JSON is left to the decoder to refuse.
enum JSONDuplicateKeys {
    /// The first duplicated key, or nil.
    static func first(in body: Data) -> String? {
        var objects: [Set<String>?] = []  // per open container: the keys so far, nil for an array
        var expectingKey = false
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            switch byte {
            case UInt8(ascii: "{"): objects.append([]); expectingKey = true
            case UInt8(ascii: "["): objects.append(nil); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard !objects.isEmpty else { return nil }
                objects.removeLast(); expectingKey = false
            case UInt8(ascii: ","): expectingKey = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: ":"): expectingKey = false
            case UInt8(ascii: "\""):
                guard let end = closingQuote(body, after: index) else { return nil }
                if expectingKey, var keys = objects.last ?? nil {
                    guard let key = unescaped(body[index...end]) else { return nil }
                    if !keys.insert(key).inserted { return key }
                    objects[objects.count - 1] = keys
                    expectingKey = false
                }
                index = end
            default: break
            }
            index += 1
        }
        return nil
    }

    /// Throws 400 when a key is written twice in one object.
    static func refuse(_ body: Data) throws {
        if let key = first(in: body) {
            throw Problem.badBody("the key \"\(key.prefix(100))\" appears twice in one JSON object")
        }
    }

    /// The index of the quote closing the string that opens at `start`.
    private static func closingQuote(_ body: Data, after start: Data.Index) -> Data.Index? {
        var index = start + 1
        while index < body.endIndex {
            switch body[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return nil
    }

    /// The string a quoted JSON string stands for; the decoder does escapes (they are rare in keys).
    private static func unescaped(_ quoted: Data) -> String? {
        guard quoted.contains(UInt8(ascii: "\\")) else {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return try? JSONDecoder().decode(String.self, from: quoted)
    }
}
