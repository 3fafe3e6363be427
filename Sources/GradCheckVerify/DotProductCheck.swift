import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// An objective that can record itself on a tape, so that its forward mode (JVPs) can be
/// checked against its backward pass (VJPs) by the dot-product test.
public protocol LinearizableObjective: PerturbableObjective {
    /// Records the function on `tape` (a recording one): one variable per argument, in the
    /// order of ``PerturbableObjective/arguments``, and the output, whose Jacobian is tested
    /// (a layer's output tensor, or a model's scalar loss).
    func record(on tape: Tape<Double>) -> (arguments: [Variable<Double>], output: Variable<Double>)

    /// The tangent of the scalar function `f` (what ``PerturbableObjective/deltas(argument:directions:)``
    /// differences) for a tangent `t` of the recorded output: `⟨t, R⟩` for a layer's output
    /// and its projection `R`, `t` itself for a model's scalar loss. The dot-product mode
    /// compares it with a central difference along the same direction, so that a wrong
    /// derivative shared by the JVP and the VJP is caught.
    func scalarTangent(_ t: Tensor<Double>) -> Double
}

extension LayerObjective: LinearizableObjective {
    /// The layer at its input, with the layer's output itself (not its projection) as the
    /// output: the dot-product test draws its own `v` over the output.
    public func record(on tape: Tape<Double>) -> (arguments: [Variable<Double>], output: Variable<Double>) {
        let xs = inputValues.map { layer.takesIndices ? tape.constant($0) : tape.variable($0) }
        let p = zip(layer.parameters, parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        let y = layer.forward(inputs: xs, p, on: tape, context: context)
        return ((layer.takesIndices ? [] : xs) + trainable.map { p[$0] }, y)
    }

    public func scalarTangent(_ t: Tensor<Double>) -> Double { GradientChecker.dot(t, projection) }
}

extension ModelObjective: LinearizableObjective {
    /// The training loss (a scalar), as ``Model/lossAndGradients(parameters:inputs:targets:context:)``
    /// records it.
    public func record(on tape: Tape<Double>) -> (arguments: [Variable<Double>], output: Variable<Double>) {
        let xs = model.inputs.indices.map { k in
            model.inputs[k].isInteger ? tape.constant(values[k]) : tape.variable(values[k])
        }
        let p = zip(model.parameters, parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        let l = model.loss(inputs: xs, parameters: p, targets: targets, on: tape, context: context)
        return (inputArguments.map { xs[$0] } + trainableIndex.map { p[$0] }, l)
    }

    public func scalarTangent(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0, +) }
}

extension GradientChecker {
    /// The default relative tolerance of the dot-product test: 1e-9.
    ///
    /// For random `u` (over one argument) and `v` (over the output), the test compares
    /// `⟨J u, v⟩`, from one forward-mode sweep of JVPs, with `⟨u, Jᵀ v⟩`, from one backward
    /// pass of VJPs. Both are exact up to rounding: no step, no truncation. Each is a chain
    /// of float64 sums and products, whose rounding error is a small multiple of
    /// ε ≈ 1.1e-16 per op times the magnitudes involved, about 1e-13 to 1e-12 of the
    /// Cauchy–Schwarz scale `max(‖J u‖·‖v‖, ‖u‖·‖Jᵀ v‖)` for the layers and models here.
    /// The test allows `1e-9 ×` that scale: a thousand-fold margin for cancellation inside
    /// ops (a batch norm's `x − μ`, a softmax's `y_i − Σ y_j dx_j`), while a wrong JVP or
    /// VJP entry (a sign, a missing term, a wrong index) shifts one side by the size of
    /// that entry's share of the product, which for random `u` and `v` is of order
    /// `1/√n` of the scale for a tensor of `n` elements: far above 1e-9 for any tensor
    /// that fits in memory.
    ///
    /// Below an absolute floor of `1e-12 · ‖u‖ · ‖v‖` (``dotProductAbsoluteFloor``) nothing is
    /// judged: where the Jacobian is exactly zero (a dense bias followed by batch
    /// normalisation, which removes any shift) both sides are rounding noise of about
    /// 1e-17 and the relative comparison is meaningless; the floor plays the role of the
    /// finite-difference check's `atol`.
    public static let defaultDotProductTolerance = 1e-9

    /// The absolute floor of the dot-product test, relative to `‖u‖ · ‖v‖`: 1e-12.
    public static let dotProductAbsoluteFloor = 1e-12

