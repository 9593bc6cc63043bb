import AllocationCounter
import Foundation
import Metrics
import Telemetry

/// The process's own memory, recorded just before each scrape: the resident size (what the
/// operating system charges) and the heap in use (what the code holds). A leak grows both; memory
/// freed but kept by the allocator for reuse (after a burst, say) grows only the first.
enum ProcessMetrics {
    static let resident = "process_resident_memory_bytes"
    static let heapInUse = "quant_process_heap_in_use_bytes"

    static let catalog = MetricCatalog(help: [
        resident: "Resident memory size in bytes (/proc/self/statm).",
        heapInUse: "Heap bytes allocated and not freed (glibc mallinfo2); below the resident size by what the allocator keeps for reuse.",
    ])

    static func record() {
        if let pages = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ").dropFirst().first,
           let count = Int(pages) {
            Gauge(label: resident).record(count * Int(sysconf(Int32(_SC_PAGESIZE))))
        }
        let heap = allocation_counter_heap_in_use()
        if heap >= 0 { Gauge(label: heapInUse).record(heap) }
    }
}
