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
            port = try source.port("api.port")
            maxPageSize = try source.positiveInt("api.maxPageSize")
            maxRangeDays = try source.positiveInt("api.maxRangeDays")
        }
    }
}
