import Foundation
import GradCheckTensor
import Testing

/// `gemm` against the naive triple loop, for every blocking edge and transpose layout,
/// with every kernel set this CPU runs (``Kernels/supported``).
///
/// Error bound: each entry of `op(A)·op(B)` is a k-term dot product, so any summation
/// order (the kernel blocks by `kc` and sums in SIMD lanes) is within `γ_k·Σ|a||b|` of
/// the exact value, `γ_k ≈ k·u`. Both the kernel and the reference carry that error, so
/// the tests allow `4·(k + 2)·ε·Σ|a||b|`; an indexing or packing bug gives O(1) errors.
struct GemmShape: Sendable, CustomTestStringConvertible {
    let m: Int, n: Int, k: Int
    var testDescription: String { "\(m)x\(n)x\(k)" }
}

/// Shapes that hit: the trivial case, empty operands, sizes that are not multiples of the
/// 4×8 register tile, `k > 256` (the `kc` slice splits), and `m > 128` (the `mc` block splits).
let gemmShapes: [GemmShape] = [
    .init(m: 1, n: 1, k: 1), .init(m: 0, n: 5, k: 3), .init(m: 5, n: 0, k: 3),
    .init(m: 4, n: 5, k: 0), .init(m: 2, n: 3, k: 4), .init(m: 4, n: 8, k: 16),
    .init(m: 5, n: 9, k: 3), .init(m: 7, n: 13, k: 11), .init(m: 3, n: 7, k: 1),
    .init(m: 1, n: 17, k: 5), .init(m: 9, n: 1, k: 300), .init(m: 6, n: 10, k: 257),
    .init(m: 3, n: 5, k: 513), .init(m: 129, n: 9, k: 7), .init(m: 130, n: 17, k: 260),
    .init(m: 257, n: 3, k: 2), .init(m: 33, n: 65, k: 31), .init(m: 8, n: 16, k: 256),
]

/// How `A` and `B` are stored: as themselves or as their transposes, read through strides.
struct GemmLayout: Sendable, CustomTestStringConvertible {
    let transposeA: Bool, transposeB: Bool
    var testDescription: String { "\(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B")" }
    static let all: [GemmLayout] = [
        .init(transposeA: false, transposeB: false), .init(transposeA: true, transposeB: false),
        .init(transposeA: false, transposeB: true), .init(transposeA: true, transposeB: true),
    ]
}

/// Storage and strides of one strided operand: a logical `rows × cols` matrix stored
/// row-major (with `pad` unused columns after each stored row) or stored transposed.
private func stridedOperand(rows: Int, cols: Int, transposed: Bool, pad: Int, seed: UInt64)
    -> (storage: [Double], rowStride: Int, columnStride: Int)
{
    if transposed {
        // Stored as cols × (rows + pad); element (i, p) lives at p·(rows + pad) + i.
        let ld = rows + pad
        return (TT.randomScalars(max(cols * ld, 1), seed: seed), 1, ld)
    } else {
        let ld = cols + pad
        return (TT.randomScalars(max(rows * ld, 1), seed: seed), ld, 1)
    }
}

private let sentinel = 12345.0

private func runGemm<S: TensorScalar>(
    _ type: S.Type, shape: GemmShape, layout: GemmLayout, accumulate: Bool,
    kernels: KernelSet = Kernels.active
) -> (result: [S], expected: [Double], magnitude: [Double], cRowStride: Int, initial: [Double]) {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    // Odd paddings so that no stride equals a logical dimension by accident.
    let a = stridedOperand(rows: m, cols: k, transposed: layout.transposeA, pad: 3, seed: 1)
    let b = stridedOperand(rows: k, cols: n, transposed: layout.transposeB, pad: 5, seed: 2)
    let ldc = n + 2
    var c0 = TT.randomScalars(max(m * ldc, 1), seed: 3)
    // The padding of C must survive untouched.
    for i in 0..<m { for j in n..<ldc { c0[i * ldc + j] = sentinel } }
    // Round the inputs to S first so the Double reference sees exactly what the kernel sees.
    let aS = a.storage.map { S($0) }, bS = b.storage.map { S($0) }
    var cS = c0.map { S($0) }
    aS.withUnsafeBufferPointer { ap in
        bS.withUnsafeBufferPointer { bp in
            cS.withUnsafeMutableBufferPointer { cp in
                gemm(m: m, n: n, k: k,
                     a: ap.baseAddress!, aRowStride: a.rowStride, aColumnStride: a.columnStride,
                     b: bp.baseAddress!, bRowStride: b.rowStride, bColumnStride: b.columnStride,
                     c: cp.baseAddress!, cRowStride: ldc, accumulate: accumulate, kernels: kernels)
            }
        }
    }
    let ref = TT.naiveGemm(
        m: m, n: n, k: k,
        a: aS.map { Double($0) }, aRowStride: a.rowStride, aColumnStride: a.columnStride,
        b: bS.map { Double($0) }, bRowStride: b.rowStride, bColumnStride: b.columnStride,
        c: cS.indices.map { Double(S(c0[$0])) }, cRowStride: ldc, accumulate: accumulate)
    return (cS, ref.c, ref.magnitude, ldc, c0.map { Double(S($0)) })
}

