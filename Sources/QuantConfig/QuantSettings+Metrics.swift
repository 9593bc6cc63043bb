/// Where each service serves Prometheus `/metrics` (keys `metrics.*`, docs/operations.md). Each
/// service has its own port so all of them can run on one host; 0 turns a service's metrics off.
extension QuantSettings {
    public struct Metrics: Sendable {
        public var host: String
        public var processorPort: Int
        public var riskEnginePort: Int
        public var apiPort: Int

        init(_ source: ConfigSource) throws {
            host = source.string("metrics.host")
            processorPort = try source.port("metrics.processorPort", zeroMeans: "no /metrics")
            riskEnginePort = try source.port("metrics.riskEnginePort", zeroMeans: "no /metrics")
            apiPort = try source.port("metrics.apiPort", zeroMeans: "no /metrics")
        }
    }
}
