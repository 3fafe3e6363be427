/*
 * CGradCheckKernels: GradCheck's hot loops, compiled once per instruction set with
 * function target attributes and chosen at run time from the CPU's features.
 *
 * Every GEMM computes C = op(A)·op(B) (or C += …) on strided operands, exactly like the
 * portable Swift `gemm`: the element (i, p) of op(A) is a[i*aRowStride + p*aColumnStride],
 * so transposes are only strides. All variants sum each entry in the same order (blocks
 * of GCK_KC along k, each block accumulated from zero in order and then added to C), so a
 * variant without fused multiply-add gives bit-identical results to the portable path and
 * one with FMA differs only by the one rounding per step that FMA leaves out.
 */
#ifndef CGRADCHECKKERNELS_H
#define CGRADCHECKKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/* The depth of one k block; shared with the portable Swift kernel (same summation order). */
#define GCK_KC 256

/* Kernel sets, in increasing order of preference on their architecture. */
enum {
    GCK_LEVEL_PORTABLE = 0,  /* the Swift path (this library never runs it itself) */
    GCK_LEVEL_BASELINE = 1,  /* plain C for the architecture's baseline (x86-64 SSE2; arm64 NEON is always there) */
    GCK_LEVEL_AVX2 = 2,      /* x86-64 AVX2 + FMA */
    GCK_LEVEL_AVX512 = 3,    /* x86-64 AVX-512F */
    GCK_LEVEL_NEON = 4,      /* arm64 NEON with FMA */
};

/* The level chosen once per process: GRADCHECK_KERNELS (portable, baseline, avx2,
 * avx512, neon) caps it, otherwise the best the CPU supports. Thread-safe. */
int gck_active_level(void);
/* Whether this CPU can run `level` (portable and baseline always can). */
int gck_level_supported(int level);
/* A short name: "portable", "baseline", "avx2+fma", "avx512", "neon"; "unknown" otherwise. */
const char *gck_level_name(int level);
/* Whether `level` uses fused multiply-add (its results then differ from the portable path). */
int gck_level_fuses(int level);

/* The process-wide number of threads one large GEMM may split across (default 1; the
 * Swift layer does the splitting, which never changes a result: each entry is still
 * summed by one thread in the same order). Values below 1 are stored as 1. */
void gck_set_threads(int threads);
int gck_threads(void);

/* GEMM with the active level (which must not be portable). */
void gck_dgemm(long m, long n, long k,
               const double *a, long aRowStride, long aColumnStride,
               const double *b, long bRowStride, long bColumnStride,
               double *c, long cRowStride, int accumulate);
void gck_sgemm(long m, long n, long k,
               const float *a, long aRowStride, long aColumnStride,
               const float *b, long bRowStride, long bColumnStride,
               float *c, long cRowStride, int accumulate);

/* GEMM with one given level (for tests and benchmarks); returns 0 when this CPU or build
 * lacks it (nothing is written then), 1 otherwise. */
int gck_dgemm_level(int level, long m, long n, long k,
                    const double *a, long aRowStride, long aColumnStride,
                    const double *b, long bRowStride, long bColumnStride,
                    double *c, long cRowStride, int accumulate);
int gck_sgemm_level(int level, long m, long n, long k,
                    const float *a, long aRowStride, long aColumnStride,
                    const float *b, long bRowStride, long bColumnStride,
                    float *c, long cRowStride, int accumulate);

/* Keeps freed memory in the process for reuse (glibc: raises the mmap and trim
 * thresholds) instead of returning it to the kernel after every large tensor; returns 1
 * when the allocator took the settings, 0 where there is nothing to tune. */
int gck_keep_freed_memory(void);

#ifdef __cplusplus
}
#endif
#endif