private func checkGemm<S: TensorScalar>(_ type: S.Type, _ shape: GemmShape, _ layout: GemmLayout, accumulate: Bool) {
    for kernels in Kernels.supported {
        checkGemm(type, shape, layout, accumulate: accumulate, kernels: kernels)
    }
}

private func checkGemm<S: TensorScalar>(
    _ type: S.Type, _ shape: GemmShape, _ layout: GemmLayout, accumulate: Bool, kernels: KernelSet
) {
    let r = runGemm(type, shape: shape, layout: layout, accumulate: accumulate, kernels: kernels)
    let eps = Double(S.ulpOfOne)
    var worst = 0.0
    var ok = true
    for i in 0..<shape.m {
        for j in 0..<shape.n {
            let idx = i * r.cRowStride + j
            let err = abs(Double(r.result[idx]) - r.expected[idx])
            let tol = 4 * Double(shape.k + 2) * eps * r.magnitude[idx] + 1e-300
            worst = max(worst, err / tol)
            if err > tol { ok = false }
        }
        for j in shape.n..<r.cRowStride {
            #expect(Double(r.result[i * r.cRowStride + j]) == sentinel, "\(kernels): padding of C at row \(i) overwritten")
        }
    }
    #expect(ok, "\(kernels) \(S.self) \(shape.testDescription) \(layout.testDescription) accumulate=\(accumulate): worst error/tolerance \(worst)")
}

@Test("gemm (Double) matches the naive triple loop", arguments: gemmShapes, GemmLayout.all)
func gemmDoubleMatchesNaive(shape: GemmShape, layout: GemmLayout) {
    checkGemm(Double.self, shape, layout, accumulate: false)
}

@Test("gemm (Float) matches the naive triple loop", arguments: gemmShapes, GemmLayout.all)
func gemmFloatMatchesNaive(shape: GemmShape, layout: GemmLayout) {
    checkGemm(Float.self, shape, layout, accumulate: false)
}

@Test("gemm with accumulate: true adds the product into C", arguments: gemmShapes, GemmLayout.all)
func gemmAccumulates(shape: GemmShape, layout: GemmLayout) {
    checkGemm(Double.self, shape, layout, accumulate: true)
    checkGemm(Float.self, shape, layout, accumulate: true)
}

@Test func gemmWithEmptyInnerDimensionZeroesOrKeepsC() {
    // k = 0: the product is the zero matrix, so C becomes 0 or stays as it was.
    let shape = GemmShape(m: 3, n: 4, k: 0)
    let layout = GemmLayout(transposeA: false, transposeB: false)
    let overwrite = runGemm(Double.self, shape: shape, layout: layout, accumulate: false)
    let keep = runGemm(Double.self, shape: shape, layout: layout, accumulate: true)
    for i in 0..<3 {
        for j in 0..<4 {
            let idx = i * overwrite.cRowStride + j
            #expect(overwrite.result[idx] == 0)
            #expect(keep.result[idx] == keep.initial[idx])
            #expect(keep.initial[idx] != 0)
        }
    }
}

@Test func gemmSmallProductIsExact() {
    // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]], exactly, and += on top.
    let a: [Double] = [1, 2, 3, 4], b: [Double] = [5, 6, 7, 8]
    var c: [Double] = [1, 1, 1, 1]
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                gemm(m: 2, n: 2, k: 2, a: ap.baseAddress!, aRowStride: 2, aColumnStride: 1,
                     b: bp.baseAddress!, bRowStride: 2, bColumnStride: 1,
                     c: cp.baseAddress!, cRowStride: 2, accumulate: true)
            }
        }
    }
    #expect(c == [20, 23, 44, 51])
    // Aᵀ·B via strides: Aᵀ = [[1, 3], [2, 4]].
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                gemm(m: 2, n: 2, k: 2, a: ap.baseAddress!, aRowStride: 1, aColumnStride: 2,
                     b: bp.baseAddress!, bRowStride: 2, bColumnStride: 1,
                     c: cp.baseAddress!, cRowStride: 2, accumulate: false)
            }
        }
    }
    #expect(c == [26, 30, 38, 44])
}

