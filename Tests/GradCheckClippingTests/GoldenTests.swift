import Foundation
import GradCheckClipping
import GradCheckTensor
import Testing

/// Golden values from PyTorch and the Keras 3 formulas (`Fixtures/clipping/golden.json`,
/// written by `Scripts/reference/clipping_golden.py`): the `pytorch` compatibility mode
/// bit for bit, the exact mode against exact arithmetic and the Keras formulas, and the
/// documented edges where they differ.
@Suite struct GoldenTests {
    typealias Case = [String: Any]

    // `nonisolated(unsafe)` is safe: a `static let` is initialised once, atomically, and the
    // JSON tree is never mutated after that.
    nonisolated(unsafe) static let golden: [String: Any] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Fixtures/clipping/golden.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    static func cases(_ key: String) -> [Case] { golden[key] as? [Case] ?? [] }

    /// Where the Keras formulas are documented to differ from the exact mode.
    static let kerasEdges: Set<String> = [
        "zero_gradients_threshold_zero/float32", "zero_gradients_threshold_zero/float64",  // NaN (Keras skips c = 0)
        "inf_entry/float32", "inf_entry/float64", "nan_entry/float32", "nan_entry/float64",  // non-finite norm → NaN
        "entries_1e20/float32",  // float32 squares overflow
        "float32_underflow/float32",  // float32 squares underflow: norm 0, no clipping
    ]

    static func tensors<S: GoldenScalar>(_ list: Any?, as _: S.Type) -> [Tensor<S>] {
        (list as? [[String: Any]] ?? []).map { t in
            let shape = t["shape"] as? [Int] ?? []
            let bits = t["bits"] as? [String] ?? []
            return Tensor(unchecked: shape, scalars: bits.map { S(hex: $0) ?? .nan })
        }
    }

    static func name(_ c: Case) -> String { "\(c["name"] as? String ?? "?")/\(c["dtype"] as? String ?? "?")" }

    @Test func fixtureIsPresent() {
        #expect(Self.golden["format"] as? String == "gradcheck.clipping-golden/1")
        #expect(Self.cases("global_norm").count >= 20)
        #expect(Self.cases("norm").count >= 8)
        #expect(Self.cases("value").count >= 6)
        #expect(Self.cases("percentile").count >= 5)
    }

    @Test func globalNormFloat() throws { try Self.checkGlobal(as: Float.self, dtype: "float32") }
    @Test func globalNormDouble() throws { try Self.checkGlobal(as: Double.self, dtype: "float64") }
    @Test func perTensorNormFloat() throws { try Self.checkPerTensor(as: Float.self, dtype: "float32") }
    @Test func perTensorNormDouble() throws { try Self.checkPerTensor(as: Double.self, dtype: "float64") }
    @Test func valueFloat() throws { try Self.checkValue(as: Float.self, dtype: "float32") }
    @Test func valueDouble() throws { try Self.checkValue(as: Double.self, dtype: "float64") }

