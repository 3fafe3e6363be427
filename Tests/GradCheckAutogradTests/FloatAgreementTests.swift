import GradCheckAutograd
import GradCheckTensor
import Testing

/// The Float specialisations run and agree with Double.
///
/// Inputs are drawn in Double and rounded to Float, and the Double run uses the rounded
/// values, so the only differences are Float's own rounding (ε_f ≈ 1.2e-7). The ops here
/// chain at most a few dozen roundings per value, so the tolerance is `1e-5 + 1e-4·|x|`
/// (≈ 100 ε_f), while a Float-only bug (a wrong specialisation, a Float libm mix-up,
/// a Double constant left unconverted in a Float path) gives errors of order 1.

private func floatClose(_ f: Tensor<Float>, _ d: Tensor<Double>, atol: Double = 1e-5, rtol: Double = 1e-4) -> Bool {
    f.shape == d.shape && zip(f.scalars, d.scalars).allSatisfy { abs(Double($0) - $1) <= atol + rtol * abs($1) }
}

/// A Double tensor whose values are exactly representable in Float.
private func floatExact(_ t: Tensor<Double>) -> Tensor<Double> { t.converted(to: Float.self).converted(to: Double.self) }

@Test("Float apply/pullback agree with Double", arguments: allUnaryFunctions)
func unaryFloatAgreesWithDouble(f: UnaryFunction) {
    var rng = SeededRNG(seed: 61, name: "\(f)")
    let xd = floatExact(Tensor(unchecked: [3, 7], scalars: (0..<21).map { _ in f.samplePoint(&rng) }))
    let gd = floatExact(AG.uniform([3, 7], &rng, -1, 1))
    let xf = xd.converted(to: Float.self), gf = gd.converted(to: Float.self)
    func run<S: TensorScalar>(_ x: Tensor<S>, _ g: Tensor<S>) -> (Tensor<S>, Tensor<S>) {
        let tape = Tape<S>()
        let v = tape.variable(x)
        let y = tape.apply(f, v)
        return (tape.value(y), tape.gradients(of: y, seed: g, withRespectTo: [v])[0])
    }
    let (yd, dd) = run(xd, gd)
    let (yf, df) = run(xf, gf)
    #expect(floatClose(yf, yd), "\(f) values")
    #expect(floatClose(df, dd), "\(f) gradients")
}

/// Each loss, generic over the scalar type.
enum LossKind: String, CaseIterable, Sendable {
    case mse, mae, huber, sigmoidCE, bce, softmaxCE, sparseSoftmaxCE, categoricalCE, sparseCategoricalCE

    var takesProbabilities: Bool { self == .bce || self == .categoricalCE || self == .sparseCategoricalCE }

    func apply<S: TensorScalar>(_ t: Tape<S>, _ p: Variable<S>, targets: Tensor<S>, distribution: Tensor<S>, labels: [Int]) -> Variable<S> {
        switch self {
        case .mse: return t.meanSquaredError(p, targets)
        case .mae: return t.meanAbsoluteError(p, targets)
        case .huber: return t.huber(p, targets, delta: 0.5)
        case .sigmoidCE: return t.sigmoidCrossEntropy(logits: p, targets)
        case .bce: return t.binaryCrossEntropy(probabilities: p, targets)
        case .softmaxCE: return t.softmaxCrossEntropy(logits: p, distribution)
        case .sparseSoftmaxCE: return t.sparseSoftmaxCrossEntropy(logits: p, labels: labels)
        case .categoricalCE: return t.categoricalCrossEntropy(probabilities: p, distribution)
        case .sparseCategoricalCE: return t.sparseCategoricalCrossEntropy(probabilities: p, labels: labels)
        }
    }
}

@Test("Float losses agree with Double", arguments: LossKind.allCases, [[4, 3], [2, 3, 5]])
func lossFloatAgreesWithDouble(kind: LossKind, shape: [Int]) {
    var rng = SeededRNG(seed: 62, name: kind.rawValue)
    let rows = shape.dropLast().reduce(1, *)
    let targets = floatExact(AG.uniform(shape, &rng, 0, 1))
    let distribution = floatExact(AG.distribution(shape, &rng))
    let labels = AG.labels(rows, classes: shape.last!, &rng)
    // Predictions 0.1 away from targets (the MAE kink) and inside (0, 1) for probabilities.
    let p = floatExact(kind.takesProbabilities
        ? AG.uniform(shape, &rng, 0.05, 0.95)
        : targets.zipMap(AG.awayFromZero(shape, &rng, 0.1, 2), +))
    let seed = floatExact(AG.uniform([shape[0]], &rng, 0.5, 1.5))
    func run<S: TensorScalar>(_: S.Type) -> (Tensor<S>, Tensor<S>) {
        let tape = Tape<S>()
        let v = tape.variable(p.converted(to: S.self))
        let l = kind.apply(tape, v, targets: targets.converted(to: S.self),
                           distribution: distribution.converted(to: S.self), labels: labels)
        return (tape.value(l), tape.gradients(of: l, seed: seed.converted(to: S.self), withRespectTo: [v])[0])
    }
    let (ld, gd) = run(Double.self)
    let (lf, gf) = run(Float.self)
    #expect(lf.shape == [shape[0]])
    #expect(floatClose(lf, ld), "\(kind) \(shape) loss: \(lf.scalars) vs \(ld.scalars)")
    #expect(floatClose(gf, gd), "\(kind) \(shape) gradient")
}

@Test func modelChainInFloatAgreesWithDouble() {
    var rng = SeededRNG(seed: 63)
    let x = floatExact(AG.uniform([2, 3, 6], &rng, -1, 1))
    let w1 = floatExact(AG.uniform([6, 8], &rng, -0.5, 0.5)), b1 = floatExact(AG.uniform([8], &rng, -0.1, 0.1))
    let w2 = floatExact(AG.uniform([8, 4], &rng, -0.5, 0.5))
    let t = floatExact(AG.distribution([2, 3, 4], &rng))
    func run<S: TensorScalar>(_: S.Type) -> (S, [Tensor<S>]) {
        let tape = Tape<S>()
        let vx = tape.variable(x.converted(to: S.self))
        let v1 = tape.variable(w1.converted(to: S.self)), vb = tape.variable(b1.converted(to: S.self))
        let v2 = tape.variable(w2.converted(to: S.self))
        let h = tape.apply(.swish, tape.addBias(tape.matmul(vx, v1), vb))
        let h2 = tape.subtract(tape.scale(h, by: 1.5), tape.multiply(h, h))
        let logits = tape.reshape(tape.matmul(tape.reshape(h2, to: [6, 8]), v2), to: [2, 3, 4])
        let ce = tape.softmaxCrossEntropy(logits: logits, t.converted(to: S.self))
        let extra = tape.sumPerSample(tape.multiply(tape.softmax(logits), tape.logSoftmax(logits)))
        let loss = tape.mean(tape.add(ce, extra))
        return (tape.value(loss).scalar, tape.gradients(of: loss, withRespectTo: [vx, v1, vb, v2]))
    }
    let (ld, gd) = run(Double.self)
    let (lf, gf) = run(Float.self)
    #expect(abs(Double(lf) - ld) <= 1e-5 + 1e-4 * abs(ld))
    for k in 0..<4 {
        #expect(floatClose(gf[k], gd[k]), "gradient \(k)")
        #expect(gd[k].maxAbs() > 1e-3, "gradient \(k) is not trivially zero")
    }
}
