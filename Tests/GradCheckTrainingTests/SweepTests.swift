import Foundation
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

@Suite("Sweep folds") struct SweepFoldsTests {
    @Test func mersenneTwisterMatchesTheReferenceSequence() {
        // genrand_int32 after init_genrand(5489), the first outputs of mt19937ar.c.
        var mt = SweepMersenneTwister(seed: 5489)
        #expect((0..<3).map { _ in mt.nextUInt32() } == [3_499_211_612, 581_869_302, 3_890_346_734])
    }

    @Test func foldsMatchScikitLearnKFold() throws {
        let url = Fixture.root.appendingPathComponent("Fixtures/sweeps/kfold-reference.json")
        let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
        let cases = try #require(json["cases"]?.arrayValue)
        #expect(cases.count >= 6)
        for c in cases {
            let n = try #require(c["n"]?.intValue), k = try #require(c["k"]?.intValue)
            let shuffle = try #require(c["shuffle"]?.boolValue), seed = try #require(c["seed"]?.intValue)
            let expected = try #require(c["validation"]?.arrayValue).map { $0.arrayValue!.map { $0.intValue! } }
            let folds = try SweepFolds(count: n, k: k, shuffle: shuffle, seed: UInt64(seed))
            #expect(folds.folds.map(\.validation) == expected, "n \(n) k \(k) seed \(seed)")
            for f in folds.folds {
                #expect(Set(f.train).isDisjoint(with: f.validation) && f.train.count + f.validation.count == n)
            }
        }
    }

    @Test func badFoldCountsAreErrors() {
        #expect(throws: SweepError.self) { try SweepFolds(count: 10, k: 1, seed: 0) }
        #expect(throws: SweepError.self) { try SweepFolds(count: 3, k: 4, seed: 0) }
        #expect(throws: SweepError.self) { try SweepFolds(count: 10, k: 2, seed: 1 << 33) }
    }
}

@Suite("Sweep axes and overrides") struct SweepOverrideTests {
    static let spec = try! ModelSpec.decode(json: """
        {"format": "gradcheck.model/1", "name": "t", "input_shape": [4],
         "layers": [{"type": "dense", "units": 8, "activation": "relu", "kernel_regularizer": {"l2": 0.01}},
                    {"type": "dense", "units": 3, "activation": "softmax"}],
         "loss": "sparse_categorical_crossentropy",
         "training": {"optimizer": {"type": "sgd", "learning_rate": 0.1, "clipnorm": 2}, "epochs": 2}}
        """)

    @Test func axesParse() throws {
        let a = try SweepAxis.parse("optimizer.learning_rate=1e-3, 1e-2,none")
        #expect(a.key == "optimizer.learning_rate")
        #expect(a.values == [.json(.number(0.001)), .json(.number(0.01)), .none])
        #expect(a.values.map(\.text) == ["0.001", "0.01", "none"])
        let c = try SweepAxis.parse("clipping=none,global_norm:1")
        #expect(c.values.map(\.text) == ["none", "global_norm:1"])
        #expect(throws: SweepError.self) { try SweepAxis.parse("optimizer.learning_rate") }
        #expect(throws: SweepError.self) { try SweepAxis.parse("a..b=1") }
        #expect(throws: SweepError.self) { try SweepAxis.parse("x=1,,2") }
        #expect(throws: SweepError.self) { try SweepAxis.parse("x=1,1") }
        #expect(throws: SweepError.self) { try SweepAxis.parse("clipping=bogus:3") }
    }

    @Test func overridesWriteTrainingAndLayerKeys() throws {
        let s = try SweepOverride.spec(Self.spec, point: [
            ("optimizer.learning_rate", .json(.number(0.5))), ("optimizer.clipnorm", .none),
            ("layers.dense_1.kernel_regularizer.l2", .json(.number(0.25))), ("batch_size", .json(.number(4))),
        ])
        #expect(s.training?.optimizer?.learningRate == 0.5)
        #expect(s.training?.optimizer?.kerasClipping == nil)
        #expect(s.training?.batchSize == 4)
        let json = JSONWriter.compact.string(for: s.layers[0].jsonValue)
        #expect(json.contains("\"l2\":0.25"))
        // The clipping axis replaces the optimiser's Keras clipping.
        let c = try SweepOverride.spec(Self.spec, point: [("clipping", .clipping(.globalNorm(maxNorm: 1)))])
        #expect(c.training?.clipping == .globalNorm(maxNorm: 1))
        #expect(c.training?.optimizer?.kerasClipping == nil)
    }

