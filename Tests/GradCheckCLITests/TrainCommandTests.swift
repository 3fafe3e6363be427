import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck train`: flags, exit statuses, the JSON summary, the run log and the report.
struct TrainCommandTests {
    static let iris = CLI.spec("iris-mlp")
    static let irisData = CLI.dataset("iris.csv")

    func train(_ extra: [String], spec: String = TrainCommandTests.iris, data: String? = TrainCommandTests.irisData) -> GradCheckCommand.Result {
        CLI.run(["train", spec] + (data.map { ["--data", $0] } ?? []) + ["--quiet"] + extra)
    }

    @Test func shortRunExitsZeroWithAJSONSummary() throws {
        let r = train(["--epochs", "3", "--validation-split", "0.2", "--format", "json"])
        #expect(r.status == 0, "\(r.transcript)")
        let o = try CLI.object(r.standardOutput)
        #expect(o["format"] as? String == "gradcheck.train/1")
        #expect(o["status"] as? String == "completed")
        #expect(o["epochs"] as? Int == 3)
        #expect(o["train_samples"] as? Int == 120)
        #expect(o["validation_samples"] as? Int == 30)
        #expect((o["history"] as? [[String: Any]])?.count == 3)
        let final = try #require(o["final"] as? [String: Any])
        #expect(final["val_accuracy"] is Double)
        #expect((o["optimizer"] as? [String: Any])?["type"] as? String == "adam")
    }

    @Test func textOutputHasAnEpochTableAndASummary() {
        let r = train(["--epochs", "2"])
        #expect(r.status == 0, "\(r.transcript)")
        #expect(r.standardOutput.contains("epoch 1/2"))
        #expect(r.standardOutput.contains("completed: 2 epochs"))
        let md = train(["--epochs", "2", "--format", "markdown"])
        #expect(md.standardOutput.contains("| epoch | loss |"))
    }

    @Test func sameSeedSameHistory() throws {
        func history(_ seed: String) throws -> [[Double]] {
            let r = train(["--epochs", "2", "--seed", seed, "--validation-split", "0.2", "--format", "json"])
            let h = try #require(try CLI.object(r.standardOutput)["history"] as? [[String: Any]])
            return h.map { [$0["loss"] as! Double, $0["val_loss"] as! Double] }
        }
        #expect(try history("7") == history("7"))
        #expect(try history("7") != history("8"))
    }

    @Test func flagsOverrideTheSpec() throws {
        let r = train(["--epochs", "1", "--optimizer", "sgd", "--learning-rate", "0.125", "--clip", "global_norm:1",
                       "--batch-size", "50", "--nonfinite", "skip_step", "--dtype", "float64", "--format", "json"])
        #expect(r.status == 0, "\(r.transcript)")
        let o = try CLI.object(r.standardOutput)
        let optimizer = try #require(o["optimizer"] as? [String: Any])
        #expect(optimizer["type"] as? String == "sgd")
        #expect(optimizer["learning_rate"] as? Double == 0.125)
        #expect((o["clipping"] as? [String: Any])?["type"] as? String == "global_norm")
        #expect(o["steps"] as? Int == 3)
        #expect(o["dtype"] as? String == "float64")
        #expect(o["nonfinite"] as? String == "skip_step")
    }

    @Test func badFlagsExitTwo() {
        let cases: [([String], String)] = [
            (["--epochs", "0"], "--epochs"),
            (["--batch-size", "x"], "--batch-size"),
            (["--optimizer", "adamm"], "did you mean \"adam\""),
            (["--clip", "global:1"], "--clip"),
            (["--clip", "norm:-1"], "--clip"),
            (["--nonfinite", "ignore"], "--nonfinite"),
            (["--validation-split", "1"], "--validation-split"),
            (["--learning-rate", "-0.1"], "--learning-rate"),
            (["--dtype", "float16"], "--dtype"),
            (["--epoch", "3"], "did you mean --epochs"),
            (["--stop-on-nonfinite", "--no-stop-on-nonfinite"], "not both"),
            (["--label", "species"], "no column \"species\""),
        ]
        for (flags, message) in cases {
            let r = train(flags)
            #expect(r.status == 2, "\(flags): \(r.transcript)")
            #expect(r.standardError.contains(message), "\(flags): \(r.standardError)")
        }
        let noData = train([], data: nil)
        #expect(noData.status == 2)
        #expect(noData.standardError.contains("--data"))
    }

    @Test func csvThatDoesNotFitTheModelExitsTwoNamingTheFile() {
        let r = train(["--epochs", "1"], spec: CLI.spec("digits-mlp"))
        #expect(r.status == 2)
        #expect(r.standardError.contains("iris.csv"))
        #expect(r.standardError.contains("4 feature columns"))
        #expect(r.standardError.contains("[64]"))
        let missing = train([], data: "/nonexistent/data.csv")
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent/data.csv"))
    }

    @Test func aNaNInTheDataDivergesWithExitOneAndIsLocatedInTheLog() throws {
        let dir = try CLI.temporaryDirectory()
        var lines = try CLI.read(Self.irisData).split(separator: "\n").map(String.init)
        lines[5] = "nan," + lines[5].split(separator: ",").dropFirst().joined(separator: ",")
        let csv = try CLI.write(lines.joined(separator: "\n") + "\n", name: "iris-nan.csv", in: dir)
        let log = dir.appendingPathComponent("run.jsonl").path
        let r = train(["--epochs", "2", "--log", log, "--format", "json"], data: csv)
        #expect(r.status == 1, "\(r.transcript)")
        let o = try CLI.object(r.standardOutput)
        #expect(o["status"] as? String == "diverged")
        let events = try CLI.read(log).split(separator: "\n").map { try CLI.object(String($0)) }
        #expect(events.first?["event"] as? String == "run_start")
        #expect(events.last?["event"] as? String == "run_end")
        #expect(events.last?["status"] as? String == "diverged")
        let lastStep = try #require(events.last { $0["event"] as? String == "step" })
        let nonfinite = try #require(lastStep["nonfinite"] as? [[String: Any]])
        #expect(nonfinite.first?["pass"] as? String == "inputs")
    }

    @Test func logAndReportAreWritten() throws {
        let dir = try CLI.temporaryDirectory()
        let log = dir.appendingPathComponent("run.jsonl").path
        let report = dir.appendingPathComponent("report.json").path
        let html = dir.appendingPathComponent("report.html").path
        let r = train(["--epochs", "2", "--log", log, "--report", report])
        #expect(r.status == 0, "\(r.transcript)")
        let events = try CLI.read(log).split(separator: "\n").map { try CLI.object(String($0)) }
        #expect(events.first?["format"] as? String == "gradcheck.log/1")
        #expect(events.filter { $0["event"] as? String == "step" }.count == 20)   // 150 samples / 16, twice
        #expect(events.filter { $0["event"] as? String == "epoch" }.count == 2)
        #expect(events.last?["status"] as? String == "completed")
        let step = try #require(events.first { $0["event"] as? String == "step" })
        let params = try #require(step["params"] as? [String: [String: Any]])
        #expect(params["dense_1/kernel"]?["grad_norm"] is Double)
        #expect(params["dense_1/kernel"]?["update_norm"] is Double)
        #expect((step["layers"] as? [String: Any])?["dense_1"] != nil)
        let health = try CLI.loadJSON(report)
        #expect(health["format"] as? String == "gradcheck.health/1")
        #expect(r.standardOutput.contains("health report: \(report)"))
        let h = train(["--epochs", "1", "--report", html])
        #expect(h.status == 0)
        #expect(try CLI.read(html).contains("<svg"))
    }

    @Test func savedWeightsLoadBack() throws {
        let dir = try CLI.temporaryDirectory()
        let weights = dir.appendingPathComponent("w.json").path
        let a = train(["--epochs", "2", "--validation-split", "0.2", "--save-weights", weights, "--format", "json"])
        #expect(a.status == 0, "\(a.transcript)")
        let w = try CLI.loadJSON(weights)
        #expect(w["format"] as? String == "gradcheck.weights/1")
        let b = train(["--epochs", "1", "--validation-split", "0.2", "--weights", weights, "--learning-rate", "1e-12",
                       "--format", "json"])
        #expect(b.status == 0, "\(b.transcript)")
        let va = try #require((try CLI.object(a.standardOutput)["final"] as? [String: Any])?["val_loss"] as? Double)
        let vb = try #require((try CLI.object(b.standardOutput)["final"] as? [String: Any])?["val_loss"] as? Double)
        // A step of 1e-12 leaves the loaded weights as they were: the same validation loss.
        #expect(abs(va - vb) < 1e-6 * va)
    }

    @Test func helpListsTrain() {
        #expect(CLI.run("--help").standardOutput.contains("train"))
        let h = CLI.run("train", "--help")
        #expect(h.status == 0)
        #expect(h.standardOutput.contains("--learning-rate"))
    }
}
