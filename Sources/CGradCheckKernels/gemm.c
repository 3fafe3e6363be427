/*
 * GEMM for float and double, one instance of gemm_template.h per instruction set, and the
 * run-time choice between them. See include/CGradCheckKernels.h.
 *
 * Each instance is compiled with a function target attribute, so the package needs no
 * compiler flags (and no unsafeFlags): the default build carries every variant and
 * picks one at first use from the CPU's features.
 */
#include "CGradCheckKernels.h"

#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <pthread.h>
#endif

/* ---- scratch: one growing buffer per thread, freed when the thread ends ---- */

#if defined(_WIN32)
static void *gck_scratch(size_t bytes) { return malloc(bytes); }
static void gck_scratch_release(void *p) { free(p); }
#else
typedef struct { void *data; size_t bytes; int busy; } gck_buffer;
static pthread_key_t gck_key;
static pthread_once_t gck_key_once = PTHREAD_ONCE_INIT;
static void gck_buffer_free(void *p) {
    gck_buffer *b = p;
    if (b) { free(b->data); free(b); }
}
static void gck_make_key(void) { (void)pthread_key_create(&gck_key, gck_buffer_free); }

/* A 64-byte-aligned buffer of at least `bytes`, reused across calls on this thread (so a
 * training step's many small products neither call malloc nor fault in fresh pages). */
static void *gck_scratch(size_t bytes) {
    pthread_once(&gck_key_once, gck_make_key);
    gck_buffer *b = pthread_getspecific(gck_key);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b) return NULL;
        if (pthread_setspecific(gck_key, b) != 0) { free(b); return NULL; }
    }
    if (b->busy) {  /* re-entered (never happens today): use a private buffer */
        void *p = NULL;
        return posix_memalign(&p, 64, bytes) == 0 ? p : NULL;
    }
    if (b->bytes < bytes) {
        void *p = NULL;
        if (posix_memalign(&p, 64, bytes) != 0) return NULL;
        free(b->data);
        b->data = p;
        b->bytes = bytes;
    }
    b->busy = 1;
    return b->data;
}
static void gck_scratch_release(void *p) {
    gck_buffer *b = pthread_getspecific(gck_key);
    if (b && p == b->data) b->busy = 0; else free(p);
}
#endif

/* ---- instances ---- */

#if defined(__x86_64__) || defined(_M_X64)
#define GCK_X86 1
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define GCK_ARM64 1
#endif

#if defined(__clang__)
#pragma clang fp contract(off)
#endif

/* Baseline: the architecture's default target, separate multiply and add. */
#if 1  /* every architecture */
typedef double gck_d2 __attribute__((vector_size(16)));
typedef float gck_f4 __attribute__((vector_size(16)));
#define GCK_ATTR
#define GCK_T double
#define GCK_VT gck_d2
#define GCK_VW 2
#define GCK_MR 6
#define GCK_NV 2
#define GCK_NAME gck_dgemm_baseline
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#define GCK_T float
#define GCK_VT gck_f4
#define GCK_VW 4
#define GCK_NAME gck_sgemm_baseline
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#undef GCK_MR
#undef GCK_NV
#undef GCK_ATTR
#endif

#if GCK_X86
#if defined(__clang__)
#pragma clang fp contract(fast)
#endif
typedef double gck_d4 __attribute__((vector_size(32)));
typedef float gck_f8 __attribute__((vector_size(32)));
typedef double gck_d8 __attribute__((vector_size(64)));
typedef float gck_f16 __attribute__((vector_size(64)));

#define GCK_ATTR __attribute__((target("avx2,fma")))
#define GCK_MR 6
#define GCK_NV 2
#define GCK_T double
#define GCK_VT gck_d4
#define GCK_VW 4
#define GCK_NAME gck_dgemm_avx2
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#define GCK_T float
#define GCK_VT gck_f8
#define GCK_VW 8
#define GCK_NAME gck_sgemm_avx2
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#undef GCK_ATTR

#define GCK_ATTR __attribute__((target("avx512f")))
#define GCK_T double
#define GCK_VT gck_d8
#define GCK_VW 8
#define GCK_NAME gck_dgemm_avx512
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#define GCK_T float
#define GCK_VT gck_f16
#define GCK_VW 16
#define GCK_NAME gck_sgemm_avx512
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#undef GCK_ATTR
#undef GCK_MR
#undef GCK_NV
#endif

#if GCK_ARM64
#if defined(__clang__)
#pragma clang fp contract(fast)
#endif
#define GCK_ATTR
#define GCK_MR 6
#define GCK_NV 4
#define GCK_T double
#define GCK_VT gck_d2
#define GCK_VW 2
#define GCK_NAME gck_dgemm_neon
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#define GCK_T float
#define GCK_VT gck_f4
#define GCK_VW 4
#define GCK_NAME gck_sgemm_neon
#include "gemm_template.h"
#undef GCK_T
#undef GCK_VT
#undef GCK_VW
#undef GCK_NAME
#undef GCK_ATTR
#undef GCK_MR
#undef GCK_NV
#endif

/* ---- choice ---- */

