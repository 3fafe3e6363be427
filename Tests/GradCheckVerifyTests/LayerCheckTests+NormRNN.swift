import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// Batch and layer normalisation, residual blocks and the recurrent layers pass the
/// verifier (every VJP against central differences, float64), alone and combined.
@Suite struct NormRNNLayerCheckTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in scale * rng.normal() })
    }

    /// Non-default scale and shift (and moving statistics), so every term of a VJP matters.
    static func perturbedParameters(_ model: Model, seed: UInt64) -> ParameterSet<Double> {
        var set: ParameterSet<Double> = model.initialParameters(seed: seed)
        for (i, p) in model.parameters.enumerated() {
            let name = p.name
            if name.hasSuffix("/gamma") {
                set[name] = random(p.shape, seed: seed + UInt64(i), scale: 0.3).map { 1 + $0 }
            } else if name.hasSuffix("/beta") || name.hasSuffix("/moving_mean") || name.hasSuffix("/bias") {
                set[name] = random(p.shape, seed: seed + UInt64(i), scale: 0.2)
            } else if name.hasSuffix("/moving_variance") {
                set[name] = random(p.shape, seed: seed + UInt64(i), scale: 0.3).map { 1 + abs($0) }
            }
        }
        return set
    }

    /// Checks `layers` in a model with `loss`, on a random batch, and returns the report.
    func check(_ layers: [any Layer], inputShape: [Int], batch: Int = 4, loss: LossSpec,
               targets: (Model) -> Targets<Double>) throws -> CheckReport {
        let model = try Model(name: "m", inputShape: inputShape, layers: layers, loss: loss)
        let x = Self.random([batch] + inputShape, seed: 17)
        return try ModelChecker().check(model, parameters: Self.perturbedParameters(model, seed: 3), inputs: x,
                                        targets: targets(model))
    }

    func expectAllPass(_ report: CheckReport, _ comment: Comment? = nil) {
        #expect(report.passed, comment)
        for r in report.results where r.status != .pass {
            Issue.record("\(r.target) \(r.parameter): \(r.status), worst \(String(describing: r.worst))")
        }
    }

    static let classes = LossSpec(kind: .sparseCategoricalCrossentropy)
    static let mse = LossSpec(kind: .meanSquaredError)

    func labels(_ batch: Int, _ classes: Int) -> Targets<Double> {
        .labels((0..<batch).map { $0 % classes })
    }

    @Test func batchNormalizationPasses() throws {
        let report = try check([
            DenseLayer(name: "d1", spec: DenseSpec(units: 5, activation: .tanh), inputShape: [4]),
            BatchNormalizationLayer(name: "bn", inputShape: [5]),
            DenseLayer(name: "d2", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [5]),
        ], inputShape: [4], batch: 6, loss: Self.classes) { _ in labels(6, 3) }
        expectAllPass(report)
        // Moving statistics are state: never checked.
        #expect(!report.results.contains { $0.parameter.hasSuffix("moving_mean") || $0.parameter.hasSuffix("moving_variance") })
        #expect(report.results.contains { $0.target == "bn" && $0.parameter == "inputs" })
        #expect(report.results.contains { $0.target == "model" && $0.parameter == "bn/gamma" })
    }

    /// On `[timesteps, features]` the statistics run over batch and time; scale-only and
    /// center-only variants drop a parameter.
    @Test func batchNormalizationOnSequencesAndVariantsPass() throws {
        for (center, scale) in [(true, true), (false, true), (true, false)] {
            let report = try check([
                BatchNormalizationLayer(name: "bn", inputShape: [3, 4], center: center, scale: scale),
                DenseLayer(name: "d", spec: DenseSpec(units: 2), inputShape: [3, 4]),
            ], inputShape: [3, 4], batch: 3, loss: Self.mse) { m in .values(Self.random([3] + m.outputShape, seed: 8)) }
            expectAllPass(report, "center \(center) scale \(scale)")
        }
    }

    /// Inference mode (moving statistics), checked as a layer on its own: the VJP of the
    /// normalisation with given statistics.
    @Test func batchNormalizationInferencePasses() throws {
        let bn = BatchNormalizationLayer(name: "bn", inputShape: [3])
        let model = try Model(name: "m", inputShape: [3], layers: [bn], loss: Self.mse)
        let p = try model.orderedTensors(Self.perturbedParameters(model, seed: 5))
        let objective = LayerObjective(layer: bn, parameters: p, input: Self.random([4, 3], seed: 1),
                                       context: ForwardContext(training: false), seed: 2)
        let results = GradientChecker().check(objective, target: "bn")
        #expect(results.map(\.parameter) == ["inputs", "bn/gamma", "bn/beta"])
        #expect(results.allSatisfy { $0.status == .pass })
    }

    /// The moving mean and variance enter the inference op as differentiable inputs; their
    /// VJPs are right too (a trainer never uses them, a custom layer might).
    @Test func normalizeWithStatisticsVJPIsRight() {
        let x = Self.random([5, 3], seed: 1)
        let args = [CheckArgument(name: "x", value: x),
                    CheckArgument(name: "mean", value: Self.random([3], seed: 2)),
                    CheckArgument(name: "variance", value: Self.random([3], seed: 3).map { 0.5 + abs($0) }),
                    CheckArgument(name: "gamma", value: Self.random([3], seed: 4)),
                    CheckArgument(name: "beta", value: Self.random([3], seed: 5))]
        let projection = Self.random([5, 3], seed: 6)
        let f: @Sendable ([Tensor<Double>]) -> Double = { v in
            let tape = Tape<Double>(recording: false)
            let c = v.map { tape.constant($0) }
            let y = tape.normalize(c[0], mean: c[1], variance: c[2], gamma: c[3], beta: c[4], epsilon: 1e-3)
            return zip(tape.value(y).scalars, projection.scalars).map(*).reduce(0, +)
        }
        let g: @Sendable ([Tensor<Double>]) -> [Tensor<Double>] = { v in
            let tape = Tape<Double>()
            let c = v.map { tape.variable($0) }
            let y = tape.normalize(c[0], mean: c[1], variance: c[2], gamma: c[3], beta: c[4], epsilon: 1e-3)
            return tape.gradients(of: y, seed: projection, withRespectTo: c)
        }
        let results = GradientChecker().check(ClosureObjective(arguments: args, function: f, gradient: g), target: "normalize")
        #expect(results.count == 5)
        #expect(results.allSatisfy { $0.status == .pass })
    }

    /// The slice and stack ops on their own: columns, concatenation, time-step select and
    /// stack, composed so that every input reaches the output through each op.
    @Test func sliceOpVJPsAreRight() {
        let args = [CheckArgument(name: "a", value: Self.random([2, 3, 5], seed: 1)),
                    CheckArgument(name: "b", value: Self.random([2, 4], seed: 2))]
        let projection = Self.random([2, 3, 6], seed: 3)
        @Sendable func build(_ tape: Tape<Double>, _ v: [Variable<Double>]) -> Variable<Double> {
            var steps: [Variable<Double>] = []
            for t in 0..<3 {
                let step = tape.timeStep(v[0], t)                                          // [2, 5]
                let left = tape.columns(step, 1..<3)                                       // [2, 2]
                let joined = tape.concatenateColumns([left, tape.columns(v[1], t..<(t + 1)), tape.columns(step, 0..<3)])
                steps.append(tape.multiply(joined, joined))                                // [2, 6]
            }
            return tape.stackTimeSteps(steps)                                              // [2, 3, 6]
        }
        let f: @Sendable ([Tensor<Double>]) -> Double = { v in
            let tape = Tape<Double>(recording: false)
            let y = build(tape, v.map { tape.constant($0) })
            return zip(tape.value(y).scalars, projection.scalars).map(*).reduce(0, +)
        }
        let g: @Sendable ([Tensor<Double>]) -> [Tensor<Double>] = { v in
            let tape = Tape<Double>()
            let c = v.map { tape.variable($0) }
            return tape.gradients(of: build(tape, c), seed: projection, withRespectTo: c)
        }
        let results = GradientChecker().check(ClosureObjective(arguments: args, function: f, gradient: g), target: "slices")
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.status == .pass })
        // Column 4 of `a` and column 3 of `b` never reach the output: zero gradient.
        let grads = g(args.map(\.value))
        #expect(stride(from: 4, to: 30, by: 5).allSatisfy { grads[0].scalars[$0] == 0 })
        #expect(grads[1].scalars[3] == 0 && grads[1].scalars[7] == 0)
    }

    /// Batch and layer normalisation ops without scale or shift, and with stacked groups.
    @Test func normalizationOpVJPsAreRight() {
        let args = [CheckArgument(name: "x", value: Self.random([6, 4], seed: 1, scale: 2))]
        let projection = Self.random([6, 4], seed: 2)
        for op in 0..<3 {
            let f: @Sendable ([Tensor<Double>]) -> Double = { v in
                let tape = Tape<Double>(recording: false)
                let x = tape.constant(v[0])
                let y = op == 0 ? tape.batchNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3, groups: 2)
                    : op == 1 ? tape.batchNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3, groups: 3)
                    : tape.layerNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3)
                return zip(tape.value(y).scalars, projection.scalars).map(*).reduce(0, +)
            }
            let g: @Sendable ([Tensor<Double>]) -> [Tensor<Double>] = { v in
                let tape = Tape<Double>()
                let x = tape.variable(v[0])
                let y = op == 0 ? tape.batchNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3, groups: 2)
                    : op == 1 ? tape.batchNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3, groups: 3)
                    : tape.layerNormalization(x, gamma: nil, beta: nil, epsilon: 1e-3)
                return tape.gradients(of: y, seed: projection, withRespectTo: [x])
            }
            let results = GradientChecker().check(ClosureObjective(arguments: args, function: f, gradient: g), target: "op \(op)")
            #expect(results.allSatisfy { $0.status == .pass }, "op \(op)")
        }
    }

    @Test func layerNormalizationPasses() throws {
        let report = try check([
            DenseLayer(name: "d1", spec: DenseSpec(units: 5, activation: .tanh), inputShape: [2, 4]),
            LayerNormalizationLayer(name: "ln", inputShape: [2, 5]),
            ReshapeLayer(name: "flatten", typeName: "flatten", inputShape: [2, 5], outputShape: [10]),
            DenseLayer(name: "d2", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [10]),
        ], inputShape: [2, 4], loss: Self.classes) { _ in labels(4, 3) }
        expectAllPass(report)
    }

    @Test func residualBlocksPass() throws {
        let block = try ResidualLayer(name: "res", inputShape: [4], layers: [
            DenseLayer(name: "r1", spec: DenseSpec(units: 6, activation: .tanh), inputShape: [4]),
            LayerNormalizationLayer(name: "ln", inputShape: [6]),
            DenseLayer(name: "r2", spec: DenseSpec(units: 4), inputShape: [6]),
        ])
        let withBN = try ResidualLayer(name: "res_bn", inputShape: [4], layers: [
            DenseLayer(name: "b1", spec: DenseSpec(units: 4, activation: .tanh), inputShape: [4]),
            BatchNormalizationLayer(name: "bn", inputShape: [4]),
        ])
        let report = try check([
            DenseLayer(name: "d1", spec: DenseSpec(units: 4, activation: .tanh), inputShape: [3]),
            block, withBN,
            DenseLayer(name: "d2", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [4]),
        ], inputShape: [3], batch: 5, loss: Self.classes) { _ in labels(5, 3) }
        expectAllPass(report)
        // Inner parameters are reported under their own names, for the block and the model.
        for target in ["res", "model"] {
            #expect(report.results.contains { $0.target == target && $0.parameter == "r1/kernel" })
        }
        #expect(report.results.contains { $0.target == "res_bn" && $0.parameter == "bn/gamma" })
    }

    @Test func recurrentLayersPass() throws {
        let makers: [(String, (Bool) throws -> any Layer)] = [
            ("simple_rnn", { try SimpleRNNLayer(name: "rnn", inputShape: [5, 3], units: 4, returnSequences: $0) }),
            ("lstm", { try LSTMLayer(name: "lstm", inputShape: [5, 3], units: 4, returnSequences: $0) }),
            ("gru", { try GRULayer(name: "gru", inputShape: [5, 3], units: 4, returnSequences: $0) }),
        ]
        for (type, make) in makers {
            for sequences in [false, true] {
                let layer = try make(sequences)
                let head = DenseLayer(name: "head", spec: DenseSpec(units: 2), inputShape: layer.outputShape)
                let report = try check([layer, head], inputShape: [5, 3], batch: 3, loss: Self.mse) { m in
                    .values(Self.random([3] + m.outputShape, seed: 12))
                }
                expectAllPass(report, "\(type) return_sequences \(sequences)")
                #expect(report.results.filter { $0.target == "model" }.count == 6)  // inputs, 3 + 2 parameters
            }
        }
    }

    /// Stacked recurrent layers, non-default activations, no bias, regularisers.
    @Test func stackedRecurrentLayersWithOptionsPass() throws {
        let report = try check([
            try GRULayer(name: "gru", inputShape: [4, 2], units: 3, activation: .elementwise(.softsign),
                         returnSequences: true, kernelRegularizer: Regularizer(l2: 0.01)),
            try LSTMLayer(name: "lstm", inputShape: [4, 3], units: 3, recurrentActivation: .elementwise(.hardSigmoid),
                          useBias: false, returnSequences: true, activityRegularizer: Regularizer(l2: 0.1)),
            try SimpleRNNLayer(name: "rnn", inputShape: [4, 3], units: 2, activation: .elementwise(.sigmoid),
                               recurrentRegularizer: Regularizer(l1: 0.01)),
            DenseLayer(name: "out", spec: DenseSpec(units: 3, activation: .softmax), inputShape: [2]),
        ], inputShape: [4, 2], batch: 3, loss: Self.classes) { _ in labels(3, 3) }
        // hard_sigmoid has kinks at ±3; none is hit at this point, but allow a kink verdict.
        #expect(report.passed)
        #expect(report.results.allSatisfy { $0.status != .fail })
    }

    /// Batch normalisation after a recurrent layer: the stacked copies the verifier feeds
    /// downstream of a perturbed LSTM weight are normalised copy by copy.
    @Test func recurrentThenBatchNormalizationPasses() throws {
        let report = try check([
            try LSTMLayer(name: "lstm", inputShape: [4, 2], units: 3, returnSequences: true),
            BatchNormalizationLayer(name: "bn", inputShape: [4, 3]),
            try SimpleRNNLayer(name: "rnn", inputShape: [4, 3], units: 2),
            DenseLayer(name: "out", spec: DenseSpec(units: 1), inputShape: [2]),
        ], inputShape: [4, 2], batch: 4, loss: Self.mse) { m in .values(Self.random([4, 1], seed: 2)) }
        expectAllPass(report)
    }

    // MARK: Fixtures

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ path: String) -> String { packageRoot.appendingPathComponent("Fixtures/" + path).path }

    /// The specs whose references `Scripts/reference/generate_norm_rnn.py` writes.
    static let referenced = ["bn-tiny", "ln-tiny", "residual-tiny", "rnn-tiny", "lstm-tiny", "gru-tiny",
                             "lstm-sequences", "mlp-batchnorm", "adding-lstm", "adding-rnn"]

    /// Gradients (inputs included) and loss match the PyTorch float64 reference to 1e-9
    /// relative, and the verifier passes at the reference point.
    @Test(arguments: referenced)
    func fixtureMatchesPyTorchAndPassesTheCheck(name: String) throws {
        let model = try Model(spec: ModelSpec.load(path: Self.fixture("specs/\(name).json")))
        let weights = try WeightsFile.load(path: Self.fixture("reference/\(name)/weights.json"))
        let batch = try BatchFile.load(path: Self.fixture("reference/\(name)/batch.json"))
        let reference = try GradientsFile.load(path: Self.fixture("reference/\(name)/gradients.json"))
        let parameters = ParameterSet<Double>(weights.parameters)
        let tensors = try model.orderedTensors(parameters)
        let targets = try model.targets(from: batch.targets, batchSize: batch.batchSize)
        let ours = model.lossAndGradients(parameters: tensors, inputs: batch.inputs, targets: targets,
                                          context: ForwardContext(training: true))
        func matches(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 + 1e-9 * max(abs($0), abs($1)) }
        }
        #expect(matches([ours.loss], [reference.loss]), "loss \(ours.loss) vs \(reference.loss)")
        #expect(Set(reference.names) == Set(model.trainableParameters.map(\.name)))
        for name in reference.names {
            let r = try #require(reference[name])
            let o = try #require(ours.parameters[name])
            #expect(o.shape == r.shape && matches(o.scalars, r.scalars), "\(name)")
        }
        let inputs = try #require(reference.inputs)
        #expect(matches(ours.inputs.scalars, inputs.scalars), "inputs")
        // The large MLP is sampled; the rest is checked element by element.
        let checker = ModelChecker(checker: GradientChecker(maxElements: name == "mlp-batchnorm" ? 300 : nil))
        let report = try checker.check(model, parameters: parameters, inputs: batch.inputs, targets: targets)
        expectAllPass(report)
    }

    /// The sequence example at a real operating point: a batch of rows of
    /// `Fixtures/data/adding.csv` (standardised), as `gradcheck check --data` takes it.
    @Test(arguments: ["adding-lstm", "adding-rnn"])
    func addingProblemPassesOnRealData(name: String) throws {
        let model = try Model(spec: ModelSpec.load(path: Self.fixture("specs/\(name).json")))
        let table = try CSVTable.load(path: Self.fixture("data/adding.csv"))
        let (features, labels, _) = try table.split(label: "label", file: nil)
        #expect(features.count == 1000 && features[0].count == 20)
        // Row-major [t, f]: the label is the sum of the values whose marker is 1.
        for (row, label) in zip(features.prefix(50), labels) {
            let marked = stride(from: 0, to: 20, by: 2).filter { row[$0 + 1] == 1 }.map { row[$0] }
            #expect(marked.count == 2 && abs(marked.reduce(0, +) - label) < 1e-9)
        }
        let standardized = Standardizer(fitting: features).transform(features)
        let rows = Array(0..<8)
        let inputs = Tensor<Double>(unchecked: [rows.count, 10, 2], scalars: rows.flatMap { standardized[$0] })
        let targets = Targets<Double>.values(Tensor(unchecked: [rows.count, 1], scalars: rows.map { labels[$0] }))
        let parameters: ParameterSet<Double> = model.initialParameters(seed: 7)
        expectAllPass(try ModelChecker().check(model, parameters: parameters, inputs: inputs, targets: targets))
    }

    /// The issue's figure: a full check of an LSTM with about 1k parameters on a batch of
    /// 4 sequences of 10 steps: seconds at most, in release.
    @Test func lstmFullCheckIsFast() throws {
        let lstm = try LSTMLayer(name: "lstm", inputShape: [10, 2], units: 14)
        let model = try Model(name: "lstm-1k", inputShape: [10, 2], layers: [
            lstm, DenseLayer(name: "out", spec: DenseSpec(units: 1), inputShape: [14]),
        ], loss: Self.mse)
        let count = model.parameters.reduce(0) { $0 + $1.count }
        #expect(count >= 900 && count <= 1100)
        let x = Self.random([4, 10, 2], seed: 1)
        let start = Date()
        let report = try ModelChecker().check(model, parameters: Self.perturbedParameters(model, seed: 4), inputs: x,
                                              targets: .values(Self.random([4, 1], seed: 2)))
        let seconds = Date().timeIntervalSince(start)
        expectAllPass(report)
        print("lstm full check: \(count) parameters, \(report.elementsChecked) elements, \(String(format: "%.2f", seconds)) s")
        // 0.2 s on two cores in release; a debug build is about 80 times slower and is not timed.
        if !_isDebugAssertConfiguration() { #expect(seconds < 10) }
    }
}
