import Foundation
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import GradCheckTraining

/// Fixture paths and small builders shared by the training tests.
enum Fixture {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func spec(_ name: String) -> String { root.appendingPathComponent("Fixtures/specs/\(name).json").path }
    static func dataset(_ name: String) -> String { root.appendingPathComponent("Fixtures/data/\(name)").path }

    static func model(_ name: String) throws -> Model {
        try Model(spec: ModelSpec.load(path: spec(name)), file: spec(name))
    }

    /// A model from spec JSON text.
    static func model(json: String) throws -> Model {
        try Model(spec: ModelSpec.decode(JSONParser.parse(Array(json.utf8))))
    }

    /// A small MLP spec: `inputs` → hidden (relu) → `classes` (softmax), sparse CE.
    static func mlpJSON(inputs: Int, hidden: Int = 8, classes: Int = 3, extraLayer: String = "",
                        loss: String = "\"sparse_categorical_crossentropy\"", lastActivation: String = "softmax") -> String {
        """
        {"name": "tiny", "input_shape": [\(inputs)],
         "layers": [{"type": "dense", "units": \(hidden), "activation": "relu"}\(extraLayer),
                    {"type": "dense", "units": \(classes), "activation": "\(lastActivation)"}],
         "loss": \(loss)}
        """
    }

    /// A dataset of three well-separated Gaussian blobs in `features` dimensions.
    static func blobs(count: Int, features: Int = 4, classes: Int = 3, seed: UInt64 = 1) -> Dataset {
        var rng = SeededRNG(seed: seed)
        var x: [Double] = [], y: [Double] = []
        for i in 0..<count {
            let c = i % classes
            for j in 0..<features { x.append(rng.normal() * 0.5 + (j % classes == c ? 2 : 0)) }
            y.append(Double(c))
        }
        return Dataset(sampleShape: [features], inputs: x, targetShape: [], targets: y, targetsAreLabels: true)
    }
}

/// An observer that keeps what it sees.
final class RecordingObserver: TrainingObserver {
    var activations = false
    var updates = false
    var began: TrainingRun?
    var steps: [(step: Int, loss: Double, gradNorm: Double, applied: Bool, findings: [NonfiniteOrigin], updateNorms: [Double]?,
                 activationLayers: [String]?)] = []
    var epochs: [EpochRecord] = []
    var ended: TrainingEnd?
    var stopAtStep: Int?

    var wantsActivations: Bool { activations }
    var wantsUpdates: Bool { updates }
    func trainingWillBegin(_ run: TrainingRun) { began = run }
    func trainingDidStep<S: TensorScalar>(_ step: StepRecord<S>) -> ObserverDecision {
        steps.append((step.step, step.loss, step.gradNorm, step.applied, step.nonFinite,
                      step.updates.map { $0.map { Double($0.norm()) } }, step.activations.map { $0.map(\.layer) }))
        if let stopAtStep, step.step == stopAtStep { return .stop(.interrupted, reason: "test stop") }
        return .proceed
    }
    func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision {
        epochs.append(epoch)
        return .proceed
    }
    func trainingDidEnd(_ end: TrainingEnd) { ended = end }
}