    /// The dot-product test on every argument (or those in `only`) of `objective`.
    ///
    /// Per probe `k`: `v` is drawn over the output (seeded by `target` and `k`), one
    /// backward pass gives `Jᵀ v` for every argument, and for each argument a `u` is drawn
    /// over that argument alone (every other argument's tangent zero), so a failure is
    /// located to the tensor whose JVP and VJP disagree (or to the tensors upstream of the
    /// op whose JVP and VJP disagree).
    ///
    /// An objective that cannot record itself on a tape, or whose tape holds an op without
    /// a JVP on the way from an argument to the output, gets a `fail` result for that
    /// argument with no elements checked and a ``TensorCheckResult/note`` saying why: a
    /// check that could not run is not reported as passing.
    func dotProductCheck(_ objective: some PerturbableObjective, target: String, only: Set<String>?,
                         probes: Int) -> [TensorCheckResult] {
        let selected = objective.arguments.indices.filter { only?.contains(objective.arguments[$0].name) ?? true }
        guard let linear = objective as? any LinearizableObjective else {
            return selected.map {
                notChecked(objective.arguments[$0], target: target,
                           note: "the objective cannot record itself on a tape (it is not a LinearizableObjective), so it has no forward mode to test")
            }
        }
        let tape = Tape<Double>()
        let (variables, output) = linear.record(on: tape)
        let outputShape = tape.value(output).shape
        var checks = [[ElementCheck]](repeating: [], count: selected.count)
        var missing = [String?](repeating: nil, count: selected.count)
        // Per argument and probe: the unit direction `u/‖u‖` and the JVP of `f` along it.
        var units = [[Tensor<Double>]](repeating: [], count: selected.count)
        var alongJVP = [[Double]](repeating: [], count: selected.count)
        for k in 0..<probes {
            var vrng = SeededRNG(seed: seed, name: "dot|v|\(target)|\(k)")
            let v = Self.normal(outputShape, &vrng)
            let vjps = tape.gradients(of: output, seed: v, withRespectTo: selected.map { variables[$0] })
            for (s, a) in selected.enumerated() where missing[s] == nil {
                let argument = objective.arguments[a]
                var urng = SeededRNG(seed: seed, name: "dot|u|\(target)|\(argument.name)|\(k)")
                let u = Self.normal(argument.value.shape, &urng)
                let ju: Tensor<Double>
                do {
                    ju = try tape.tangent(of: output, seeds: [(variables[a], u)])
                } catch {
                    missing[s] = "\(error): the dot-product test cannot run; give that op a JVP (the `jvp:` of `Tape.custom`)"
                    continue
                }
                let norm = u.norm()
                var unit = u
                unit.scale(by: norm > 0 ? 1 / norm : 0)
                units[s].append(unit)
                alongJVP[s].append(norm > 0 ? linear.scalarTangent(ju) / norm : 0)
                checks[s].append(dotProductProbe(k, forward: Self.dot(ju, v), backward: Self.dot(u, vjps[s]),
                                                 scale: Swift.max(ju.norm() * v.norm(), u.norm() * vjps[s].norm()),
                                                 sizes: u.norm() * v.norm()))
            }
        }
        var analytic: [Tensor<Double>]?
        return selected.enumerated().map { s, a in
            let argument = objective.arguments[a]
            if let note = missing[s] { return notChecked(argument, target: target, note: note) }
            var result = summarize(checks[s], argument: argument, target: target, checked: probes)
            result.method = .dotProduct
            guard result.status != .fail else { return result }
            // The JVP against the function itself: a derivative formula that the JVP and the
            // VJP share agrees with itself above, but not with central differences here.
            let differences = directionalChecks(objective, argument: a, units: units[s], analytic: alongJVP[s])
            if differences.contains(where: { $0.status == .fail }) {
                var probed = summarize(differences, argument: argument, target: target, checked: probes)
                probed.method = .probes
                if analytic == nil { analytic = objective.analyticGradients() }
                let located = locateIfFailing(probed, objective, argument: a, analytic: analytic![a], target: target,
                                              what: "the forward mode (JVP) and the backward pass agree, but the JVP along the probe is")
                guard located.status != .kink else {
                    result.kinks += located.kinks
                    result.status = .kink
                    result.note = located.note
                    return result
                }
                return located
            }
            let kinks = differences.filter { $0.status == .kink }.count
            if kinks > 0 {
                result.kinks += kinks
                if result.status == .pass { result.status = .kink }
            }
            return result
        }
    }

    /// One probe of the dot-product test: `forward = ⟨J u, v⟩` against `backward = ⟨u, Jᵀ v⟩`,
    /// allowed ``dotProductTolerance`` times the Cauchy–Schwarz `scale` plus
    /// ``dotProductAbsoluteFloor`` times `sizes = ‖u‖·‖v‖`. NaN on either side fails.
    func dotProductProbe(_ k: Int, forward: Double, backward: Double, scale: Double, sizes: Double) -> ElementCheck {
        let err = Swift.abs(forward - backward)
        let allowed = dotProductTolerance * scale + Self.dotProductAbsoluteFloor * sizes
        let magnitude = Swift.max(Swift.abs(forward), Swift.abs(backward))
        return ElementCheck(
            flatIndex: k, index: [k], analytic: backward, numerical: forward,
            forwardDifference: forward, backwardDifference: forward, absoluteError: err,
            relativeError: magnitude == 0 ? (err == 0 ? 0 : .infinity) : err / magnitude,
            allowedError: allowed, status: err <= allowed ? .pass : .fail, truncationEstimate: nil)
    }

    func notChecked(_ argument: CheckArgument, target: String, note: String) -> TensorCheckResult {
        TensorCheckResult(
            target: target, parameter: argument.name, shape: argument.value.shape, method: .dotProduct,
            elementsChecked: 0, elementCount: argument.value.count, status: .fail,
            maxAbsoluteError: 0, maxRelativeError: 0, failures: 0, kinks: 0, worst: nil, failingElements: [],
            maxTruncationEstimate: nil, note: note)
    }

    static func normal(_ shape: [Int], _ rng: inout SeededRNG) -> Tensor<Double> {
        Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal() })
    }

    static func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a.scalars[i] * b.scalars[i] }
        return s
    }
}