    static func checkGlobal<S: GoldenScalar>(as _: S.Type, dtype: String) throws {
        let cases = Self.cases("global_norm").filter { $0["dtype"] as? String == dtype }
        #expect(!cases.isEmpty)
        for c in cases {
            let name = Self.name(c)
            let maxNorm = c["max_norm"] as? Double ?? .nan
            let raw = tensors(c["gradients"], as: S.self)
            let torch = c["torch"] as? [String: Any] ?? [:]
            let torchOut = tensors(torch["gradients"], as: S.self)
            let torchTotal = S(hex: torch["total_norm_bits"] as? String ?? "") ?? .nan
            let correctlyRounded = torch["norm_correctly_rounded"] as? Bool ?? false

            // 1. Given PyTorch's total norm, the coefficient and products match bit for bit.
            let coefficient = GlobalNormClipper.pytorchCoefficient(totalNorm: torchTotal, maxNorm: maxNorm)
            let byFormula = raw.map { t in t.map { $0 * coefficient } }
            #expect(CT.sameBits(byFormula, torchOut), "\(name): PyTorch's coefficient")

            // 2. The clipper in pytorch mode, computing the norm itself.
            var torchLike = GlobalNormClipper(maxNorm: maxNorm, compatibility: .pytorch, nonFinite: .propagate)
            var ours = raw
            _ = try torchLike.clip(&ours, parameters: [])
            if correctlyRounded {
                #expect(CT.sameBits(ours, torchOut), "\(name): pytorch mode bit for bit")
            } else if torchTotal.isFinite {
                // PyTorch's float32 norm is off by an ulp (SIMD accumulation order) or, for
                // float32_underflow, 0 where ours is 5e-25 (the +1e-6 dominates either way).
                for (o, t) in zip(CT.flat(ours), CT.flat(torchOut)) {
                    #expect(CT.ulps(S(o), S(t)) <= 2, "\(name): \(o) vs PyTorch \(t)")
                }
            } else {
                // Documented divergence: PyTorch's float32 norm overflowed to inf and zeroed
                // the gradients; ours is the true norm, used in PyTorch's formula.
                #expect(name == "entries_1e20/float32")
                #expect(CT.flat(torchOut).allSatisfy { $0 == 0 })
                let exact = tensors((c["exact"] as? [String: Any])?["gradients"], as: S.self)
                for (o, e) in zip(ours.flatMap(\.scalars), exact.flatMap(\.scalars)) {
                    #expect(CT.ulps(o, e) <= 4, "\(name): \(o) vs \(e)")
                }
            }

            // 3. Exact mode against exact arithmetic (identity for a non-finite norm).
            let exact = tensors((c["exact"] as? [String: Any])?["gradients"], as: S.self)
            var exactOurs = raw
            _ = try GlobalNormClipper(maxNorm: maxNorm, nonFinite: .propagate).clippedCopy(&exactOurs)
            for (o, e) in zip(exactOurs.flatMap(\.scalars), exact.flatMap(\.scalars)) {
                #expect(CT.ulps(o, e) <= 2, "\(name): exact mode \(o) vs \(e)")
            }

            // 4. Exact mode against the Keras formula, except at the documented edges.
            let keras = tensors((c["keras"] as? [String: Any])?["gradients"], as: S.self)
            let kerasFlat = keras.flatMap(\.scalars)
            if kerasEdges.contains(name) {
                let nanEverywhere = kerasFlat.allSatisfy { $0.isNaN }
                let unclipped = CT.sameBits(keras, raw)
                #expect(nanEverywhere || unclipped, "\(name): Keras edge as documented")
            } else {
                for (o, k) in zip(exactOurs.flatMap(\.scalars), kerasFlat) {
                    #expect(CT.ulps(o, k) <= 4, "\(name): exact mode \(o) vs Keras \(k)")
                }
            }
        }
    }