    @Test func badOverridesNameTheKeyAndThePath() {
        func message(_ point: [(key: String, value: SweepValue)]) -> String {
            do {
                _ = try SweepOverride.spec(Self.spec, point: point, file: "t.json")
                return ""
            } catch {
                return error.message
            }
        }
        let lr = message([("optimizer.learning_rate", .json(.number(-1)))])
        #expect(lr.contains("--grid optimizer.learning_rate=-1 (training.optimizer.learning_rate)"))
        #expect(lr.contains("t.json: training.optimizer.learning_rate:"))
        let key = message([("optimizer.learnig_rate", .json(.number(1)))])
        #expect(key.contains("training.optimizer") && key.contains("learnig_rate"))
        let layer = message([("layers.dense_9.units", .json(.number(3)))])
        #expect(layer.contains("no layer named \"dense_9\"") && layer.contains("dense_1"))
        let units = message([("layers.dense_2.units", .json(.string("many")))])
        #expect(units.contains("layers[1].units"))
        let shape = message([("layers.dense_2.units", .json(.number(0)))])
        #expect(shape.contains("layers.dense_2.units"))
        let through = message([("epochs.x", .json(.number(1)))])
        #expect(through.contains("training.epochs is a number, not an object"))
    }
}

@Suite("Sweep plan and shards") struct SweepPlanTests {
    static let axes = [try! SweepAxis.parse("a=1,2,3"), try! SweepAxis.parse("b=x,y")]

    @Test func gridOrderHasTheLastAxisFastest() {
        let plan = SweepPlan(axes: Self.axes, seeds: [0, 1], folds: 3)
        #expect(plan.configurations.map { $0.map(\.text) } == [["1", "x"], ["1", "y"], ["2", "x"], ["2", "y"], ["3", "x"], ["3", "y"]])
        let trials = plan.trials
        #expect(trials.count == 36)
        #expect(trials[7] == SweepTrial(index: 7, configuration: 1, seed: 0, fold: 1))
    }

    @Test func randomSearchDrawsDistinctPointsBySeed() {
        let a = SweepPlan(axes: Self.axes, randomCount: 4, samplingSeed: 3, seeds: [0]).gridIndices
        #expect(a.count == 4 && Set(a).count == 4 && a == a.sorted())
        #expect(a == SweepPlan(axes: Self.axes, randomCount: 4, samplingSeed: 3, seeds: [0]).gridIndices)
        let others = (0..<8).map { SweepPlan(axes: Self.axes, randomCount: 4, samplingSeed: UInt64($0), seeds: [0]).gridIndices }
        #expect(Set(others.map { $0.description }).count > 1)
        #expect(SweepPlan(axes: Self.axes, randomCount: 99, seeds: [0]).gridIndices == Array(0..<6))
    }

    @Test func shardsPartitionTheTrials() throws {
        let trials = SweepPlan(axes: Self.axes, seeds: [0, 1], folds: 2).trials
        let shards = try (1...3).map { try SweepShard(index: $0, count: 3) }
        let covered = shards.flatMap { s in trials.filter { s.contains($0.index) }.map(\.index) }
        #expect(covered.sorted() == trials.map(\.index))
        #expect(try SweepShard(parsing: "2/4") == SweepShard(index: 2, count: 4))
        #expect(throws: ShardError.self) { try SweepShard(parsing: "5/4") }
        #expect(throws: ShardError.self) { try SweepShard(parsing: "1-4") }
    }
}

@Suite("Sweep runs") struct SweepRunTests {
    static let spec = try! ModelSpec.decode(json: """
        {"format": "gradcheck.model/1", "name": "tiny", "input_shape": [4],
         "layers": [{"type": "dense", "units": 6, "activation": "relu"}, {"type": "dense", "units": 3, "activation": "softmax"}],
         "loss": "sparse_categorical_crossentropy",
         "training": {"optimizer": {"type": "sgd", "learning_rate": 0.1}, "epochs": 3, "batch_size": 8, "seed": 4}}
        """)

    static func sweep(_ axes: [String], seeds: Int = 1, folds: Int = 2, shard: SweepShard? = nil, epochs: Int? = nil) throws -> Sweep {
        let plan = SweepPlan(axes: try axes.map { try SweepAxis.parse($0) }, seeds: (0..<UInt64(seeds)).map { 4 + $0 }, folds: folds)
        return try Sweep(spec: spec, dataset: Fixture.blobs(count: 48), plan: plan, epochs: epochs, threads: 2, shard: shard)
    }

