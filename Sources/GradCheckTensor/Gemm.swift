import CGradCheckKernels
import Dispatch

/// General matrix multiply, `C = op(A) · op(B)` (or `C += …`), on strided operands, with
/// the kernels of ``Kernels/active``.
///
/// `Double` and `Float` run the C kernels compiled for the CPU (packed, register-blocked,
/// fused multiply-add where the CPU has it); other scalar types, and every type under
/// `GRADCHECK_KERNELS=portable`, run ``portableGemm(m:n:k:a:aRowStride:aColumnStride:b:bRowStride:bColumnStride:c:cRowStride:accumulate:)``.
///
/// Transposes cost nothing: pass the strides of the transposed view (`rowStride: 1,
/// columnStride: lda` for `Aᵀ`). Element `(i, p)` of `op(A)` is
/// `a[i·aRowStride + p·aColumnStride]`; `C`'s rows are `cRowStride` apart and only its
/// first `n` columns are written.
///
/// - Complexity: O(m·n·k) arithmetic, O(256·(n + 144)) scratch memory per thread, reused.
@inlinable
public func gemm<S: TensorScalar>(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<S>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<S>, bRowStride: Int, bColumnStride: Int,
    c: UnsafeMutablePointer<S>, cRowStride: Int,
    accumulate: Bool
) {
    gemm(m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
         b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
         c: c, cRowStride: cRowStride, accumulate: accumulate, kernels: Kernels.active)
}

/// ``gemm(m:n:k:a:aRowStride:aColumnStride:b:bRowStride:bColumnStride:c:cRowStride:accumulate:)``
/// with a chosen kernel set (one of ``Kernels/supported``), for tests and benchmarks.
///
/// A set this CPU cannot run, or a scalar type other than `Double` and `Float`, runs the
/// portable kernel.
@inlinable
public func gemm<S: TensorScalar>(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<S>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<S>, bRowStride: Int, bColumnStride: Int,
    c: UnsafeMutablePointer<S>, cRowStride: Int,
    accumulate: Bool, kernels: KernelSet
) {
    let threads = Kernels.threads
    if threads > 1 && m * n * k >= Kernels.parallelThreshold {
        _parallelGemm(threads: threads, m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                      b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
                      c: c, cRowStride: cRowStride, accumulate: accumulate, kernels: kernels)
        return
    }
    _serialGemm(m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
                c: c, cRowStride: cRowStride, accumulate: accumulate, kernels: kernels)
}

/// Splits the longer of `C`'s dimensions into `threads` parts of whole 48-wide blocks
/// and multiplies them at once. Each entry of `C` is computed by exactly one part, and
/// an entry's summation order depends only on `k` (never on tiles or blocks of `m`, `n`),
/// so the result is the serial product's, bit for bit.
@usableFromInline
@_specialize(where S == Double)
@_specialize(where S == Float)
func _parallelGemm<S: TensorScalar>(
    threads: Int, m: Int, n: Int, k: Int,
    a: UnsafePointer<S>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<S>, bRowStride: Int, bColumnStride: Int,
    c: UnsafeMutablePointer<S>, cRowStride: Int,
    accumulate: Bool, kernels: KernelSet
) {
    let block = 48
    let splitRows = m >= n
    let length = splitRows ? m : n
    let blocks = (length + block - 1) / block
    let parts = Swift.min(threads, blocks)
    if parts < 2 {
        _serialGemm(m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                    b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
                    c: c, cRowStride: cRowStride, accumulate: accumulate, kernels: kernels)
        return
    }
    let operands = _GemmOperands(a: a, b: b, c: c)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let (a, b, c) = (operands.a, operands.b, operands.c)
        let lo = Swift.min(length, blocks * part / parts * block)
        let hi = Swift.min(length, blocks * (part + 1) / parts * block)
        guard lo < hi else { return }
        if splitRows {
            _serialGemm(m: hi - lo, n: n, k: k, a: a + lo * aRowStride, aRowStride: aRowStride,
                        aColumnStride: aColumnStride, b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
                        c: c + lo * cRowStride, cRowStride: cRowStride, accumulate: accumulate, kernels: kernels)
        } else {
            _serialGemm(m: m, n: hi - lo, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                        b: b + lo * bColumnStride, bRowStride: bRowStride, bColumnStride: bColumnStride,
                        c: c + lo, cRowStride: cRowStride, accumulate: accumulate, kernels: kernels)
        }
    }
}

