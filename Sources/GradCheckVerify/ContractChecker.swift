import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// Checks the four ``BackwardContract``s of a function recorded on a tape: a layer at its
/// real inputs (``LayerObjective``), or a whole model's per-sample objective
/// (``ModelObjective``).
///
/// One run costs two forward passes and five backward passes (cotangents `u`, `w`,
/// `a·u + b·w`, `0`, and `u` again), plus a copy of every guarded tensor: a few percent of
/// an element-wise check, which evaluates the function twice per element.
public struct ContractChecker: Sendable {
    /// The allowed `max |vjp(a·u + b·w) − (a·vjp(u) + b·vjp(w))|`, as a fraction of the
    /// gradients' scale `|a|·max|vjp(u)| + |b|·max|vjp(w)|`, the largest over the target's
    /// tensors (a tensor whose gradient is zero but for rounding, such as a key bias in
    /// attention, is not judged by its own noise; a tensor whose gradients are more than
    /// 1e9 times smaller than the target's largest is not judged at all).
    ///
    /// A linear backward makes the two sides differ only by rounding: each entry is a sum
    /// of up to `n` products, so they differ by at most about `n·ε` of the scale (float64
    /// `ε = 2.2e-16`; `n = 1e5`, a long reduction here, gives 2.2e-11). 1e-9 leaves a ×45
    /// margin over that; a nonlinear backward (one that squares or clips the cotangent)
    /// misses by order 1.
    public static let linearityTolerance = 1e-9

    /// The seed of the cotangents `u`, `w` and the scalars `a`, `b` (mixed with the target's name).
    public var seed: UInt64

    /// A contract checker.
    public init(seed: UInt64 = 0) {
        self.seed = seed
    }

    /// The function under check: `record` puts it on a recording tape and returns its
    /// output and the variables whose gradients are compared (named by `argumentNames`);
    /// `guarded` are the tensors it reads, which must come out bit-identical.
    struct Target {
        var name: String
        var argumentNames: [String]
        var guarded: [(name: String, tensor: Tensor<Double>)]
        var record: (Tape<Double>) -> (output: Variable<Double>, arguments: [Variable<Double>])
    }

