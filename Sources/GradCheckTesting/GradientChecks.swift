import GradCheck
#if canImport(_Differentiation)
import _Differentiation
#endif

/// The checks behind the assertions: each returns the results, whatever the framework.
public enum GradientChecks {
    /// Checks a layer on its own at a seeded random input of `batchSize` samples and
    /// seeded parameters (from its descriptors' initialisers): `Σ y ⊙ R` for a random `R`.
    public static func layer(
        _ layer: some Layer, batchSize: Int = 4, seed: UInt64 = 0, checker: GradientChecker = GradientChecker()
    ) -> [TensorCheckResult] {
        var rng = SeededRNG(seed: seed, name: "input|\(layer.name)")
        let count = batchSize * layer.inputShape.reduce(1, *)
        let input = Tensor<Double>(unchecked: [batchSize] + layer.inputShape, scalars: (0..<count).map { _ in rng.normal() })
        let parameters: [Tensor<Double>] = layer.parameters.map { p in
            var prng = SeededRNG(seed: seed, name: p.name)
            return p.initializer.makeTensor(shape: p.shape, rng: &prng)
        }
        let objective = LayerObjective(layer: layer, parameters: parameters, input: input,
                                       context: ForwardContext(training: true, seed: seed), seed: seed)
        return checker.check(objective, target: layer.name)
    }

    /// Checks an op given as a forward function and its VJP, at `inputs`: the function
    /// checked is `Σ forward(x) ⊙ R` for a seeded random `R`, whose gradient is `vjp(x, R)`.
    public static func op(
        forward: @escaping @Sendable ([Tensor<Double>]) -> Tensor<Double>,
        vjp: @escaping @Sendable ([Tensor<Double>], Tensor<Double>) -> [Tensor<Double>],
        at inputs: [Tensor<Double>], names: [String]? = nil, target: String = "op", seed: UInt64 = 0,
        checker: GradientChecker = GradientChecker()
    ) -> [TensorCheckResult] {
        let y = forward(inputs)
        var rng = SeededRNG(seed: seed, name: "projection|\(target)")
        let projection = Tensor<Double>(unchecked: y.shape, scalars: (0..<y.count).map { _ in rng.normal() })
        let argumentNames = names ?? inputs.indices.map { "input\($0)" }
        let objective = ClosureObjective(
            arguments: zip(argumentNames, inputs).map { CheckArgument(name: $0, value: $1) },
            function: { x in zip(forward(x).scalars, projection.scalars).reduce(0) { $0 + $1.0 * $1.1 } },
            gradient: { x in vjp(x, projection) })
        return checker.check(objective, target: target)
    }

    /// Checks a model spec file: every layer and the whole model, on a seeded random batch
    /// (or the given weights and batch files).
    ///
    /// - Throws: `SpecError` or `ModelError` for a bad file.
    public static func spec(
        path: String, weights: String? = nil, batch: String? = nil, batchSize: Int = 4, seed: UInt64 = 0,
        checker: GradientChecker = GradientChecker()
    ) throws -> CheckReport {
        let model = try Model(spec: ModelSpec.load(path: path), file: path)
        let parameters: ParameterSet<Double>
        if let weights { parameters = ParameterSet(try WeightsFile.load(path: weights).parameters) } else {
            parameters = model.initialParameters(seed: seed)
        }
        let inputs: Tensor<Double>, targets: Targets<Double>
        if let batch {
            let file = try BatchFile.load(path: batch)
            inputs = file.inputs
            targets = try model.targets(from: file.targets, batchSize: file.batchSize, file: batch)
        } else {
            (inputs, targets) = randomBatch(model, batchSize: batchSize, seed: seed)
        }
        return try ModelChecker(checker: checker, seed: seed).check(model, parameters: parameters, inputs: inputs, targets: targets)
    }

    /// A seeded batch that fits the model's input and loss.
    public static func randomBatch(_ model: Model, batchSize: Int, seed: UInt64) -> (Tensor<Double>, Targets<Double>) {
        var rng = SeededRNG(seed: seed, name: "random batch")
        let x = Tensor<Double>(unchecked: [batchSize] + model.inputShape,
                               scalars: (0..<(batchSize * model.inputShape.reduce(1, *))).map { _ in rng.normal() })
        let classes = model.outputShape.last ?? 1
        let positions = batchSize * model.outputShape.dropLast().reduce(1, *)
        if model.loss.takesLabels {
            return (x, .labels((0..<positions).map { _ in rng.index(below: classes) }))
        }
        var values = [Double](repeating: 0, count: positions * classes)
        switch model.loss.spec.kind {
        case .categoricalCrossentropy:
            for p in 0..<positions { values[p * classes + rng.index(below: classes)] = 1 }
        case .binaryCrossentropy:
            for i in values.indices { values[i] = Double(rng.index(below: 2)) }
        default:
            for i in values.indices { values[i] = rng.normal() }
        }
        return (x, .values(Tensor(unchecked: [batchSize] + model.outputShape, scalars: values)))
    }

    #if canImport(_Differentiation)
    /// Checks a Swift `@differentiable(reverse)` function (its derivative, built-in or a
    /// custom `@derivative(of:)`) at `x`.
    public static func differentiable<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, name: String = "x",
        checker: GradientChecker = GradientChecker()
    ) -> [TensorCheckResult] where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        [checker.check(f, at: x, name: name)]
    }

    /// The dot-product test of a Swift `@differentiable(reverse)` function at `x`: its
    /// differential against its pullback, `probes` random pairs
    /// (``GradientChecker/dotProductCheck(_:at:probes:name:target:)``; `f` needs a
    /// differential, see there).
    public static func differentiableDotProduct<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4, name: String = "x",
        checker: GradientChecker = GradientChecker()
    ) -> [TensorCheckResult] where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        [checker.dotProductCheck(f, at: x, probes: probes, name: name)]
    }

    /// The Taylor convergence test of a Swift `@differentiable(reverse)` function at `x`:
    /// `checker` in ``CheckMode/taylor(probes:)`` mode, `probes` random directions.
    public static func differentiableTaylor<T>(
        _ f: @escaping @differentiable(reverse) (T) -> Double, at x: T, probes: Int = 4, name: String = "x",
        checker: GradientChecker = GradientChecker()
    ) -> [TensorCheckResult] where T: Differentiable & ScalarFlattenable, T.TangentVector: ScalarFlattenable {
        var taylor = checker
        taylor.mode = .taylor(probes: probes)
        return [taylor.check(f, at: x, name: name)]
    }
    #endif
}
