import ArgumentParser

/// `quant metrics`: every Prometheus metric the services export, with its help text: what
/// dashboards and alerts may use (docs/operations.md).
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List every Prometheus metric the services export (name and meaning).",
        discussion: "quant processor, quant risk-engine and quant api serve them on /metrics at metrics.processorPort, metrics.riskEnginePort and metrics.apiPort.")

    func run() {
        for (name, help) in MetricsService.catalog.help.sorted(by: { $0.key < $1.key }) {
            print("\(name)\t\(help)")
        }
    }
}