    static func checkPerTensor<S: GoldenScalar>(as _: S.Type, dtype: String) throws {
        let cases = Self.cases("norm").filter { $0["dtype"] as? String == dtype }
        #expect(!cases.isEmpty)
        for c in cases {
            let name = Self.name(c)
            let maxNorm = c["max_norm"] as? Double ?? .nan
            let raw = tensors(c["gradients"], as: S.self)
            let torch = c["torch"] as? [String: Any] ?? [:]
            let torchOut = tensors(torch["gradients"], as: S.self)
            let totals = (torch["total_norm_bits"] as? [String] ?? []).map { S(hex: $0) ?? .nan }
            #expect(totals.count == raw.count)
            for (k, total) in totals.enumerated() {
                let coefficient = GlobalNormClipper.pytorchCoefficient(totalNorm: total, maxNorm: maxNorm)
                #expect(CT.sameBits([raw[k].map { $0 * coefficient }], [torchOut[k]]), "\(name)[\(k)]: coefficient")
            }
            var torchLike = NormClipper(maxNorm: maxNorm, compatibility: .pytorch, nonFinite: .propagate)
            var ours = raw
            _ = try torchLike.clip(&ours, parameters: [])
            if torch["norm_correctly_rounded"] as? Bool ?? false {
                #expect(CT.sameBits(ours, torchOut), "\(name): pytorch mode bit for bit")
            } else if name == "entries_1e20/float32" {
                #expect(torchOut[0].scalars.allSatisfy { $0 == 0 } && ours[0].scalars.allSatisfy { abs($0) > 0.7 })
            } else {
                for (o, t) in zip(CT.flat(ours), CT.flat(torchOut)) {
                    #expect(CT.ulps(S(o), S(t)) <= 2, "\(name): \(o) vs PyTorch \(t)")
                }
            }
            let exact = tensors((c["exact"] as? [String: Any])?["gradients"], as: S.self)
            var exactOurs = raw
            var clipper = NormClipper(maxNorm: maxNorm)
            _ = try clipper.clip(&exactOurs, parameters: [])
            for (o, e) in zip(exactOurs.flatMap(\.scalars), exact.flatMap(\.scalars)) {
                #expect(CT.ulps(o, e) <= 2, "\(name): exact mode \(o) vs \(e)")
            }
            // Keras clipnorm g·c/max(‖g‖, c): agrees to a few ulps except where its norm
            // overflows (float32 1e20: zeros) or is 0 with c = 0 (0/0 = NaN).
            let keras = tensors((c["keras"] as? [String: Any])?["gradients"], as: S.self)
            for k in raw.indices {
                let agree = zip(exactOurs[k].scalars, keras[k].scalars).allSatisfy { CT.ulps($0, $1) <= 4 }
                if name.hasPrefix("zero_gradients_threshold_zero") {
                    #expect(keras[k].scalars.allSatisfy { $0.isNaN })
                } else if name == "entries_1e20/float32" && k == 0 {
                    #expect(keras[k].scalars.allSatisfy { $0 == 0 })
                } else {
                    #expect(agree, "\(name)[\(k)]: exact mode vs Keras")
                }
            }
        }
    }

    static func checkValue<S: GoldenScalar>(as _: S.Type, dtype: String) throws {
        let cases = Self.cases("value").filter { $0["dtype"] as? String == dtype }
        #expect(!cases.isEmpty)
        for c in cases {
            let name = Self.name(c)
            let raw = tensors(c["gradients"], as: S.self)
            var clipper = ValueClipper(clipValue: c["clip_value"] as? Double ?? .nan, nonFinite: .propagate)
            var ours = raw
            _ = try clipper.clip(&ours, parameters: [])
            let torchOut = tensors((c["torch"] as? [String: Any])?["gradients"], as: S.self)
            let keras = tensors((c["keras"] as? [String: Any])?["gradients"], as: S.self)
            #expect(CT.sameBits(ours, torchOut), "\(name): clip_grad_value_")
            #expect(CT.sameBits(ours, keras), "\(name): Keras clipvalue")
        }
    }

    @Test func autoclipPercentileMatchesNumPy() {
        for c in Self.cases("percentile") {
            let history = (c["history_bits"] as? [String] ?? []).compactMap { Double(hex: $0) }
            let p = c["percentile"] as? Double ?? .nan
            let want = Double(hex: c["value_bits"] as? String ?? "") ?? .nan
            #expect(AutoClipper.percentile(p, ofSorted: history) == want, "p=\(p) n=\(history.count)")
        }
    }
}

/// A scalar readable from the fixture's hex bit patterns.
protocol GoldenScalar: TensorScalar {
    init?(hex: String)
}

extension Float: GoldenScalar {
    init?(hex: String) {
        guard hex.hasPrefix("0x"), let b = UInt32(hex.dropFirst(2), radix: 16) else { return nil }
        self.init(bitPattern: b)
    }
}

extension Double: GoldenScalar {
    init?(hex: String) {
        guard hex.hasPrefix("0x"), let b = UInt64(hex.dropFirst(2), radix: 16) else { return nil }
        self.init(bitPattern: b)
    }
}

extension GlobalNormClipper {
    /// Clips with a copy of the clipper (which is stateless), for terse tests.
    func clippedCopy<S: TensorScalar>(_ gradients: inout [Tensor<S>]) throws -> ClipTelemetry {
        var copy = self
        return try copy.clip(&gradients, parameters: [])
    }
}
