import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck sweep`: overrides validated with their path, outputs, shards and merge,
/// and the check note for augmentation layers. Tiny model, iris, one epoch.
@Suite struct SweepCommandTests {
    static let spec = """
        {"format": "gradcheck.model/1", "name": "iris-tiny", "input_shape": [4],
         "layers": [{"type": "dense", "units": 5, "activation": "relu"}, {"type": "dense", "units": 3, "activation": "softmax"}],
         "loss": "sparse_categorical_crossentropy",
         "training": {"optimizer": {"type": "sgd", "learning_rate": 0.1}, "epochs": 1, "batch_size": 16, "seed": 3}}
        """

    @Test func badKeysAndValuesAreExitTwoNamingThePath() throws {
        let spec = try CLI.write(Self.spec, name: "sweep-bad.json")
        let iris = CLI.dataset("iris.csv")
        let lr = CLI.run("sweep", spec, "--data", iris, "--grid", "optimizer.learning_rate=0.1,-1")
        #expect(lr.status == 2)
        #expect(lr.standardError.contains("--grid optimizer.learning_rate=-1 (training.optimizer.learning_rate)"))
        let layer = CLI.run("sweep", spec, "--data", iris, "--grid", "layers.dense_3.units=4")
        #expect(layer.status == 2 && layer.standardError.contains("no layer named \"dense_3\""))
        let syntax = CLI.run("sweep", spec, "--data", iris, "--grid", "optimizer.learning_rate")
        #expect(syntax.status == 2 && syntax.standardError.contains("KEY=V1,V2"))
        let shard = CLI.run("sweep", spec, "--data", iris, "--shard", "3/2")
        #expect(shard.status == 2 && shard.standardError.contains("--shard"))
    }

    @Test func jsonTableHTMLBestSpecAndShardMerge() throws {
        let dir = try CLI.temporaryDirectory()
        let spec = try CLI.write(Self.spec, name: "sweep.json", in: dir)
        let iris = CLI.dataset("iris.csv")
        let grid = ["--grid", "optimizer.learning_rate=0.05,0.5", "--grid", "layers.dense_1.units=3,6"]
        let html = dir.appendingPathComponent("sweep.html").path, best = dir.appendingPathComponent("best.json").path
        let whole = CLI.run(["sweep", spec, "--data", iris, "--folds", "3", "--threads", "2", "--format", "json",
                             "--html", html, "--best-spec", best] + grid)
        #expect(whole.status == 0, "\(whole.standardError)")
        let json = try #require(try CLI.parse(whole.standardOutput) as? [String: Any])
        #expect(json["format"] as? String == "gradcheck.sweep/1")
        #expect((json["configurations"] as? [Any])?.count == 4)
        #expect(try CLI.read(html).contains("<svg"))
        #expect(try CLI.read(best).contains("gradcheck.model/1"))
        var parts: [String] = []
        for k in 1...2 {
            let path = dir.appendingPathComponent("part-\(k).jsonl").path
            let r = CLI.run(["sweep", spec, "--data", iris, "--folds", "3", "--shard", "\(k)/2", "--results", path] + grid)
            #expect(r.status == 0, "\(r.standardError)")
            parts.append(path)
        }
        let merged = CLI.run(["sweep", "--merge", "--format", "json"] + parts)
        #expect(merged.status == 0, "\(merged.standardError)")
        let m = try #require(try CLI.parse(merged.standardOutput) as? [String: Any])
        #expect((m["trials"] as? [String: Any])?["missing"] as? Int == 0)
        let ranks = { (o: [String: Any]) in (o["configurations"] as! [[String: Any]]).map { $0["configuration"] as! Int } }
        #expect(ranks(m) == ranks(json))
        // `gradcheck merge` reads the files' format and merges them the same way.
        let unified = CLI.run(["merge", "--format", "json"] + parts)
        #expect(unified.status == 0, "\(unified.transcript)")
        #expect(unified.standardOutput == merged.standardOutput)
        let text = CLI.run(["sweep", "--merge"] + parts)
        #expect(text.standardOutput.contains("rank") && text.standardOutput.contains("layers.dense_1.units"))
        let half = CLI.run(["sweep", "--merge", parts[0]])
        #expect(half.status == 0 && half.standardError.contains("in no file"))
    }

    @Test func checkReportSaysAugmentationIsTheIdentity() throws {
        let spec = try CLI.write("""
            {"format": "gradcheck.model/1", "name": "aug", "input_shape": [4],
             "layers": [{"type": "gaussian_noise", "stddev": 0.3}, {"type": "feature_dropout", "rate": 0.2},
                        {"type": "dense", "units": 3}],
             "loss": {"type": "sparse_categorical_crossentropy", "from_logits": true}}
            """, name: "aug.json")
        let r = CLI.run("check", spec)
        #expect(r.status == 0)
        #expect(r.standardOutput.contains("note: augmentation is the identity at check time"))
        #expect(r.standardOutput.contains("gaussian_noise_1 (gaussian_noise)"))
        let j = CLI.run("check", spec, "--format", "json")
        #expect(j.standardOutput.contains("\"notes\""))
    }
}
