#include "AllocationCounter.h"

#include <stdatomic.h>
#include <stddef.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

static atomic_int counting = 0;
static atomic_llong allocations = 0;

void allocation_counter_start(void) {
    atomic_store_explicit(&allocations, 0, memory_order_relaxed);
    atomic_store_explicit(&counting, 1, memory_order_release);
}

int64_t allocation_counter_stop(void) {
    atomic_store_explicit(&counting, 0, memory_order_release);
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

// QUANT_NO_MALLOC_HOOKS (`swift build -Xcc -DQUANT_NO_MALLOC_HOOKS`) leaves malloc to glibc, so
// heap profilers that hook it with LD_PRELOAD (heaptrack) see every allocation: the executable's
// own malloc would take precedence over theirs (docs/benchmarks.md, "Soak").
#if defined(__linux__) && defined(__GLIBC__) && !defined(QUANT_NO_MALLOC_HOOKS)

int allocation_counter_is_supported(void) { return 1; }

static inline void count_one(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

// glibc's own entry points; stable exported symbols since glibc 2.2.5.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);

void *malloc(size_t size) {
    count_one();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_one();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_one();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    count_one();
    return __libc_valloc(size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
    count_one();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return 12;  // ENOMEM
    *result = pointer;
    return 0;
}

#else

int allocation_counter_is_supported(void) { return 0; }

#endif

int64_t allocation_counter_heap_in_use(void) {
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 info = mallinfo2();
    return (int64_t)(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

int allocation_counter_release_free_memory(void) {
#if defined(__linux__) && defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
