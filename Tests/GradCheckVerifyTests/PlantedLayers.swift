import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// Layers with deliberately wrong VJPs, to show the verifier catches each kind of bug.
///
/// Each custom op also has a correct JVP (forward mode), so that the dot-product test
/// sees the VJP's bug as the difference between the two.
enum Bug: Sendable {
    /// The bias gradient of element `j` comes out with the wrong sign.
    case biasSign(Int)
    /// The bias gradient of element `j` is written to element `j + 1` (a wrong index).
    case biasIndex(Int)
    /// The input gradient misses the bias-independent term (dropped `g · wᵀ`).
    case none
}

/// A dense layer (no activation) whose bias VJP carries a planted bug.
struct BuggyDense: Layer {
    let name: String
    var typeName: String { "buggy_dense" }
    let inputShape: [Int]
    let outputShape: [Int]
    let parameters: [ParameterDescriptor]
    let bug: Bug

    init(name: String, inputs: Int, units: Int, bug: Bug) {
        self.name = name
        self.inputShape = [inputs]
        self.outputShape = [units]
        self.bug = bug
        self.parameters = [
            ParameterDescriptor(name: "\(name)/kernel", layer: name, shape: [inputs, units], initializer: .glorotUniform),
            ParameterDescriptor(name: "\(name)/bias", layer: name, shape: [units], initializer: .randomNormal(mean: 0, stddev: 0.5)),
        ]
    }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        let z = tape.matmul(x, p[0])
        let bias = p[1]
        let value = tape.value(z).addingRow(tape.value(bias))
        let bug = self.bug
        return tape.custom([z, bias], value: value) { g in
            var gb = g.sumRows()
            switch bug {
            case let .biasSign(j): gb.scalars[j] = -gb.scalars[j]
            case let .biasIndex(j):
                gb.scalars[j + 1] = gb.scalars[j]
            case .none: break
            }
            return [g, gb]
        } jvp: { t in
            (t[0] ?? Tensor.zeros(value.shape)).addingRow(t[1] ?? Tensor.zeros([value.columnCount]))
        }
    }
}

/// A sigmoid whose VJP forgets the `(1 − y)` factor: `g · y` instead of `g · y(1 − y)`.
struct BuggySigmoid: Layer {
    let name: String
    var typeName: String { "buggy_sigmoid" }
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        let y = UnaryFunction.sigmoid.apply(tape.value(x))
        return tape.custom([x], value: y) { g in [g.zipMap(y, *)] }
            jvp: { t in t[0]!.zipMap(y) { $0 * $1 * (1 - $1) } }
    }
}

/// An L2 penalty layer (`output = x`, loss term `c · Σ w²` through a parameter-free op)
/// whose VJP misses the factor 2: the "missing term in a regulariser" bug.
struct BuggyPenaltyDense: Layer {
    let name: String
    var typeName: String { "buggy_penalty_dense" }
    let inputShape: [Int]
    let outputShape: [Int]
    let parameters: [ParameterDescriptor]

    init(name: String, inputs: Int, units: Int) {
        self.name = name
        self.inputShape = [inputs]
        self.outputShape = [units]
        self.parameters = [ParameterDescriptor(name: "\(name)/kernel", layer: name, shape: [inputs, units], initializer: .glorotUniform)]
    }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        // y = x·W + 0.1·Σ W² added to every output: the penalty rides on the output so that
        // its (wrong) VJP is exercised by any upstream gradient.
        let z = tape.matmul(x, p[0])
        let w = tape.value(p[0])
        let penalty = S(0.1) * w.scalars.reduce(0) { $0 + $1 * $1 }
        let value = tape.value(z).map { $0 + penalty }
        return tape.custom([z, p[0]], value: value) { g in
            let total = g.sum()
            return [g, w.map { S(0.1) * $0 * total }]   // should be 2 · 0.1 · w · Σg
        } jvp: { t in
            // Correct: dz + 2 · 0.1 · Σ w ⊙ dW added to every output.
            let dPenalty = t[1].map { dw in S(0.2) * zip(w.scalars, dw.scalars).reduce(0) { $0 + $1.0 * $1.1 } } ?? 0
            return (t[0] ?? Tensor.zeros(value.shape)).map { $0 + dPenalty }
        }
    }
}
