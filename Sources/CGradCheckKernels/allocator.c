/*
 * Allocator tuning for the verifier's allocation pattern: every stacked forward pass
 * allocates and frees the same few tensors of hundreds of kilobytes to megabytes, tens of
 * thousands of times. glibc serves blocks above its mmap threshold with fresh mappings and
 * trims freed memory at the top of the heap, so each pass pays page faults and zeroing of
 * fresh pages (a quarter of the CPU time of a transformer's full check). Raising both
 * thresholds keeps freed blocks in the heap for the next pass.
 */
#include "CGradCheckKernels.h"

#include <stdlib.h>  /* defines __GLIBC__ where the C library is glibc */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int gck_keep_freed_memory(void) {
#if defined(__GLIBC__)
    /* 32 MiB is the largest mmap threshold glibc accepts on 64-bit; the trim threshold
     * keeps up to 512 MiB of freed memory at the top of the heap. */
    int ok = mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ok &= mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return ok ? 1 : 0;
#else
    return 0;
#endif
}
