// AllocationCounter: counts heap allocations made while counting is switched on, for benchmarks
// that must show a hot path allocates nothing (`quant bench orderbook`).
//
// Linked into the executable, it defines malloc, calloc, realloc and the aligned variants, which
// take precedence over glibc's for every library in the process (ELF symbol interposition, no
// LD_PRELOAD). Each one forwards to glibc's own implementation (__libc_malloc and friends), so the
// allocator is unchanged; while counting is off the only cost is one relaxed atomic load.
// On other platforms, or built with -DQUANT_NO_MALLOC_HOOKS (for heap profilers), the functions
// below exist but always report zero.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#include <stdint.h>

/// Starts counting allocations (all threads) from zero.
void allocation_counter_start(void);
/// Stops counting and returns the number of allocations made since the start.
int64_t allocation_counter_stop(void);
/// 1 when allocations are really intercepted on this platform, 0 otherwise.
int allocation_counter_is_supported(void);
/// Bytes the allocator has handed out and not had back (glibc's mallinfo2: in-use chunks plus
/// mmapped ones), unlike the resident size, which keeps freed memory the allocator holds on to.
/// -1 where unknown. Walks every arena under its lock: call it per scrape, not per message.
int64_t allocation_counter_heap_in_use(void);
/// Gives memory the allocator holds free back to the operating system (glibc's malloc_trim(0),
/// every arena, free pages in the middle of the heap too). 1 if some was released. Takes each
/// arena's lock for the walk: call it every few seconds at most.
int allocation_counter_release_free_memory(void);

#endif
