import Foundation

/// How every contract of this target looks as JSON: snake_case keys (`bid_size` for `bidSize`),
/// absent optionals omitted. The API encodes its bodies with `encoder()`; whoever reads a payload
/// or an event decodes it with `decoder()`.
public enum WireJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// `value` as one line of JSON text.
    public static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }
}
