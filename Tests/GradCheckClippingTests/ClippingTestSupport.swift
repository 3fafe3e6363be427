import Foundation
@testable import GradCheckClipping
import GradCheckTensor

/// Shared helpers for the clipping tests.
enum CT {
    /// A gradient set of the given shapes, entries normal(0, scale), from a fixed stream.
    static func randomSet<S: TensorScalar>(_ shapes: [[Int]], seed: UInt64, scale: Double = 1, as _: S.Type = S.self) -> [Tensor<S>] {
        var rng = SeededRNG(seed: seed, stream: 7)
        return shapes.map { shape in
            Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in S(rng.normal() * scale) })
        }
    }

    /// Tensors from flat values (rank-1 each).
    static func vectors<S: TensorScalar>(_ values: [[Double]], as _: S.Type = S.self) -> [Tensor<S>] {
        values.map { v in Tensor(unchecked: [v.count], scalars: v.map { S($0) }) }
    }

    /// All elements, in Double, concatenated.
    static func flat<S: TensorScalar>(_ set: [Tensor<S>]) -> [Double] {
        set.flatMap { $0.scalars.map { Double($0) } }
    }

    /// A reference norm: plain Double accumulation (fine for ordinary magnitudes).
    static func norm(_ x: [Double]) -> Double {
        x.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// A reference cosine, computed with long-double-free Kahan sums.
    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            dot += x * y
            aa += x * x
            bb += y * y
        }
        return dot / (aa.squareRoot() * bb.squareRoot())
    }

    /// Whether `a` and `b` are equal as bit patterns (NaN payloads included).
    static func sameBits<S: TensorScalar>(_ a: [Tensor<S>], _ b: [Tensor<S>]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.shape == y.shape else { return false }
            for (u, v) in zip(x.scalars, y.scalars) where !(u == v && u.sign == v.sign) && !(u.isNaN && v.isNaN) {
                return false
            }
        }
        return true
    }

    /// The distance between two values in units of the last place of `S` at `b`.
    static func ulps<S: TensorScalar>(_ a: S, _ b: S) -> Double {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if !a.isFinite || !b.isFinite { return .infinity }
        return Double(abs(a - b)) / Double(max(b.magnitude.ulp, S.leastNonzeroMagnitude))
    }

    /// Clips a copy of `gradients` with `clipper` and returns both.
    static func clipped<S: TensorScalar, C: GradientClipper>(_ clipper: inout C, _ gradients: [Tensor<S>],
                                                             parameters: [Tensor<S>] = []) throws -> ([Tensor<S>], ClipTelemetry) {
        var g = gradients
        let t = try clipper.clip(&g, parameters: parameters)
        return (g, t)
    }
}