/// A parallel product's operands, handed to its parts.
///
/// `@unchecked Sendable` is safe: the parts only read `a` and `b`, each writes its own
/// rows (or columns) of `c`, and the caller waits for all of them before it goes on.
struct _GemmOperands<S>: @unchecked Sendable {
    let a: UnsafePointer<S>
    let b: UnsafePointer<S>
    let c: UnsafeMutablePointer<S>
}

/// One thread's product with `kernels`.
@inlinable
func _serialGemm<S: TensorScalar>(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<S>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<S>, bRowStride: Int, bColumnStride: Int,
    c: UnsafeMutablePointer<S>, cRowStride: Int,
    accumulate: Bool, kernels: KernelSet
) {
    if kernels != .portable {
        if S.self == Double.self {
            if _compiledGemm(kernels.level, m, n, k,
                             UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), aRowStride, aColumnStride,
                             UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), bRowStride, bColumnStride,
                             UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), cRowStride, accumulate) {
                return
            }
        } else if S.self == Float.self {
            if _compiledGemm(kernels.level, m, n, k,
                             UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), aRowStride, aColumnStride,
                             UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), bRowStride, bColumnStride,
                             UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), cRowStride, accumulate) {
                return
            }
        }
    }
    portableGemm(m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride,
                 b: b, bRowStride: bRowStride, bColumnStride: bColumnStride,
                 c: c, cRowStride: cRowStride, accumulate: accumulate)
}

/// The C double GEMM of `level`; `false` when this CPU lacks it (nothing written).
@usableFromInline
func _compiledGemm(
    _ level: Int32, _ m: Int, _ n: Int, _ k: Int,
    _ a: UnsafePointer<Double>, _ ars: Int, _ acs: Int,
    _ b: UnsafePointer<Double>, _ brs: Int, _ bcs: Int,
    _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ accumulate: Bool
) -> Bool {
    gck_dgemm_level(level, m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate ? 1 : 0) != 0
}

/// The C float GEMM of `level`; `false` when this CPU lacks it (nothing written).
@usableFromInline
func _compiledGemm(
    _ level: Int32, _ m: Int, _ n: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ ars: Int, _ acs: Int,
    _ b: UnsafePointer<Float>, _ brs: Int, _ bcs: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) -> Bool {
    gck_sgemm_level(level, m, n, k, a, ars, acs, b, brs, bcs, c, ldc, accumulate ? 1 : 0) != 0
}

