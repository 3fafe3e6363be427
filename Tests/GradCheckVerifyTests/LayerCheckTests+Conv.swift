import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// Convolution, pooling and embedding layers pass the verifier (every VJP against central
/// differences, float64), alone and combined, at random points and on real data; max
/// pooling ties are kinks, not failures.
@Suite struct ConvLayerCheckTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        return Tensor(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in scale * rng.normal() })
    }

    /// Non-zero biases, so that every term of a VJP matters.
    static func parameters(_ model: Model, seed: UInt64) -> ParameterSet<Double> {
        var set: ParameterSet<Double> = model.initialParameters(seed: seed)
        for (i, p) in model.parameters.enumerated() where p.name.hasSuffix("/bias") {
            set[p.name] = random(p.shape, seed: seed + UInt64(i), scale: 0.2)
        }
        return set
    }

    static func model(_ layers: String, input: [Int], loss: String = #""mean_squared_error""#) throws -> Model {
        try Model(spec: ModelSpec.decode(json: """
            {"name": "m", "input_shape": \(input), "layers": [\(layers)], "loss": \(loss)}
            """))
    }

    static func targets(_ model: Model, batch: Int, seed: UInt64) -> Targets<Double> {
        switch model.loss.spec.kind {
        case .sparseCategoricalCrossentropy:
            var rng = SeededRNG(seed: seed)
            return .labels((0..<batch).map { _ in rng.index(below: model.outputShape.last!) })
        default:
            return .values(random([batch] + model.outputShape, seed: seed))
        }
    }

    /// Checks `model` on a random batch (or `inputs`) and returns the report.
    static func check(_ model: Model, batch: Int = 3, inputs: Tensor<Double>? = nil) throws -> CheckReport {
        let x = inputs ?? random([batch] + model.inputShape, seed: 21)
        return try ModelChecker().check(model, parameters: parameters(model, seed: 4), inputs: x,
                                        targets: targets(model, batch: x.shape[0], seed: 5))
    }

    static func expectAllPass(_ report: CheckReport, _ comment: Comment? = nil) {
        #expect(report.passed, comment)
        for r in report.results where r.status != .pass {
            Issue.record("\(r.target) \(r.parameter): \(r.status) (\(r.failures) failures, \(r.kinks) kinks) \(comment?.description ?? "")")
        }
    }

    static let convCases: [String] = [
        #"{"type": "conv2d", "filters": 3, "kernel_size": 3}"#,
        #"{"type": "conv2d", "filters": 2, "kernel_size": [3, 2], "padding": "same", "activation": "tanh"}"#,
        #"{"type": "conv2d", "filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", "activation": "softplus", "use_bias": false}"#,
        #"{"type": "conv2d", "filters": 2, "kernel_size": [2, 3], "strides": [2, 3], "padding": "valid", "activation": "sigmoid", "kernel_regularizer": {"l2": 0.1}, "activity_regularizer": {"l1": 0.01}}"#,
        #"{"type": "conv2d", "filters": 3, "kernel_size": 4, "strides": [3, 1], "padding": "same", "activation": "softmax"}"#,
    ]

    @Test(arguments: convCases)
    func conv2DAloneAtRandomPoints(layer: String) throws {
        let m = try Self.model(layer, input: [7, 5, 2])
        Self.expectAllPass(try Self.check(m), "\(layer)")
    }

    static let poolingCases: [String] = [
        #"{"type": "max_pooling2d"}"#,
        #"{"type": "max_pooling2d", "pool_size": 3, "strides": [2, 1], "padding": "same"}"#,
        #"{"type": "average_pooling2d"}"#,
        #"{"type": "average_pooling2d", "pool_size": [3, 2], "strides": 2, "padding": "same"}"#,
        #"{"type": "global_average_pooling2d"}"#,
    ]

    @Test(arguments: poolingCases)
    func poolingAloneAtRandomPoints(layer: String) throws {
        // Random normal inputs: no max-pooling ties.
        let m = try Self.model(layer + #", {"type": "flatten"}"#, input: [7, 5, 2])
        Self.expectAllPass(try Self.check(m), "\(layer)")
    }

    @Test func embeddingAloneAndHasNoInputsArgument() throws {
        let m = try Self.model(#"{"type": "embedding", "input_dim": 6, "output_dim": 3, "embeddings_regularizer": {"l1": 0.01}}"#,
                               input: [4])
        var rng = SeededRNG(seed: 8)
        // Repeated ids, so the scatter-add sums several positions into one row.
        let ids = Tensor<Double>(unchecked: [3, 4], scalars: (0..<12).map { _ in Double(rng.index(below: 4)) })
        let report = try Self.check(m, inputs: ids)
        Self.expectAllPass(report)
        #expect(!report.results.contains { $0.parameter == "inputs" })
        #expect(Set(report.results.map(\.target)) == ["embedding_1", "model"])
        #expect(report.results.filter { $0.parameter == "embedding_1/embeddings" }.count == 2)
    }

    @Test func layersInCombination() throws {
        let m = try Self.model("""
            {"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same", "activation": "elu"},
            {"type": "max_pooling2d", "pool_size": 2, "padding": "same"},
            {"type": "conv2d", "filters": 4, "kernel_size": [2, 1], "strides": [1, 2], "activation": "tanh"},
            {"type": "average_pooling2d", "pool_size": [1, 2], "padding": "same"},
            {"type": "flatten"}, {"type": "dense", "units": 3, "activation": "softmax"}
            """, input: [7, 6, 2], loss: #""sparse_categorical_crossentropy""#)
        Self.expectAllPass(try Self.check(m, batch: 4))
        let sequence = try Self.model("""
            {"type": "embedding", "input_dim": 9, "output_dim": 4}, {"type": "flatten"},
            {"type": "dense", "units": 5, "activation": "tanh"}, {"type": "dense", "units": 3, "activation": "softmax"}
            """, input: [6], loss: #""sparse_categorical_crossentropy""#)
        var rng = SeededRNG(seed: 1)
        let ids = Tensor<Double>(unchecked: [4, 6], scalars: (0..<24).map { _ in Double(rng.index(below: 9)) })
        let report = try Self.check(sequence, inputs: ids)
        Self.expectAllPass(report)
        #expect(!report.results.contains { $0.target == "model" && $0.parameter == "inputs" })
        #expect(report.results.contains { $0.target == "dense_1" && $0.parameter == "inputs" })
    }

    @Test func maxPoolingTiesAreKinksNotFailures() throws {
        // Every 2x2 window holds its maximum twice: perturbing the winner up raises the
        // output, perturbing it down leaves the other copy as the maximum.
        let m = try Self.model(#"{"type": "max_pooling2d"}, {"type": "flatten"}, {"type": "dense", "units": 2}"#, input: [4, 4, 1])
        var x = Self.random([2, 4, 4, 1], seed: 3)
        for b in 0..<2 {
            for wi in 0..<2 { for wj in 0..<2 {
                let top = b * 16 + (2 * wi) * 4 + 2 * wj
                x.scalars[top] = 5 + Double(wi * 2 + wj)
                x.scalars[top + 5] = x.scalars[top]  // the diagonal neighbour ties
            } }
        }
        let report = try Self.check(m, inputs: x)
        #expect(report.passed)
        let layer = try #require(report.results.first { $0.target == "max_pooling2d_1" && $0.parameter == "inputs" })
        #expect(layer.status == .kink)
        #expect(layer.failures == 0)
        #expect(layer.kinks == 16)
        let whole = try #require(report.results.first { $0.target == "model" && $0.parameter == "inputs" })
        #expect(whole.status == .kink)
        #expect(whole.failures == 0)
    }

    @Test func digitsCNNPassesOnARealBatch() throws {
        let root = Self.packageRoot
        let spec = try ModelSpec.load(path: root.appendingPathComponent("Fixtures/specs/digits-cnn.json").path)
        let model = try Model(spec: spec)
        #expect(model.parameters.reduce(0) { $0 + $1.count } == 1370)
        let table = try CSVTable.load(path: root.appendingPathComponent("Fixtures/data/digits.csv").path)
        let (features, labels, _) = try table.split(label: "label")
        let standardized = Standardizer(fitting: features).transform(features)
        let rows = [0, 100, 500, 1000]
        let x = Tensor<Double>(unchecked: [4, 8, 8, 1], scalars: rows.flatMap { standardized[$0] })
        let report = try ModelChecker().check(model, parameters: model.initialParameters(seed: 0), inputs: x,
                                              targets: .labels(rows.map { Int(labels[$0]) }))
        #expect(report.passed)
        for r in report.results where r.status == .fail { Issue.record("\(r.target) \(r.parameter) fails") }
        #expect(report.elementsChecked > 5000)
    }

    @Test func modelObjectiveDeltasMatchFullRecomputation() throws {
        // The conv fast path and the embedding's missing `inputs` argument, against the
        // loss recomputed from scratch.
        let cases: [(Model, Tensor<Double>, Targets<Double>)] = [
            (try Self.model("""
                {"type": "conv2d", "filters": 3, "kernel_size": 2, "padding": "same", "activation": "tanh", "kernel_regularizer": {"l2": 0.1}},
                {"type": "max_pooling2d"}, {"type": "flatten"}, {"type": "dense", "units": 3, "activation": "softmax"}
                """, input: [4, 5, 2], loss: #""sparse_categorical_crossentropy""#),
             Self.random([3, 4, 5, 2], seed: 2), .labels([0, 2, 1])),
            (try Self.model("""
                {"type": "embedding", "input_dim": 5, "output_dim": 2}, {"type": "flatten"},
                {"type": "dense", "units": 3, "activation": "softmax"}
                """, input: [3], loss: #""sparse_categorical_crossentropy""#),
             Tensor(unchecked: [2, 3], scalars: [0, 4, 4, 1, 2, 0]), .labels([1, 2])),
        ]
        for (model, x, y) in cases {
            let params = try model.orderedTensors(Self.parameters(model, seed: 6))
            let context = ForwardContext(training: true)
            let objective = ModelObjective(model: model, parameters: params, inputs: x, targets: y, context: context)
            let trainable = model.parameters.indices.filter { model.parameters[$0].trainable }
            let offset = model.takesIndices ? 0 : 1
            #expect(objective.arguments.count == trainable.count + offset)
            #expect(objective.analyticGradients().count == objective.arguments.count)
            func fullLoss(_ p: [Tensor<Double>], _ inputs: Tensor<Double>) -> Double {
                let tape = Tape<Double>(recording: false)
                let l = model.loss(input: tape.constant(inputs), parameters: p.map { tape.constant($0) }, targets: y,
                                   on: tape, context: context)
                return tape.value(l).scalar
            }
            let base = fullLoss(params, x)
            for argument in 0..<objective.arguments.count {
                let n = objective.arguments[argument].value.count
                let elements = Array(stride(from: 0, to: n, by: max(1, n / 6)))
                let values = elements.map { objective.arguments[argument].value.scalars[$0] + 0.01 }
                let fast = objective.deltas(argument: argument, elements: elements, values: values)
                for (k, e) in elements.enumerated() {
                    var p = params, inputs = x
                    if argument < offset { inputs.scalars[e] = values[k] } else { p[trainable[argument - offset]].scalars[e] = values[k] }
                    let slow = fullLoss(p, inputs) - base
                    #expect(abs(fast[k] - slow) < 1e-12, "\(objective.arguments[argument].name) element \(e)")
                }
            }
        }
    }
}
