/*
 * One packed, register-blocked GEMM, instantiated per instruction set by gemm.c.
 * Parameters (macros): GCK_T (element type), GCK_VT (vector type, GCK_VW lanes),
 * GCK_MR (tile rows), GCK_NV (vectors per tile row: the tile is GCK_MR × GCK_NV·GCK_VW),
 * GCK_ATTR (function attributes), GCK_NAME (the driver's name).
 *
 * Loop order (Goto/BLIS): for each k block, B is packed into column panels NR wide; for
 * each block of MC rows, A is packed into row panels MR tall; then every B panel (kept in
 * L1) meets every A panel of the block (kept in L2) in the micro-kernel.
 */
#define GCK_NR (GCK_NV * GCK_VW)
#define GCK_CAT2(a, b) a##b
#define GCK_CAT(a, b) GCK_CAT2(a, b)
#define GCK_KERNEL GCK_CAT(GCK_NAME, _kernel)
#define GCK_MC (GCK_MR * 24)

/* acc = Apanel · Bpanel (kb deep); C = acc (store) or C += acc. */
GCK_ATTR static inline void GCK_KERNEL(long kb, const GCK_T *restrict ap, const GCK_T *restrict bp,
                                       GCK_T *restrict c, long ldc, int store) {
    GCK_VT acc[GCK_MR][GCK_NV];
    for (int i = 0; i < GCK_MR; i++)
        for (int j = 0; j < GCK_NV; j++) acc[i][j] = (GCK_VT){0};
    for (long p = 0; p < kb; p++) {
        GCK_VT bv[GCK_NV];
        for (int j = 0; j < GCK_NV; j++) __builtin_memcpy(&bv[j], bp + j * GCK_VW, sizeof(GCK_VT));
        for (int i = 0; i < GCK_MR; i++) {
            const GCK_T ai = ap[i];
            /* Contracted into one FMA where the pragma in gemm.c allows it. */
            for (int j = 0; j < GCK_NV; j++) acc[i][j] = acc[i][j] + ai * bv[j];
        }
        ap += GCK_MR;
        bp += GCK_NR;
    }
    for (int i = 0; i < GCK_MR; i++) {
        GCK_T *row = c + i * ldc;
        for (int j = 0; j < GCK_NV; j++) {
            GCK_VT v = acc[i][j];
            if (!store) {
                GCK_VT old;
                __builtin_memcpy(&old, row + j * GCK_VW, sizeof(GCK_VT));
                v = old + v;
            }
            __builtin_memcpy(row + j * GCK_VW, &v, sizeof(GCK_VT));
        }
    }
}

