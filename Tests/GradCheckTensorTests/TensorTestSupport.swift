import GradCheckTensor

/// Shared helpers for the tensor kernel tests.
enum TT {
    /// `count` uniform values in [-1, 1) from a fixed stream, so every run sees the same data.
    static func randomScalars(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SeededRNG(seed: seed, stream: 99)
        return (0..<count).map { _ in rng.uniform(-1, 1) }
    }

    /// A random `Tensor<Double>` of `shape` with entries in [-1, 1).
    static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: randomScalars(shape.reduce(1, *), seed: seed))
    }

    /// Reference `C[i][j] (+)= Σ_p A(i, p) · B(p, j)` on strided operands, in Double, the
    /// obvious triple loop. Also returns `Σ_p |A(i,p)|·|B(p,j)|` per entry for error bounds.
    static func naiveGemm(
        m: Int, n: Int, k: Int,
        a: [Double], aRowStride: Int, aColumnStride: Int,
        b: [Double], bRowStride: Int, bColumnStride: Int,
        c: [Double], cRowStride: Int, accumulate: Bool
    ) -> (c: [Double], magnitude: [Double]) {
        var out = c
        var mag = [Double](repeating: 0, count: c.count)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, sa = 0.0
                for p in 0..<k {
                    let x = a[i * aRowStride + p * aColumnStride]
                    let y = b[p * bRowStride + j * bColumnStride]
                    s += x * y
                    sa += abs(x * y)
                }
                let idx = i * cRowStride + j
                if accumulate { sa += abs(out[idx]); out[idx] += s } else { out[idx] = s }
                mag[idx] = sa
            }
        }
        return (out, mag)
    }

    /// The naive matrix product of row-major `[m, k]` and `[k, n]` arrays.
    static func naiveMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        naiveGemm(m: m, n: n, k: k, a: a, aRowStride: k, aColumnStride: 1,
                  b: b, bRowStride: n, bColumnStride: 1,
                  c: [Double](repeating: 0, count: m * n), cRowStride: n, accumulate: false).c
    }

    /// Whether every pair agrees within `tol(i)`.
    static func allClose(_ x: [Double], _ y: [Double], _ tol: (Int) -> Double) -> Bool {
        x.count == y.count && x.indices.allSatisfy { abs(x[$0] - y[$0]) <= tol($0) }
    }
}