/// Each compiled kernel set against the portable Swift kernel on the same inputs.
///
/// All sets sum every entry in the same order (blocks of 256 along k, each summed from
/// zero and then added to C), so a set without fused multiply-add must agree bit for bit.
/// A set with FMA rounds once per multiply-add instead of twice: each side is within
/// `γ·(Σ|a||b| + |C₀|)` of the exact value, `γ = (k + blocks + 1)·u`, one rounding per
/// term, per block sum added into C, and for the final add; so the two differ by at most
/// twice that, `(k + blocks + 1)·ε·(Σ|a||b| + |C₀|)` with `ε = 2u`.
@Test("compiled kernels agree with the portable one (bit for bit without FMA)", arguments: gemmShapes)
func compiledKernelsMatchPortable(shape: GemmShape) {
    func compare<S: TensorScalar>(_ type: S.Type, layout: GemmLayout, accumulate: Bool, kernels: KernelSet) {
        let portable = runGemm(type, shape: shape, layout: layout, accumulate: accumulate, kernels: .portable)
        let compiled = runGemm(type, shape: shape, layout: layout, accumulate: accumulate, kernels: kernels)
        let blocks = (shape.k + 255) / 256
        let eps = Double(S.ulpOfOne)
        var mismatches = 0
        for i in 0..<shape.m {
            for j in 0..<shape.n {
                let idx = i * portable.cRowStride + j
                let p = Double(portable.result[idx]), c = Double(compiled.result[idx])
                if kernels.usesFusedMultiplyAdd {
                    let bound = Double(shape.k + blocks + 1) * eps * portable.magnitude[idx]
                    if abs(p - c) > bound { mismatches += 1 }
                } else if p != c {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0, "\(kernels) \(S.self) \(layout.testDescription) accumulate=\(accumulate)")
    }
    for kernels in Kernels.supported where kernels != .portable {
        for layout in GemmLayout.all {
            for accumulate in [false, true] {
                compare(Double.self, layout: layout, accumulate: accumulate, kernels: kernels)
                compare(Float.self, layout: layout, accumulate: accumulate, kernels: kernels)
            }
        }
    }
}

@Test func kernelChoiceIsNamedAndSupported() {
    #expect(Kernels.supported.first == .portable)
    #expect(Kernels.supported.contains(Kernels.active))
    #expect(["portable", "baseline", "avx2+fma", "avx512", "neon"].contains(Kernels.active.name))
    #if arch(x86_64) || arch(arm64)
    // The default build must reach a compiled set on these architectures unless told not to.
    if ProcessInfo.processInfo.environment["GRADCHECK_KERNELS"] == nil {
        #expect(Kernels.active != .portable)
    }
    #endif
    #expect(!KernelSet.portable.usesFusedMultiplyAdd)
}

/// Kernels.threads splits large products, and the result must not move by one bit.
@Test func threadedGemmIsBitIdenticalToSerial() {
    let saved = Kernels.threads
    defer { Kernels.threads = saved }
    for (m, n, k) in [(300, 70, 40), (37, 400, 50), (96, 96, 96)] {
        precondition(m * n * k >= Kernels.parallelThreshold / 2)
        let a = Tensor(unchecked: [m, k], scalars: TT.randomScalars(m * k, seed: 11))
        let b = Tensor(unchecked: [k, n], scalars: TT.randomScalars(k * n, seed: 12))
        Kernels.threads = 1
        let serial = a.matmul(b), serialF = asFloat(a).matmul(asFloat(b))
        let serialT = a.transposedMatmul(a)
        for threads in [2, 3, 7] {
            Kernels.threads = threads
            #expect(a.matmul(b).scalars == serial.scalars, "\(m)x\(n)x\(k) threads=\(threads)")
            #expect(asFloat(a).matmul(asFloat(b)).scalars == serialF.scalars, "Float \(m)x\(n)x\(k) threads=\(threads)")
            #expect(a.transposedMatmul(a).scalars == serialT.scalars, "Aᵀ·A \(m)x\(k) threads=\(threads)")
        }
    }
    Kernels.threads = 0
    #expect(Kernels.threads == 1)
}

private func asFloat(_ t: Tensor<Double>) -> Tensor<Float> {
    Tensor<Float>(unchecked: t.shape, scalars: t.scalars.map { Float($0) })
}
