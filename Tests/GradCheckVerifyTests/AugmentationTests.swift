import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import GradCheckVerify
import Testing

/// Augmentation layers: decoding, identity outside training steps, seeded draws, and
/// VJPs checked by central differences in the training (augmenting) pass.
@Suite("Augmentation layers") struct AugmentationTests {
    static let image = [5, 4, 2]

    static func layer(_ json: String, shape: [Int] = image) throws -> AugmentationLayer {
        let spec = try ModelSpec.decode(json: """
            {"format": "gradcheck.model/1", "name": "a", "input_shape": \(shape), "layers": [\(json), {"type": "flatten"}],
             "loss": "mean_squared_error"}
            """)
        let model = try Model(spec: spec)
        return try #require(model.layers[0] as? AugmentationLayer)
    }

    static let all = [
        #"{"type": "random_flip"}"#,
        #"{"type": "random_translation", "height_factor": 0.3, "width_factor": [-0.2, 0.4]}"#,
        #"{"type": "random_translation", "height_factor": 0.3, "width_factor": 0.3, "fill_mode": "constant", "fill_value": 0.5}"#,
        #"{"type": "random_rotation", "factor": 0.2, "fill_mode": "wrap"}"#,
        #"{"type": "random_zoom", "height_factor": [-0.3, 0.3], "fill_mode": "nearest"}"#,
        #"{"type": "random_crop", "height": 3, "width": 3}"#,
        #"{"type": "random_contrast", "factor": 0.5}"#,
        #"{"type": "gaussian_noise", "stddev": 0.1}"#,
        #"{"type": "feature_dropout", "rate": 0.3}"#,
    ]

    static func input(batch: Int = 3, seed: UInt64 = 1) -> Tensor<Double> {
        var rng = SeededRNG(seed: seed)
        let n = batch * image.reduce(1, *)
        return Tensor(unchecked: [batch] + image, scalars: (0..<n).map { _ in rng.normal() })
    }

    static func output(_ layer: AugmentationLayer, _ x: Tensor<Double>, augments: Bool, seed: UInt64 = 7) -> Tensor<Double> {
        let tape = Tape<Double>(recording: false)
        var context = ForwardContext(training: true, seed: seed)
        context.augments = augments
        return tape.value(layer.forward(tape.constant(x), [], on: tape, context: context))
    }

    @Test(arguments: all) func identityOutsideTrainingStepsAndSeededInside(json: String) throws {
        let layer = try Self.layer(json)
        let x = Self.input()
        if layer.typeName != "random_crop" {
            #expect(Self.output(layer, x, augments: false).scalars == x.scalars)
        }
        let a = Self.output(layer, x, augments: true), b = Self.output(layer, x, augments: true)
        #expect(a.scalars == b.scalars)
        #expect(a.shape == [3] + layer.outputShape)
        let other = (8..<16).map { Self.output(layer, x, augments: true, seed: UInt64($0)).scalars }
        #expect(other.contains { $0 != a.scalars }, "the draw must depend on the step's seed")
        // The spec round-trips.
        let again = try ModelSpec.decode(json: JSONWriter.compact.string(for: try ModelSpec.decode(json: """
            {"format": "gradcheck.model/1", "name": "a", "input_shape": \(Self.image), "layers": [\(json)], "loss": "mean_squared_error"}
            """).jsonValue))
        #expect(again.layers[0].typeName == layer.typeName)
    }

