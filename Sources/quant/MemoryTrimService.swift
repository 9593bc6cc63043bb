import AllocationCounter
import ServiceLifecycle

/// Gives the memory glibc keeps after a burst back to the operating system every `interval`.
///
/// A lag spike's larger batches raise the heap for seconds; glibc then keeps the freed pages in its
/// per-thread arenas, so the resident size only ever stepped up (a 600 s soak: heap in use flat at
/// 82–104 MiB, resident 195 → 276 MiB). `malloc_trim` walks the arenas under their locks, which
/// takes milliseconds, hence the long interval.
struct MemoryTrimService: Service {
    var interval: Duration = .seconds(30)

    func run() async throws {
        // Ends quietly when shut down: the sleep fails on cancellation and the loop stops.
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                _ = allocation_counter_release_free_memory()
            }
        }
    }
}
