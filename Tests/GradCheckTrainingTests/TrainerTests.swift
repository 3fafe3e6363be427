import Foundation
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

struct TrainerTests {
    func tinyModel(dropout: Bool = false, activity: Bool = false) throws -> Model {
        let extra = dropout ? ", {\"type\": \"dropout\", \"rate\": 0.3}" : ""
        var json = Fixture.mlpJSON(inputs: 4, hidden: 8, classes: 3, extraLayer: extra)
        if activity {
            json = json.replacingOccurrences(of: "\"activation\": \"relu\"}",
                                             with: "\"activation\": \"relu\", \"activity_regularizer\": {\"l1\": 0.01}, \"kernel_regularizer\": {\"l2\": 0.02}}")
        }
        return try Fixture.model(json: json)
    }

    @Test func lossAndGradientsMatchTheModel() throws {
        let model = try tinyModel(dropout: true, activity: true)
        let data = Fixture.blobs(count: 16)
        let trainer = try Trainer<Double>(model: model, configuration: TrainingConfiguration(seed: 3))
        let (x, y) = data.batch(0..<16, as: Double.self)
        let context = ForwardContext(training: true, seed: 11)
        let ours = trainer.lossAndGradients(inputs: x, targets: y, context: context)
        let reference = model.lossAndGradients(parameters: try model.orderedTensors(trainer.parameters), inputs: x,
                                               targets: y, context: context)
        #expect(abs(ours.loss - reference.loss) <= 1e-14 * abs(reference.loss))
        #expect(ours.gradients.names == reference.parameters.names)
        for (a, b) in zip(ours.gradients.tensors, reference.parameters.tensors) {
            for (u, v) in zip(a.scalars, b.scalars) { #expect(abs(u - v) <= 1e-13 * max(1, abs(v))) }
        }
    }

    @Test func sameSeedSameNumbersOtherSeedOtherNumbers() throws {
        let model = try tinyModel(dropout: true)
        let data = PreparedData(Fixture.blobs(count: 90), validationSplit: 0.2, seed: 4)
        func run(_ seed: UInt64) throws -> (TrainingResult<Float>, [Double]) {
            let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(epochs: 3, batchSize: 16, seed: seed))
            let observer = RecordingObserver()
            trainer.observers = [observer]
            return (try trainer.fit(data), observer.steps.map(\.loss))
        }
        let (a, la) = try run(9)
        let (b, lb) = try run(9)
        let (c, lc) = try run(10)
        #expect(a.parameters == b.parameters)
        #expect(la == lb)
        #expect(a.history.map(\.metrics) == b.history.map(\.metrics))
        #expect(a.parameters != c.parameters)
        #expect(la != lc)
    }

    @Test func learnsSeparableBlobsAndReportsEpochs() throws {
        let model = try tinyModel()
        let data = PreparedData(Fixture.blobs(count: 300), validationSplit: 0.2, seed: 1)
        var config = TrainingConfiguration(epochs: 15, batchSize: 16, seed: 2)
        config.optimizer = OptimizerSpec(kind: .adam, learningRate: 0.01)
        let trainer = try Trainer<Float>(model: model, configuration: config)
        let observer = RecordingObserver()
        trainer.observers = [observer]
        let result = try trainer.fit(data)
        #expect(result.status == .completed)
        #expect(result.history.count == 15)
        #expect(observer.epochs.count == 15)
        #expect(observer.steps.count == 15 * 15)   // 240 samples / 16
        #expect(observer.steps.map(\.step) == Array(1...225))
        #expect(observer.began?.stepsPerEpoch == 15)
        #expect(observer.began?.trainingSamples == 240)
        #expect(observer.ended?.status == .completed)
        let last = try #require(result.finalMetrics)
        #expect(try #require(last.validationAccuracy) > 0.95)
        #expect(last.loss < result.history[0].metrics.loss)
    }