    @Test(arguments: all) func trainingPassVJPMatchesCentralDifferences(json: String) throws {
        let layer = try Self.layer(json)
        let x = Self.input(batch: 2)
        var rng = SeededRNG(seed: 3)
        let outShape = [2] + layer.outputShape
        let r = Tensor<Double>(unchecked: outShape, scalars: (0..<outShape.reduce(1, *)).map { _ in rng.normal() })
        @Sendable func f(_ args: [Tensor<Double>]) -> Double {
            zip(Self.output(layer, args[0], augments: true).scalars, r.scalars).map(*).reduce(0, +)
        }
        @Sendable func g(_ args: [Tensor<Double>]) -> [Tensor<Double>] {
            let tape = Tape<Double>()
            var context = ForwardContext(training: true, seed: 7)
            context.augments = true
            let v = tape.variable(args[0])
            let y = layer.forward(v, [], on: tape, context: context)
            return tape.gradients(of: tape.sum(tape.multiply(y, tape.constant(r))), withRespectTo: [v])
        }
        let objective = ClosureObjective(arguments: [CheckArgument(name: "x", value: x)], function: f, gradient: g)
        let results = GradientChecker(tolerance: .float64).check(objective, target: layer.typeName)
        #expect(results.allSatisfy { $0.status != .fail }, "\(results.map { ($0.status, $0.maxAbsoluteError) })")
    }

    @Test func flipsAndCropsMovePixelsExactly() throws {
        let flip = try Self.layer(#"{"type": "random_flip", "mode": "horizontal"}"#)
        let x = Self.input(batch: 8)
        let y = Self.output(flip, x, augments: true)
        let per = Self.image.reduce(1, *)
        for b in 0..<8 {
            let xs = Array(x.scalars[(b * per)..<((b + 1) * per)]), ys = Array(y.scalars[(b * per)..<((b + 1) * per)])
            var mirrored = xs
            for r in 0..<5 { for c in 0..<4 { for k in 0..<2 { mirrored[(r * 4 + c) * 2 + k] = xs[(r * 4 + 3 - c) * 2 + k] } } }
            #expect(ys == xs || ys == mirrored)
        }
        let crop = try Self.layer(#"{"type": "random_crop", "height": 5, "width": 4}"#)
        #expect(Self.output(crop, x, augments: false).scalars == x.scalars)
    }

    @Test func badSpecsNameThePath() {
        func message(_ json: String, shape: [Int] = AugmentationTests.image) -> String {
            do { _ = try Self.layer(json, shape: shape); return "" } catch { return "\(error)" }
        }
        #expect(message(#"{"type": "random_rotation", "factor": 0.1, "fill_mode": "mirror"}"#).contains("layers[0].fill_mode"))
        #expect(message(#"{"type": "random_translation", "height_factor": 2, "width_factor": 0}"#).contains("layers[0].height_factor"))
        #expect(message(#"{"type": "random_crop", "height": 9, "width": 2}"#).contains("does not fit"))
        #expect(message(#"{"type": "random_flip"}"#, shape: [64]).contains("reshape"))
        #expect(message(#"{"type": "random_flip", "factor": 1}"#).contains("factor"))
    }

    @Test func theCheckerSeesTheIdentityAndTheReportSaysSo() throws {
        let spec = try ModelSpec.decode(json: """
            {"format": "gradcheck.model/1", "name": "aug", "input_shape": [16],
             "layers": [{"type": "reshape", "target_shape": [4, 4, 1]}, {"type": "random_rotation", "factor": 0.1},
                        {"type": "gaussian_noise", "stddev": 0.5}, {"type": "flatten"}, {"type": "dense", "units": 3}],
             "loss": {"type": "sparse_categorical_crossentropy", "from_logits": true}}
            """)
        let model = try Model(spec: spec)
        let note = try #require(model.augmentationCheckNote)
        #expect(note.contains("random_rotation_1 (random_rotation)") && note.contains("identity at check time"))
        let parameters: ParameterSet<Double> = model.initialParameters(seed: 0)
        var rng = SeededRNG(seed: 2)
        let inputs = Tensor<Double>(unchecked: [4, 16], scalars: (0..<64).map { _ in rng.normal() })
        let targets = try model.targets(from: Tensor<Double>(unchecked: [4], scalars: [0, 1, 2, 1]), batchSize: 4)
        let report = try ModelChecker().check(model, parameters: parameters, inputs: inputs, targets: targets)
        #expect(report.passed)
    }
}
