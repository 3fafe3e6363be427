import Foundation
import GradCheckClipping
import GradCheckNN
import Testing
@testable import GradCheckTraining

/// The clipping lab on the stress fixture (`Fixtures/lab/stress-deep-relu.json`: a deep
/// ReLU MLP on the digits, plain SGD at learning rate 2).
struct ClippingLabTests {
    static let specPath = Fixture.root.appendingPathComponent("Fixtures/lab/stress-deep-relu.json").path

    static func lab(policies: String, seeds: Int, epochs: Int, learningRate: Double? = nil, samples: Int = 600) throws -> ClippingLab {
        let spec = try ModelSpec.load(path: specPath)
        let model = try Model(spec: spec, file: specPath)
        var config = TrainingConfiguration(spec.training)
        config.epochs = epochs
        if let learningRate { config.optimizer.learningRate = learningRate }
        let table = try CSVTable.load(path: Fixture.dataset("digits.csv"))
        // A prefix of the digits keeps the debug-build tests fast.
        let all = try Dataset(table: table, model: model)
        let data = PreparedData(all.subset(0..<Swift.min(samples, all.count)),
                                validationSplit: config.validationSplit, seed: config.seed)
        return ClippingLab(model: model, data: data, configuration: .init(
            training: config, policies: try ClipperParser.parseList(policies), seedCount: seeds))
    }

    @Test func normBasedPoliciesKeepTheDirectionValueClippingDoesNot() throws {
        let result = try Self.lab(policies: "value:0.05,norm:0.5,global_norm:0.5,autoclip:10", seeds: 2, epochs: 2,
                                  learningRate: 0.5).run()
        for name in ["global_norm:0.5", "autoclip:10"] {
            let s = try #require(result.policy(name)).telemetry
            #expect(s.triggeredSteps > 0, "\(name) never triggered")
            #expect(abs(s.meanCosineWhenTriggered - 1) <= 1e-9, "\(name): mean cosine \(s.meanCosineWhenTriggered)")
            #expect(s.minCosineWhenTriggered >= 1 - 1e-9, "\(name): min cosine \(s.minCosineWhenTriggered)")
        }
        // Per-tensor norm clipping keeps each tensor's direction (not the whole set's).
        let norm = try #require(result.policy("norm:0.5"))
        #expect(norm.telemetry.triggeredSteps > 0)
        #expect(norm.minTensorCosine >= 1 - 1e-9, "norm: min per-tensor cosine \(norm.minTensorCosine)")
        let value = try #require(result.policy("value:0.05"))
        #expect(value.telemetry.triggeredSteps > 0)
        #expect(value.telemetry.meanCosineWhenTriggered < 1 - 1e-3, "value: cosine \(value.telemetry.meanCosineWhenTriggered)")
        #expect(value.minTensorCosine < 1 - 1e-3)
    }

    @Test func inTheStressSettingNoneDivergesAndClippingSavesEverySeed() throws {
        let result = try Self.lab(policies: "none,global_norm:1,agc:0.01", seeds: 3, epochs: 2, samples: .max).run()
        let none = try #require(result.policy("none"))
        #expect(none.diverged == 3)
        #expect(none.finalLoss.median == .infinity)
        let saved = result.policies.filter { $0.diverged == 0 }.map(\.name)
        #expect(!saved.isEmpty, "no policy kept every seed from diverging")
        for p in result.policies where p.diverged == 0 {
            #expect(p.finalLoss.max.isFinite)
            #expect((p.finalAccuracy?.median ?? 0) > 0.3, "\(p.name) did not learn")
        }
        #expect(result.text().contains("3/3"))
    }

    @Test func sameSeedSameInitialWeightsAcrossPolicies() throws {
        let lab = try Self.lab(policies: "none,global_norm:1", seeds: 2, epochs: 1)
        let a = try lab.runOne(policy: .none, seed: 7)
        let b = try lab.runOne(policy: .globalNorm(maxNorm: 1), seed: 7)
        let c = try lab.runOne(policy: .none, seed: 8)
        #expect(a.stepLosses.first == b.stepLosses.first)   // same weights, same first batch
        #expect(a.stepLosses.first != c.stepLosses.first)
    }

    @Test func jsonHasTheFormatFields() throws {
        let result = try Self.lab(policies: "none,value:0.05,global_norm:1", seeds: 2, epochs: 1, learningRate: 0.1).run()
        let text = JSONWriter.pretty.fileContents(for: result.json())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "gradcheck.cliplab/1")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["policy"] as? String } == ["none", "value:0.05", "global_norm:1"])
        for run in runs {
            for key in ["policy", "seeds", "diverged", "final_loss", "clip_rate", "cosine_to_raw", "norm_before", "norm_after"] {
                #expect(run.keys.contains(key), "missing \(key)")
            }
            #expect(run["seeds"] as? Int == 2)
            #expect(run["diverged"] as? Int == 0)
            #expect(run["final_loss"] is Double)
            #expect(run["norm_before"] is Double)
        }
        #expect(runs[0]["cosine_to_raw"] is NSNull)   // none never triggers
        #expect(runs[0]["clip_rate"] as? Double == 0)
        #expect((runs[1]["cosine_to_raw"] as? Double ?? 1) < 1)
        let html = result.html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<table>"))
        #expect(!html.contains("<script") && !html.contains("http://") || html.contains("http://www.w3.org/2000/svg"))
    }

    @Test func smoothedLossesAndStepsToTarget() {
        let run = ClippingLabRun(policy: .none, seed: 0, status: .completed, diverged: false, finalLoss: 1, bestLoss: 1,
                                 finalAccuracy: nil, bestAccuracy: nil, stepLosses: [4, 2, 2, 1, .infinity, 1],
                                 telemetry: [], initialLoss: 4, minTensorCosine: .nan)
        #expect(run.smoothedLosses(window: 2) == [4, 3, 2, 1.5, .infinity, .infinity])
        #expect(run.stepsToReach(2, window: 2) == 3)
        #expect(run.stepsToReach(0.5, window: 2) == nil)
        #expect(LabStatistic([3, 1, .infinity, 2]).median == 2.5)
        #expect(LabStatistic([1, .infinity, .infinity]).median == .infinity)
    }
}