    @Test func observersGetActivationsAndUpdatesOnlyWhenAsked() throws {
        let model = try tinyModel()
        let data = PreparedData(Fixture.blobs(count: 40), validationSplit: 0, seed: 1)
        for ask in [false, true] {
            let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(epochs: 1, batchSize: 20))
            let observer = RecordingObserver()
            observer.activations = ask
            observer.updates = ask
            trainer.observers = [observer]
            _ = try trainer.fit(data)
            #expect(observer.steps.count == 2)
            for s in observer.steps {
                #expect((s.activationLayers != nil) == ask)
                #expect((s.updateNorms != nil) == ask)
                if ask {
                    #expect(s.activationLayers == ["dense_1", "dense_2"])
                    #expect(s.updateNorms!.allSatisfy { $0 > 0 })
                }
            }
        }
    }

    @Test func earlyStoppingStopsAndRestoresTheBestWeights() throws {
        let model = try tinyModel()
        // Validation labels unrelated to the inputs: as the model grows confident on the
        // training blobs, the validation loss gets worse, and early stopping must act.
        let train = Fixture.blobs(count: 60)
        var validation = Fixture.blobs(count: 30, seed: 9)
        validation.targets = validation.targets.map { Double((Int($0) + 1) % 3) }
        var config = TrainingConfiguration(epochs: 50, batchSize: 10, seed: 2)
        config.optimizer = OptimizerSpec(kind: .adam, learningRate: 0.05)
        config.earlyStopping = EarlyStoppingSpec(monitor: "val_loss", patience: 2, restoreBestWeights: true)
        let trainer = try Trainer<Double>(model: model, configuration: config)
        let observer = RecordingObserver()
        trainer.observers = [observer]
        let result = try trainer.fit(train: train, validation: validation)
        #expect(result.status == .stoppedEarly)
        let best = try #require(result.end.bestEpoch)
        #expect(result.history.count == best + 2)
        #expect(result.history.count < 50)
        #expect(result.end.restoredBestWeights)
        #expect(observer.ended?.status == .stoppedEarly)
        // The restored weights give the best epoch's validation loss again.
        let again = try trainer.evaluate(validation)
        let bestLoss = try #require(result.history[best - 1].metrics.validationLoss)
        #expect(abs(again.loss - bestLoss) <= 1e-12 * abs(bestLoss))
        #expect(result.history.last?.earlyStopping == .stop)
        #expect(result.parameters == trainer.parameters)
    }

    @Test func aPlantedNaNStopsTheRunAsDivergedAndIsLocated() throws {
        let model = try tinyModel()
        var raw = Fixture.blobs(count: 40)
        raw.inputs[4 * 7 + 2] = .nan
        let data = PreparedData(raw, validationSplit: 0, seed: 1)
        let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(epochs: 2, batchSize: 8, seed: 1))
        let observer = RecordingObserver()
        trainer.observers = [observer]
        let result = try trainer.fit(data)
        #expect(result.status == .diverged)
        let last = try #require(observer.steps.last)
        #expect(!last.applied)
        #expect(last.findings.first?.pass == .inputs)
        #expect(result.end.reason.contains("non-finite"))
        #expect(observer.ended?.status == .diverged)
        #expect(trainer.parameters.tensors.allSatisfy { $0.isFinite })
    }

    @Test func explodingWeightsAreLocatedInTheForwardPass() throws {
        let model = try tinyModel()
        let trainer = try Trainer<Float>(model: model)
        var p = trainer.parameters
        p["dense_1/kernel"] = Tensor(repeating: 1e30, shape: [4, 8])
        try trainer.setParameters(p)
        let (x, y) = Fixture.blobs(count: 8).batch(0..<8, as: Float.self)
        let outcome = try trainer.step(inputs: x.map { abs($0) + 1e9 }, targets: y)
        trainer.finish()
        #expect(outcome.stop?.status == .diverged)
        let finding = try #require(outcome.nonFinite.first)
        #expect(finding.pass == .forward)
        #expect(finding.layer == "dense_1")
        #expect(finding.op == "dense")
    }

    @Test func skipStepRuleSkipsInsteadOfStopping() throws {
        let model = try tinyModel()
        var config = TrainingConfiguration(epochs: 1, batchSize: 8)
        config.nonFinite = .skipStep
        let trainer = try Trainer<Float>(model: model, configuration: config)
        let before = trainer.parameters
        let (x, y) = Fixture.blobs(count: 8).batch(0..<8, as: Float.self)
        var bad = x
        bad.scalars[3] = .infinity
        let outcome = try trainer.step(inputs: bad, targets: y)
        #expect(outcome.stop == nil)
        #expect(!outcome.applied)
        #expect(trainer.parameters == before)
        let good = try trainer.step(inputs: x, targets: y)
        #expect(good.applied)
        #expect(trainer.parameters != before)
    }

    @Test func errorRuleThrowsNamingTheStep() throws {
        let model = try tinyModel()
        var config = TrainingConfiguration()
        config.nonFinite = .error
        config.stopOnNonFinite = false
        let trainer = try Trainer<Float>(model: model, configuration: config)
        let (x, y) = Fixture.blobs(count: 8).batch(0..<8, as: Float.self)
        var bad = x
        bad.scalars[0] = .nan
        let error = #expect(throws: TrainingError.self) { try trainer.step(inputs: bad, targets: y) }
        #expect(error?.message.contains("step 1") == true)
        #expect(error?.message.contains("dense_1/kernel") == true)
        #expect(error?.message.contains("the inputs") == true)
        #expect(error?.diverged == true)

        // Through fit, observers see the run end as diverged.
        var data = Fixture.blobs(count: 16)
        data.inputs[5] = .nan
        let other = try Trainer<Float>(model: model, configuration: config)
        let observer = RecordingObserver()
        other.observers = [observer]
        #expect(throws: TrainingError.self) { try other.fit(train: data) }
        #expect(observer.ended?.status == .diverged)
    }

    @Test func anObserverCanStopTheRun() throws {
        let model = try tinyModel()
        let data = PreparedData(Fixture.blobs(count: 64), validationSplit: 0, seed: 1)
        let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(epochs: 5, batchSize: 8))
        let observer = RecordingObserver()
        observer.stopAtStep = 11
        trainer.observers = [observer]
        let result = try trainer.fit(data)
        #expect(result.status == .interrupted)
        #expect(observer.steps.count == 11)
        #expect(result.end.steps == 11)
    }

    @Test func kerasClippingOnTheOptimizerIsApplied() throws {
        let model = try tinyModel()
        var config = TrainingConfiguration(epochs: 1, batchSize: 8)
        config.optimizer.kerasClipping = .globalNorm(maxNorm: 1e-3)
        #expect(config.effectiveClipping == .globalNorm(maxNorm: 1e-3))
        let trainer = try Trainer<Double>(model: model, configuration: config)
        let (x, y) = Fixture.blobs(count: 8).batch(0..<8, as: Double.self)
        let outcome = try trainer.step(inputs: x, targets: y)
        #expect(outcome.clipping.triggered)
        #expect(abs(outcome.clipping.normAfter - 1e-3) < 1e-12)
    }

    @Test func badConfigurationsAreErrors() throws {
        let model = try tinyModel()
        #expect(throws: TrainingError.self) { try Trainer<Float>(model: model, configuration: TrainingConfiguration(epochs: 0)) }
        #expect(throws: TrainingError.self) { try Trainer<Float>(model: model, configuration: TrainingConfiguration(batchSize: 0)) }
        #expect(throws: TrainingError.self) { try Trainer<Float>(model: model, configuration: TrainingConfiguration(validationSplit: 1)) }
        let trainer = try Trainer<Float>(model: model)
        let wrong = Dataset(sampleShape: [3], inputs: [1, 2, 3], targetShape: [], targets: [0], targetsAreLabels: true)
        #expect(throws: TrainingError.self) { try trainer.fit(train: wrong) }
    }

    @Test func configurationFromASpecBlock() throws {
        let spec = try ModelSpec.load(path: Fixture.spec("digits-mlp"))
        let config = TrainingConfiguration(spec.training)
        #expect(config.optimizer.kind == .adam)
        #expect(config.effectiveClipping == .norm(maxNorm: 1))
        #expect(config.validationSplit == 0.2)
        #expect(config.seed == 42)
        #expect(config.batchSize == 32)
        #expect(TrainingConfiguration(nil) == TrainingConfiguration())
    }

    @Test func batchNormalizationMovingStatisticsAreUpdatedEachStep() throws {
        let model = try Fixture.model(json: """
            {"name": "bn", "input_shape": [4],
             "layers": [{"type": "dense", "units": 6}, {"type": "batch_normalization"},
                        {"type": "activation", "activation": "relu"}, {"type": "dense", "units": 3, "activation": "softmax"}],
             "loss": "sparse_categorical_crossentropy"}
            """)
        let trainer = try Trainer<Double>(model: model)
        #expect(!trainer.trainableParameters.map(\.name).contains("batch_normalization_1/moving_mean"))
        let (x, y) = Fixture.blobs(count: 8).batch(0..<8, as: Double.self)
        let expected = try model.updatingMovingStatistics(trainer.parameters, inputs: x, context: ForwardContext(training: true))
        _ = try trainer.step(inputs: x, targets: y)
        for name in ["batch_normalization_1/moving_mean", "batch_normalization_1/moving_variance"] {
            #expect(trainer.parameters[name] == expected[name], "\(name)")
            #expect(trainer.parameters[name] != model.initialParameters(seed: 0, as: Double.self)[name])
        }
    }
}