GCK_ATTR static void GCK_NAME(long m, long n, long k,
                              const GCK_T *a, long ars, long acs,
                              const GCK_T *b, long brs, long bcs,
                              GCK_T *c, long ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
    if (!accumulate)
        for (long i = 0; i < m; i++) __builtin_memset(c + i * ldc, 0, (size_t)n * sizeof(GCK_T));
    if (k <= 0) return;
    const long kce = k < GCK_KC ? k : GCK_KC;
    const long nPanels = (n + GCK_NR - 1) / GCK_NR;
    const long mce = m < GCK_MC ? m : GCK_MC;
    const long rowPanelsMax = (mce + GCK_MR - 1) / GCK_MR;
    const size_t need = (size_t)kce * (size_t)(nPanels * GCK_NR + rowPanelsMax * GCK_MR) + GCK_MR * GCK_NR;
    GCK_T *scratch = gck_scratch(need * sizeof(GCK_T));
    if (!scratch) {
        /* Out of memory: fall back to the plain triple loop in the same summation order. */
        for (long p0 = 0; p0 < k; p0 += GCK_KC) {
            long kb = k - p0 < GCK_KC ? k - p0 : GCK_KC;
            for (long i = 0; i < m; i++)
                for (long j = 0; j < n; j++) {
                    GCK_T s = 0;
                    for (long p = p0; p < p0 + kb; p++) {
                        GCK_T prod = a[i * ars + p * acs] * b[p * brs + j * bcs];
                        s = s + prod;
                    }
                    c[i * ldc + j] += s;
                }
        }
        return;
    }
    GCK_T *packedB = scratch;
    GCK_T *packedA = packedB + kce * nPanels * GCK_NR;
    GCK_T *tile = packedA + kce * rowPanelsMax * GCK_MR;

    for (long p0 = 0; p0 < k; p0 += GCK_KC) {
        const long kb = k - p0 < GCK_KC ? k - p0 : GCK_KC;
        for (long panel = 0; panel < nPanels; panel++) {
            const long j0 = panel * GCK_NR;
            const long width = n - j0 < GCK_NR ? n - j0 : GCK_NR;
            GCK_T *dst = packedB + panel * kb * GCK_NR;
            for (long p = 0; p < kb; p++) {
                const GCK_T *row = b + (p0 + p) * brs + j0 * bcs;
                GCK_T *out = dst + p * GCK_NR;
                long j = 0;
                if (bcs == 1) for (; j < width; j++) out[j] = row[j];
                else for (; j < width; j++) out[j] = row[j * bcs];
                for (; j < GCK_NR; j++) out[j] = 0;
            }
        }
        for (long i0 = 0; i0 < m; i0 += GCK_MC) {
            const long mb = m - i0 < GCK_MC ? m - i0 : GCK_MC;
            const long rowPanels = (mb + GCK_MR - 1) / GCK_MR;
            for (long rp = 0; rp < rowPanels; rp++) {
                const long r0 = rp * GCK_MR;
                const long height = mb - r0 < GCK_MR ? mb - r0 : GCK_MR;
                GCK_T *dst = packedA + rp * kb * GCK_MR;
                if (acs == 1 || height < GCK_MR) {
                    for (long r = 0; r < GCK_MR; r++) {
                        if (r < height) {
                            const GCK_T *src = a + (i0 + r0 + r) * ars + p0 * acs;
                            for (long p = 0; p < kb; p++) dst[p * GCK_MR + r] = src[p * acs];
                        } else {
                            for (long p = 0; p < kb; p++) dst[p * GCK_MR + r] = 0;
                        }
                    }
                } else {
                    /* A read transposed: walk p outside so each read is a short contiguous run when ars == 1. */
                    for (long p = 0; p < kb; p++) {
                        const GCK_T *src = a + (i0 + r0) * ars + (p0 + p) * acs;
                        for (long r = 0; r < GCK_MR; r++) dst[p * GCK_MR + r] = src[r * ars];
                    }
                }
            }
            for (long panel = 0; panel < nPanels; panel++) {
                const long j0 = panel * GCK_NR;
                const long width = n - j0 < GCK_NR ? n - j0 : GCK_NR;
                const GCK_T *bp = packedB + panel * kb * GCK_NR;
                for (long rp = 0; rp < rowPanels; rp++) {
                    const long r0 = rp * GCK_MR;
                    const long height = mb - r0 < GCK_MR ? mb - r0 : GCK_MR;
                    const GCK_T *ap = packedA + rp * kb * GCK_MR;
                    GCK_T *cp = c + (i0 + r0) * ldc + j0;
                    if (height == GCK_MR && width == GCK_NR) {
                        GCK_KERNEL(kb, ap, bp, cp, ldc, 0);
                    } else {
                        GCK_KERNEL(kb, ap, bp, tile, GCK_NR, 1);
                        for (long r = 0; r < height; r++)
                            for (long j = 0; j < width; j++) cp[r * ldc + j] += tile[r * GCK_NR + j];
                    }
                }
            }
        }
    }
    gck_scratch_release(scratch);
}

#undef GCK_NR
#undef GCK_KERNEL
#undef GCK_MC
