import GradCheckAutograd
import GradCheckTensor
import Testing

/// Random inputs and a central-difference check of the tape's vector–Jacobian products.
///
/// The check: for a random upstream tensor `s` of the output's shape, the tape gives
/// `sᵀ·J` for every input; the test computes each entry as
/// `Σ_i s_i·(F_i(x + h·e_j) − F_i(x − h·e_j)) / 2h` in Double with `h = 1e-6`, evaluating
/// `F` on a non-recording tape. Tolerance `|vjp − fd| ≤ 1e-8 + 1e-6·|fd|`, because:
/// the truncation error is `h²/6·|F'''| ≈ 2e-13·|F'''|`, and the rounding error is about
/// `ε·|F|/h ≈ 1e-10·|F|` per perturbed output (outputs that `x_j` does not touch cancel
/// exactly, since the difference is taken per output before weighting). Inputs are kept
/// O(1) and at least 0.1 away from every kink, so both terms stay ~100× below the
/// tolerance, while a wrong VJP (a missing factor, a sign, a transposed index) is off by
/// O(|gradient|) and fails.
enum AG {
    static let h = 1e-6
    static let atol = 1e-8
    static let rtol = 1e-6

    static func uniform(_ shape: [Int], _ rng: inout SeededRNG, _ lo: Double, _ hi: Double) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(lo, hi) })
    }

    /// Values with `lo ≤ |x| ≤ hi` and a random sign: away from a kink at 0.
    static func awayFromZero(_ shape: [Int], _ rng: inout SeededRNG, _ lo: Double = 0.1, _ hi: Double = 2) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
            let m = rng.uniform(lo, hi)
            return rng.uniform() < 0.5 ? -m : m
        })
    }

    /// Rows of non-negative weights that sum to `mass`, with about a third of the entries 0.
    static func distribution(_ shape: [Int], _ rng: inout SeededRNG, mass: Double = 1) -> Tensor<Double> {
        let n = shape.last!
        var out = [Double]()
        for _ in 0..<(shape.reduce(1, *) / n) {
            var row = (0..<n).map { _ in rng.uniform() < 0.33 ? 0 : rng.uniform(0.1, 1) }
            if row.allSatisfy({ $0 == 0 }) { row[rng.index(below: n)] = 1 }
            let total = row.reduce(0, +)
            out += row.map { $0 / total * mass }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// One-hot rows for `labels`.
    static func oneHot(_ labels: [Int], classes: Int, shape: [Int]) -> Tensor<Double> {
        var out = [Double](repeating: 0, count: labels.count * classes)
        for (r, l) in labels.enumerated() { out[r * classes + l] = 1 }
        return Tensor(unchecked: shape, scalars: out)
    }

    static func labels(_ count: Int, classes: Int, _ rng: inout SeededRNG) -> [Int] {
        (0..<count).map { _ in rng.index(below: classes) }
    }

    /// Evaluates `build` on a fresh tape.
    static func forward(
        _ inputs: [Tensor<Double>], recording: Bool = false,
        _ build: (Tape<Double>, [Variable<Double>]) -> Variable<Double>
    ) -> Tensor<Double> {
        let tape = Tape<Double>(recording: recording)
        return tape.value(build(tape, inputs.map { tape.variable($0) }))
    }

    /// The tape's VJPs for a random upstream tensor, and the central differences of the same.
    static func vjpAndDifferences(
        _ inputs: [Tensor<Double>], seed: UInt64,
        _ build: (Tape<Double>, [Variable<Double>]) -> Variable<Double>
    ) -> (vjp: [Tensor<Double>], fd: [Tensor<Double>]) {
        let tape = Tape<Double>()
        let vars = inputs.map { tape.variable($0) }
        let out = build(tape, vars)
        var rng = SeededRNG(seed: seed, stream: 77)
        let upstream = uniform(tape.value(out).shape, &rng, -1, 1)
        let vjp = tape.gradients(of: out, seed: upstream, withRespectTo: vars)
        var fd = [Tensor<Double>]()
        for k in inputs.indices {
            var g = Tensor<Double>.zeros(inputs[k].shape)
            for j in 0..<inputs[k].count {
                var plus = inputs, minus = inputs
                plus[k].scalars[j] += h
                minus[k].scalars[j] -= h
                let fp = forward(plus, build), fm = forward(minus, build)
                var acc = 0.0
                for i in 0..<upstream.count { acc += upstream.scalars[i] * (fp.scalars[i] - fm.scalars[i]) }
                g.scalars[j] = acc / (2 * h)
            }
            fd.append(g)
        }
        return (vjp, fd)
    }

    /// Expects the tape's VJP to match central differences for every input element.
    static func checkVJP(
        _ name: String, _ inputs: [Tensor<Double>], seed: UInt64 = 1,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ build: (Tape<Double>, [Variable<Double>]) -> Variable<Double>
    ) {
        let (vjp, fd) = vjpAndDifferences(inputs, seed: seed, build)
        for k in inputs.indices {
            #expect(vjp[k].shape == inputs[k].shape, "\(name): gradient \(k) has shape \(vjp[k].shape)", sourceLocation: sourceLocation)
            var worst = (index: -1, vjp: 0.0, fd: 0.0)
            var worstRatio = 0.0
            for j in 0..<min(vjp[k].count, fd[k].count) {
                let a = vjp[k].scalars[j], n = fd[k].scalars[j]
                let ratio = abs(a - n) / (atol + rtol * abs(n))
                if !(ratio <= worstRatio) { worstRatio = ratio; worst = (j, a, n) }
            }
            #expect(worstRatio <= 1, "\(name): input \(k) element \(worst.index): VJP \(worst.vjp) vs central difference \(worst.fd)", sourceLocation: sourceLocation)
            // The check must not be vacuous: some entry of the gradient is not tiny.
            #expect(fd[k].scalars.contains { abs($0) > 1e-3 }, "\(name): input \(k) has an all-zero gradient", sourceLocation: sourceLocation)
        }
    }

    static func close(_ a: Double, _ b: Double, atol: Double = 1e-12, rtol: Double = 1e-12) -> Bool {
        abs(a - b) <= atol + rtol * abs(b)
    }

    static func allClose(_ a: Tensor<Double>, _ b: Tensor<Double>, atol: Double = 1e-12, rtol: Double = 1e-12) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { close($0, $1, atol: atol, rtol: rtol) }
    }
}

/// Every case of ``UnaryFunction``, with parameters where it has them.
let allUnaryFunctions: [UnaryFunction] = [
    .identity, .relu, .leakyRelu(alpha: 0.2), .elu(alpha: 1), .elu(alpha: 0.7), .selu,
    .gelu, .geluTanh, .sigmoid, .hardSigmoid, .tanh, .softplus, .softsign, .swish,
    .exp, .log, .abs, .square,
]

extension UnaryFunction {
    /// A random point of the function's domain, at least 0.1 from any kink.
    func samplePoint(_ rng: inout SeededRNG) -> Double {
        switch self {
        case .identity, .relu, .leakyRelu, .elu, .selu, .abs:
            let m = rng.uniform(0.1, 2)
            return rng.uniform() < 0.5 ? -m : m
        case .hardSigmoid:
            while true {
                let x = rng.uniform(-4, 4)
                if Swift.abs(Swift.abs(x) - 3) >= 0.1 { return x }
            }
        case .log: return rng.uniform(0.2, 3)
        case .exp: return rng.uniform(-2, 2)
        default: return rng.uniform(-3, 3)
        }
    }
}
