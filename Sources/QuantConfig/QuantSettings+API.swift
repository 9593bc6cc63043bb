/// Settings of `quant api` (keys `api.*`, docs/api.md), range-checked here so the server starts
/// only with usable values.
extension QuantSettings {
    public struct API: Sendable {
        public var host: String
        public var port: Int
        public var maxPageSize: Int
        public var maxRangeDays: Int

        init(_ source: ConfigSource) throws {
            host = source.string("api.host")
            port = try source.int("api.port")
            guard (0...65_535).contains(port) else {
                throw ConfigSource.LoadError.invalidValue(
                    key: "api.port", variable: "QUANT_API_PORT", value: String(port), expected: "a port from 0 to 65535")
            }
            maxPageSize = try source.positiveInt("api.maxPageSize")
            maxRangeDays = try source.positiveInt("api.maxRangeDays")
        }
    }
}