    static func temporary(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-sweep-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    @Test func divergingLearningRatesAreFlaggedAndRankedLast() throws {
        let result = try Self.sweep(["optimizer.learning_rate=0.1,1e6"], epochs: 20).run()
        #expect(result.results.count == 2 * 2)
        let good = try #require(result.configurations.first { $0.values == [.json(.number(0.1))] })
        let bad = try #require(result.configurations.first { $0.values == [.json(.number(1e6))] })
        #expect(good.rank == 1 && good.diverged == 0 && good.metricMean > 0.5)
        #expect(bad.rank == 2 && bad.diverged == 2 && bad.verdict == .unhealthy && bad.metricMean == 0)
        #expect(result.text().contains("optimizer.learning_rate"))
        let json = result.json()
        #expect(json["format"]?.stringValue == "gradcheck.sweep/1")
        #expect(json["best"]?["values"]?["optimizer.learning_rate"]?.doubleValue == 0.1)
        let html = result.html()
        #expect(html.contains("<svg") && html.contains("diverged") && !html.contains("<script"))
        let best = try result.spec(ofConfiguration: result.best!.index)
        #expect(best.training?.optimizer?.learningRate == 0.1)
    }

    @Test func trialsDoNotDependOnTheThreadCount() throws {
        var one = try Self.sweep(["optimizer.learning_rate=0.05,0.2"], seeds: 2)
        one.threads = 1
        let a = try one.run().results.map { r -> Double in r.metric + r.trainLoss }
        let b = try Self.sweep(["optimizer.learning_rate=0.05,0.2"], seeds: 2).run().results.map { $0.metric + $0.trainLoss }
        #expect(a == b)
    }

    @Test func aKilledSweepResumesFromItsResultsFile() throws {
        let path = Self.temporary("resume.jsonl")
        let sweep = try Self.sweep(["optimizer.learning_rate=0.05,0.2"])
        let full = try sweep.run(resultsFile: path)
        #expect(full.results.count == 4)
        // Keep the header and two trials, and tear a third line as a kill would.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        try (lines[0...2].joined(separator: "\n") + "\n" + lines[3].prefix(20)).write(toFile: path, atomically: true, encoding: .utf8)
        let counter = Counter()
        let resumed = try sweep.run(resultsFile: path) { _, _, _ in counter.bump() }
        #expect(counter.value == 2)
        #expect(resumed.results.map(\.metric) == full.results.map(\.metric))
        let again = try SweepResultsFile.load(path: path)
        #expect(again.results.count == 4 && !again.tornLastLine)
        // Another sweep refuses the file.
        #expect(throws: SweepError.self) { try Self.sweep(["optimizer.learning_rate=0.05,0.3"]).run(resultsFile: path) }
    }

    @Test func shardsMergeIntoTheWholeSweep() throws {
        let axes = ["optimizer.learning_rate=0.05,0.2"]
        let whole = try Self.sweep(axes).run()
        var parts: [String] = []
        for k in 1...3 {
            let path = Self.temporary("part-\(k).jsonl")
            let part = try Self.sweep(axes, shard: try SweepShard(index: k, count: 3)).run(resultsFile: path)
            #expect(part.results.allSatisfy { ($0.trial.index % 3) == k - 1 })
            parts.append(path)
        }
        let partial = try SweepResultsFile.merge(paths: Array(parts.prefix(2)))
        #expect(!partial.missing.isEmpty)
        let merged = try SweepResultsFile.merge(paths: parts)
        #expect(merged.missing.isEmpty)
        let result = SweepResult(header: merged.header, results: merged.results)
        #expect(result.results.map(\.metric) == whole.results.map(\.metric))
        #expect(result.ranked.map(\.index) == whole.ranked.map(\.index))
        let other = Self.temporary("other.jsonl")
        _ = try Self.sweep(["optimizer.learning_rate=0.05,0.3"], shard: try SweepShard(index: 1, count: 3)).run(resultsFile: other)
        #expect(throws: SweepError.self) { try SweepResultsFile.merge(paths: [parts[0], other]) }
    }
}

/// A thread-safe counter for progress callbacks.
///
/// `@unchecked Sendable` is safe: `count` is only touched under `lock`.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func bump() { lock.lock(); count += 1; lock.unlock() }
}

@Suite("Sweep fixtures") struct SweepFixtureTests {
    /// `Fixtures/sweeps/digits-lr-clipnorm.jsonl` (Scripts/sweeps/make_sweeps.sh): the
    /// learning-rate × clipnorm heatmap has a diverging corner and a vanishing one.
    @Test func theDigitsSweepShowsTheDivergingAndTheVanishingCorner() throws {
        let path = Fixture.root.appendingPathComponent("Fixtures/sweeps/digits-lr-clipnorm.jsonl").path
        let contents = try SweepResultsFile.load(path: path)
        let result = SweepResult(header: contents.header, results: contents.results)
        #expect(result.missingTrials.isEmpty && contents.header.plan.folds == 3)
        func at(_ lr: Double) -> [SweepConfigurationSummary] { result.configurations.filter { $0.values[0] == .json(.number(lr)) } }
        for c in at(10) { #expect(c.diverged == c.trials.count && c.verdict == .unhealthy) }
        for c in at(1e-5) {
            #expect(c.diverged == 0 && c.verdict == .warning && c.findingCounts.contains { $0.kind == "small_updates" })
            #expect(c.metricMean < 0.2)
        }
        let best = try #require(result.best)
        #expect(best.metricMean > 0.9 && best.diverged == 0)
        let html = result.html()
        #expect(html.contains("every trial diverged") && html.contains("small_updates"))
    }

    /// `digits-plain` vs `digits-augmented` (the same MLP on 30 % of the digits): the
    /// augmented run's train/validation accuracy gap is smaller.
    @Test func augmentationCutsTheTrainValidationGap() throws {
        func gap(_ name: String) throws -> Double {
            let url = Fixture.root.appendingPathComponent("Fixtures/sweeps/\(name)-train.json")
            let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
            let last = try #require(json["history"]?.arrayValue?.last)
            return try #require(last["accuracy"]?.doubleValue) - (try #require(last["val_accuracy"]?.doubleValue))
        }
        let plain = try gap("digits-plain"), augmented = try gap("digits-augmented")
        #expect(plain > 0.03 && augmented < plain / 2)
    }
}