/// The portable Swift GEMM: the reference the compiled kernels are tested against, and
/// what `GRADCHECK_KERNELS=portable` runs.
///
/// A blocked, packed kernel: `B` is packed into panels `nr` columns wide and `A` into
/// panels `mr` rows tall for each `kc`-deep slice of the inner dimension, and a register
/// micro-kernel multiplies one `mr × nr` tile with SIMD vectors using separate multiply
/// and add (`a * b + c`), which stays vectorised on the baseline x86-64 target where
/// fused `addingProduct` would call libm's `fma` per lane.
///
/// Transposes cost nothing: pass the strides of the transposed view (`rowStride: 1,
/// columnStride: lda` for `Aᵀ`).
///
/// - Complexity: O(m·n·k) arithmetic, O(kc·(n + mc)) scratch memory.
@inlinable
@_specialize(where S == Double)
@_specialize(where S == Float)
public func portableGemm<S: TensorScalar>(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<S>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<S>, bRowStride: Int, bColumnStride: Int,
    c: UnsafeMutablePointer<S>, cRowStride: Int,
    accumulate: Bool
) {
    if m == 0 || n == 0 { return }
    if !accumulate {
        for i in 0..<m { (c + i * cRowStride).update(repeating: 0, count: n) }
    }
    if k == 0 { return }
    let mr = GemmBlocking.mr, nr = GemmBlocking.nr
    let kc = GemmBlocking.kc, mc = GemmBlocking.mc
    let nPanels = (n + nr - 1) / nr
    // Scratch sized to this product, not to the block limits: small products (a training
    // step's) then stay under malloc's mmap threshold and reuse heap pages instead of
    // faulting in fresh ones on every call.
    let kcEff = min(kc, k)
    let mcEff = min(mc, (m + mr - 1) / mr * mr)
    let packedB = UnsafeMutablePointer<S>.allocate(capacity: kcEff * nPanels * nr)
    defer { packedB.deallocate() }
    let packedA = UnsafeMutablePointer<S>.allocate(capacity: kcEff * mcEff)
    defer { packedA.deallocate() }
    var tile = [S](repeating: 0, count: mr * nr)

    var p0 = 0
    while p0 < k {
        let kb = min(kc, k - p0)
        // Pack B[p0..<p0+kb, 0..<n] into panels of nr columns, zero-padded.
        for panel in 0..<nPanels {
            let j0 = panel * nr
            let width = min(nr, n - j0)
            let dst = packedB + panel * kcEff * nr
            for p in 0..<kb {
                let row = b + (p0 + p) * bRowStride + j0 * bColumnStride
                let out = dst + p * nr
                if bColumnStride == 1 {
                    for j in 0..<width { out[j] = row[j] }
                } else {
                    for j in 0..<width { out[j] = row[j * bColumnStride] }
                }
                for j in width..<nr { out[j] = 0 }
            }
        }
        var i0 = 0
        while i0 < m {
            let mb = min(mc, m - i0)
            let rowPanels = (mb + mr - 1) / mr
            // Pack A[i0..<i0+mb, p0..<p0+kb] into panels of mr rows, interleaved by p.
            for rp in 0..<rowPanels {
                let r0 = rp * mr
                let height = min(mr, mb - r0)
                let dst = packedA + rp * kb * mr
                for r in 0..<mr {
                    if r < height {
                        let src = a + (i0 + r0 + r) * aRowStride + p0 * aColumnStride
                        for p in 0..<kb { dst[p * mr + r] = src[p * aColumnStride] }
                    } else {
                        for p in 0..<kb { dst[p * mr + r] = 0 }
                    }
                }
            }
            for rp in 0..<rowPanels {
                let r0 = rp * mr
                let height = min(mr, mb - r0)
                let ap = packedA + rp * kb * mr
                for panel in 0..<nPanels {
                    let j0 = panel * nr
                    let width = min(nr, n - j0)
                    let bp = packedB + panel * kcEff * nr
                    let cp = c + (i0 + r0) * cRowStride + j0
                    if height == mr && width == nr {
                        _gemmMicroKernel(kb, ap, bp, cp, cRowStride)
                    } else {
                        tile.withUnsafeMutableBufferPointer { t in
                            let tp = t.baseAddress!
                            tp.update(repeating: 0, count: mr * nr)
                            _gemmMicroKernel(kb, ap, bp, tp, nr)
                            for r in 0..<height {
                                for j in 0..<width { cp[r * cRowStride + j] += tp[r * nr + j] }
                            }
                        }
                    }
                }
            }
            i0 += mb
        }
        p0 += kb
    }
}

/// Block sizes of ``portableGemm(m:n:k:a:aRowStride:aColumnStride:b:bRowStride:bColumnStride:c:cRowStride:accumulate:)``.
@usableFromInline
enum GemmBlocking {
    @usableFromInline static let mr = 4
    @usableFromInline static let nr = 8
    @usableFromInline static let kc = 256  // GCK_KC: the C kernels sum in the same blocks
    @usableFromInline static let mc = 128
}

/// `C[0..<4, 0..<8] += Apanel · Bpanel` for packed panels `kb` deep.
@inlinable @inline(__always)
func _gemmMicroKernel<S: TensorScalar>(
    _ kb: Int, _ ap: UnsafeMutablePointer<S>, _ bp: UnsafeMutablePointer<S>,
    _ c: UnsafeMutablePointer<S>, _ ldc: Int
) {
    var c0 = SIMD8<S>(), c1 = SIMD8<S>(), c2 = SIMD8<S>(), c3 = SIMD8<S>()
    var a = UnsafePointer(ap)
    var b = UnsafeRawPointer(bp)
    for _ in 0..<kb {
        let bv = b.loadUnaligned(as: SIMD8<S>.self)
        c0 = c0 + SIMD8(repeating: a[0]) * bv
        c1 = c1 + SIMD8(repeating: a[1]) * bv
        c2 = c2 + SIMD8(repeating: a[2]) * bv
        c3 = c3 + SIMD8(repeating: a[3]) * bv
        a += 4
        b += 8 * MemoryLayout<S>.stride
    }
    func store(_ v: SIMD8<S>, _ row: UnsafeMutablePointer<S>) {
        let raw = UnsafeMutableRawPointer(row)
        let old = raw.loadUnaligned(as: SIMD8<S>.self)
        raw.storeBytes(of: old + v, as: SIMD8<S>.self)
    }
    store(c0, c)
    store(c1, c + ldc)
    store(c2, c + 2 * ldc)
    store(c3, c + 3 * ldc)
}