    /// The contracts of a layer at its real inputs: its output with a random cotangent,
    /// gradients with respect to its float inputs and trainable parameters.
    public func check(_ objective: LayerObjective, target: String) -> [ContractResult] {
        let layer = objective.layer
        let names = objective.arguments.map(\.name)
        let descriptors = layer.parameters
        let guarded = objective.inputValues.enumerated().map { (name: objective.inputValues.count == 1 ? "inputs" : "inputs[\($0.offset)]", tensor: $0.element) }
            + zip(descriptors, objective.parameters).map { (name: $0.0.name, tensor: $0.1) }
        return check(Target(name: target, argumentNames: names, guarded: guarded) { tape in
            let xs = objective.inputValues.map { layer.takesIndices ? tape.constant($0) : tape.variable($0) }
            let p = zip(descriptors, objective.parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
            let y = layer.forward(inputs: xs, p, on: tape, context: objective.context)
            let arguments = Array(xs.prefix(objective.inputArgumentCount)) + objective.trainable.map { p[$0] }
            return (y, arguments)
        })
    }

    /// The contracts of a whole model: its per-sample objective (one cotangent entry per
    /// sample), gradients with respect to its float inputs and trainable parameters.
    /// Parameter penalties, which do not enter the per-sample objective, are left to the
    /// element-wise check.
    public func check(_ objective: ModelObjective, target: String) -> [ContractResult] {
        let model = objective.model
        let inputs = Array(objective.values[0..<model.inputs.count])
        // The split inputs are what the passes read (token ids included).
        let guarded = inputs.indices.map { (name: ModelObjective.argumentName(model: model, input: $0), tensor: inputs[$0]) }
            + zip(model.parameters, objective.parameters).map { (name: $0.0.name, tensor: $0.1) }
        return check(Target(name: target, argumentNames: objective.arguments.map(\.name), guarded: guarded) { tape in
            let floats = Set(objective.inputArguments)
            let xs = inputs.indices.map { floats.contains($0) ? tape.variable(inputs[$0]) : tape.constant(inputs[$0]) }
            let p = zip(model.parameters, objective.parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
            let y = model.perSampleObjective(inputs: xs, parameters: p, targets: objective.targets, on: tape,
                                             context: objective.context)
            return (y, objective.inputArguments.map { xs[$0] } + objective.trainableIndex.map { p[$0] })
        })
    }

    /// Runs the four contracts on `target`, in ``BackwardContract`` order.
    func check(_ target: Target) -> [ContractResult] {
        // Copies made element by element, so that a write into the shared storage of a
        // guarded tensor does not reach them.
        let before = target.guarded.map { $0.tensor.scalars.map { $0 } }
        let tape = Tape<Double>()
        let (y, arguments) = target.record(tape)
        let afterForward = firstChange(target.guarded, before, note: "during the forward pass")

        var rng = SeededRNG(seed: seed, name: "contracts|\(target.name)")
        let shape = tape.value(y).shape
        let count = tape.value(y).count
        let u = Tensor<Double>(unchecked: shape, scalars: (0..<count).map { _ in rng.normal() })
        let w = Tensor<Double>(unchecked: shape, scalars: (0..<count).map { _ in rng.normal() })
        let a = rng.normal(), b = rng.normal()
        let combined = u.zipMap(w) { a * $0 + b * $1 }
        let gu = tape.gradients(of: y, seed: u, withRespectTo: arguments)
        let gw = tape.gradients(of: y, seed: w, withRespectTo: arguments)
        let gc = tape.gradients(of: y, seed: combined, withRespectTo: arguments)
        let g0 = tape.gradients(of: y, seed: Tensor.zeros(shape), withRespectTo: arguments)
        let again = tape.gradients(of: y, seed: u, withRespectTo: arguments)
        let afterBackward = firstChange(target.guarded, before, note: "during the backward passes")
        let tape2 = Tape<Double>()
        let (y2, arguments2) = target.record(tape2)
        let fresh = tape2.gradients(of: y2, seed: u, withRespectTo: arguments2)

        return [
            linearity(target, gu: gu, gw: gw, gc: gc, a: a, b: b),
            zeroCotangent(target, g0),
            determinism(target, gu, [(again, "second backward pass from the same forward pass"),
                                     (fresh, "second forward and backward pass")]),
            immutability(target, afterForward ?? afterBackward),
        ]
    }

    func linearity(_ target: Target, gu: [Tensor<Double>], gw: [Tensor<Double>], gc: [Tensor<Double>],
                   a: Double, b: Double) -> ContractResult {
        var worst = 0.0
        var element: ContractElement?
        // One scale for the whole target, the largest of its tensors': a tensor whose
        // gradient is zero but for rounding (a key bias in attention, a bias before batch
        // normalisation) would otherwise be judged by its own noise.
        let scale = gc.indices.map { abs(a) * Self.maxAbs(gu[$0]) + abs(b) * Self.maxAbs(gw[$0]) }.max() ?? 0
        for k in gc.indices {
            for j in 0..<gc[k].count {
                let expected = a * gu[k].scalars[j] + b * gw[k].scalars[j]
                let actual = gc[k].scalars[j]
                let difference = abs(actual - expected)
                let relative = difference == 0 ? 0 : (scale > 0 ? difference / scale : .infinity)
                if !worst.isNaN && (relative.isNaN || relative > worst) {
                    worst = relative
                    element = ContractElement(tensor: target.argumentNames[k], index: gc[k].index(ofFlat: j),
                                              expected: expected, actual: actual)
                }
            }
        }
        let passed = worst <= Self.linearityTolerance
        return ContractResult(target: target.name, contract: .linearity, status: passed ? .pass : .fail,
                              deviation: worst, allowed: Self.linearityTolerance, worst: passed ? nil : element)
    }

    func zeroCotangent(_ target: Target, _ g0: [Tensor<Double>]) -> ContractResult {
        var worst = 0.0
        var element: ContractElement?
        for (k, g) in g0.enumerated() {
            for (j, v) in g.scalars.enumerated() where !worst.isNaN && (v.isNaN || abs(v) > worst) {
                worst = abs(v)
                element = ContractElement(tensor: target.argumentNames[k], index: g.index(ofFlat: j), expected: 0, actual: v)
            }
        }
        return ContractResult(target: target.name, contract: .zeroCotangent, status: element == nil ? .pass : .fail,
                              deviation: worst, allowed: 0, worst: element)
    }

    func determinism(_ target: Target, _ first: [Tensor<Double>],
                     _ repeats: [(gradients: [Tensor<Double>], note: String)]) -> ContractResult {
        var worst = 0.0
        var element: ContractElement?
        for (gradients, note) in repeats {
            for k in first.indices {
                for j in 0..<first[k].count {
                    let x = first[k].scalars[j], y = gradients[k].scalars[j]
                    guard x.bitPattern != y.bitPattern else { continue }
                    let difference = abs(x - y)
                    if element == nil || (!worst.isNaN && (difference.isNaN || difference > worst)) {
                        worst = difference
                        element = ContractElement(tensor: target.argumentNames[k], index: first[k].index(ofFlat: j),
                                                  expected: x, actual: y, note: note)
                    }
                }
            }
        }
        return ContractResult(target: target.name, contract: .determinism, status: element == nil ? .pass : .fail,
                              deviation: worst, allowed: 0, worst: element)
    }

    func immutability(_ target: Target, _ change: (element: ContractElement, deviation: Double)?) -> ContractResult {
        ContractResult(target: target.name, contract: .immutability, status: change == nil ? .pass : .fail,
                       deviation: change?.deviation ?? 0, allowed: 0, worst: change?.element)
    }

    /// The largest change of a guarded tensor from its copy, compared bit for bit.
    func firstChange(_ guarded: [(name: String, tensor: Tensor<Double>)], _ before: [[Double]],
                     note: String) -> (element: ContractElement, deviation: Double)? {
        var found: (element: ContractElement, deviation: Double)?
        for (k, g) in guarded.enumerated() {
            for (j, old) in before[k].enumerated() {
                let new = g.tensor.scalars[j]
                guard old.bitPattern != new.bitPattern else { continue }
                let difference = abs(new - old)
                if found == nil || (!found!.deviation.isNaN && (difference.isNaN || difference > found!.deviation)) {
                    found = (ContractElement(tensor: g.name, index: g.tensor.index(ofFlat: j), expected: old, actual: new,
                                             note: note), difference)
                }
            }
        }
        return found
    }

    static func maxAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { Swift.max($0, abs($1)) } }
}