int gck_level_supported(int level) {
    switch (level) {
    case GCK_LEVEL_PORTABLE:
    case GCK_LEVEL_BASELINE:
        return 1;
#if GCK_X86
    case GCK_LEVEL_AVX2:
#if defined(__clang__) || defined(__GNUC__)
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
        return 0;
#endif
    case GCK_LEVEL_AVX512:
#if defined(__clang__) || defined(__GNUC__)
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f");
#else
        return 0;
#endif
#endif
#if GCK_ARM64
    case GCK_LEVEL_NEON:
        return 1;
#endif
    default:
        return 0;
    }
}

const char *gck_level_name(int level) {
    switch (level) {
    case GCK_LEVEL_PORTABLE: return "portable";
    case GCK_LEVEL_BASELINE: return "baseline";
    case GCK_LEVEL_AVX2: return "avx2+fma";
    case GCK_LEVEL_AVX512: return "avx512";
    case GCK_LEVEL_NEON: return "neon";
    default: return "unknown";
    }
}

int gck_level_fuses(int level) {
    return level == GCK_LEVEL_AVX2 || level == GCK_LEVEL_AVX512 || level == GCK_LEVEL_NEON;
}

static int gck_choose(void) {
    int best = GCK_LEVEL_BASELINE;
#if GCK_X86
    if (gck_level_supported(GCK_LEVEL_AVX512)) best = GCK_LEVEL_AVX512;
    else if (gck_level_supported(GCK_LEVEL_AVX2)) best = GCK_LEVEL_AVX2;
#endif
#if GCK_ARM64
    best = GCK_LEVEL_NEON;
#endif
    const char *request = getenv("GRADCHECK_KERNELS");
    if (request && *request) {
        int cap = -1;
        if (strcmp(request, "portable") == 0) cap = GCK_LEVEL_PORTABLE;
        else if (strcmp(request, "baseline") == 0) cap = GCK_LEVEL_BASELINE;
        else if (strcmp(request, "avx2") == 0 || strcmp(request, "avx2+fma") == 0) cap = GCK_LEVEL_AVX2;
        else if (strcmp(request, "avx512") == 0) cap = GCK_LEVEL_AVX512;
        else if (strcmp(request, "neon") == 0) cap = GCK_LEVEL_NEON;
        /* A cap names the most the run may use: avx2 on an AVX-512 machine gives avx2,
         * avx512 on an AVX2 machine gives avx2; unknown names leave the best. */
        if (cap == GCK_LEVEL_PORTABLE || cap == GCK_LEVEL_BASELINE) best = cap;
        else if (cap > 0 && cap < best && gck_level_supported(cap)) best = cap;
    }
    return best;
}

static int gck_thread_count = 1;
void gck_set_threads(int threads) { __atomic_store_n(&gck_thread_count, threads < 1 ? 1 : threads, __ATOMIC_RELAXED); }
int gck_threads(void) { return __atomic_load_n(&gck_thread_count, __ATOMIC_RELAXED); }

int gck_active_level(void) {
    /* Racing first calls compute the same value; a relaxed atomic keeps it well-defined. */
    static int chosen = -1;
    int level = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (level < 0) {
        level = gck_choose();
        __atomic_store_n(&chosen, level, __ATOMIC_RELAXED);
    }
    return level;
}

#define GCK_DISPATCH(T, PREFIX)                                                                   \
    switch (level) {                                                                              \
    case GCK_LEVEL_BASELINE: PREFIX##_baseline(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc); return 1; \
    GCK_DISPATCH_X86(PREFIX)                                                                      \
    GCK_DISPATCH_ARM(PREFIX)                                                                      \
    default: return 0;                                                                            \
    }

#if GCK_X86
#define GCK_DISPATCH_X86(PREFIX)                                                                   \
    case GCK_LEVEL_AVX2: if (!gck_level_supported(level)) return 0;                               \
        PREFIX##_avx2(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc); return 1;                  \
    case GCK_LEVEL_AVX512: if (!gck_level_supported(level)) return 0;                             \
        PREFIX##_avx512(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc); return 1;
#else
#define GCK_DISPATCH_X86(PREFIX)
#endif
#if GCK_ARM64
#define GCK_DISPATCH_ARM(PREFIX)                                                                   \
    case GCK_LEVEL_NEON: PREFIX##_neon(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc); return 1;
#else
#define GCK_DISPATCH_ARM(PREFIX)
#endif

int gck_dgemm_level(int level, long m, long n, long k, const double *a, long ars, long acs,
                    const double *b, long brs, long bcs, double *c, long ldc, int acc) {
    GCK_DISPATCH(double, gck_dgemm)
}
int gck_sgemm_level(int level, long m, long n, long k, const float *a, long ars, long acs,
                    const float *b, long brs, long bcs, float *c, long ldc, int acc) {
    GCK_DISPATCH(float, gck_sgemm)
}

void gck_dgemm(long m, long n, long k, const double *a, long ars, long acs,
               const double *b, long brs, long bcs, double *c, long ldc, int acc) {
    int level = gck_active_level();
    if (level == GCK_LEVEL_PORTABLE) level = GCK_LEVEL_BASELINE;
    (void)gck_dgemm_level(level, m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc);
}
void gck_sgemm(long m, long n, long k, const float *a, long ars, long acs,
               const float *b, long brs, long bcs, float *c, long ldc, int acc) {
    int level = gck_active_level();
    if (level == GCK_LEVEL_PORTABLE) level = GCK_LEVEL_BASELINE;
    (void)gck_sgemm_level(level, m, n, k, a, ars, acs, b, brs, bcs, c, ldc, acc);
}
