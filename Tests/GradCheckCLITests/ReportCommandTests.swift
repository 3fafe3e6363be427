import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck report`: formats, exit statuses, threshold flags and bad input.
@Suite struct ReportCommandTests {
    static func fixture(_ name: String) -> String { CLI.root.appendingPathComponent("Fixtures/logs/\(name)").path }

    /// A log of `steps` steps with only the required fields; `grad(t)` is both layers'
    /// gradient norm and `dead(t)` the dead fraction of `fc1`, when given.
    static func log(steps: Int = 60, loss: (Int) -> Double = { 2 / Double($0) }, grad: (Int) -> Double = { _ in 0.5 },
                    dead: ((Int) -> Double)? = nil) throws -> String {
        let lines = (1...steps).map { t -> String in
            var line = #"{"event":"step","step":\#(t),"loss":\#(loss(t)),"params":{"fc1.weight":{"grad_norm":\#(grad(t))},"fc2.weight":{"grad_norm":\#(grad(t))}}"#
            if let dead { line += #","layers":{"fc1":{"dead_fraction":\#(dead(t))}}"# }
            return line + "}"
        }
        return try CLI.write(lines.joined(separator: "\n") + "\n", name: "run.jsonl")
    }

    @Test func pyTorchFixtureIsJudgedHealthy() throws {
        let result = CLI.run("report", Self.fixture("pytorch_iris.jsonl"))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.hasPrefix("Verdict: "))
        #expect(result.standardError.isEmpty)
        let json = try CLI.object(CLI.run("report", Self.fixture("pytorch_iris.jsonl"), "--format", "json").standardOutput)
        #expect(json["format"] as? String == "gradcheck.health/1")
        #expect(["healthy", "warning"].contains(json["verdict"] as? String))
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(!findings.contains { $0["severity"] as? String == "critical" })
        let run = try #require(json["run"] as? [String: Any])
        #expect(run["steps"] as? Int == 200)
    }

    @Test func jsonReportHasTheStableFields() throws {
        let path = try Self.log(grad: { t in t < 30 ? 0.5 : 0.5 * pow(10, Double(t - 30) / 4 + 0.1) })
        let result = CLI.run("report", path, "--format", "json")
        #expect(result.status == 1, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["format"] as? String == "gradcheck.health/1")
        #expect(json["verdict"] as? String == "unhealthy")
        let findings = try #require(json["findings"] as? [[String: Any]])
        let f = try #require(findings.first { $0["kind"] as? String == "exploding_gradients" })
        #expect(f["severity"] as? String == "critical")
        #expect((f["message"] as? String)?.isEmpty == false)
        #expect(f["first_step"] as? Int == 38)
        #expect(f["last_step"] as? Int == 60)
        let evidence = try #require(f["evidence"] as? [String: Any])
        #expect(evidence["baseline_norm"] is NSNumber && evidence["growth"] is NSNumber)
        #expect((f["suggestion"] as? String)?.contains("Clip the global gradient norm") == true)
        let kinds = ["vanishing_gradients", "exploding_gradients", "nonfinite", "loss_divergence", "dead_units",
                     "saturation", "loss_plateau", "oscillating_loss", "small_updates", "large_updates"]
        for finding in findings {
            #expect(kinds.contains(finding["kind"] as? String ?? ""))
            #expect(["info", "warning", "critical"].contains(finding["severity"] as? String ?? ""))
        }
    }

    @Test func textPutsTheVerdictFirstThenEvidenceAndSuggestion() throws {
        let path = try Self.log(dead: { _ in 0.95 })
        let result = CLI.run("report", path)
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Verdict: UNHEALTHY (1 critical)"))
        #expect(lines.contains { $0.hasPrefix("CRITICAL  dead_units  fc1") })
        #expect(lines.contains { $0.hasPrefix("  evidence: median_dead_fraction 0.95") })
        #expect(lines.contains { $0.hasPrefix("  suggestion: Lower the learning rate") })
    }

    @Test func thresholdFlagsChangeTheVerdict() throws {
        let path = try Self.log(dead: { _ in 0.6 })
        #expect(CLI.run("report", path).status == 0)                         // warning
        #expect(CLI.run("report", path, "--strict").status == 1)
        let relaxed = CLI.run("report", path, "--dead-fraction", "0.7", "--format", "json")
        #expect(try CLI.object(relaxed.standardOutput)["verdict"] as? String == "healthy")
        let thresholds = try #require(try CLI.object(relaxed.standardOutput)["thresholds"] as? [String: Any])
        #expect(thresholds["dead_fraction"] as? Double == 0.7)
    }

    @Test func markdownAndHTMLToAFile() throws {
        let path = try Self.log(grad: { t in t < 30 ? 0.5 : 0.5 * pow(10, Double(t - 30) / 4 + 0.1) })
        let markdown = CLI.run("report", path, "--format", "markdown")
        #expect(markdown.standardOutput.hasPrefix("## Training health: unhealthy"))
        #expect(markdown.standardOutput.contains("| critical | `exploding_gradients` |"))

        let out = try CLI.temporaryDirectory().appendingPathComponent("report.html").path
        let html = CLI.run("report", path, "--format", "html", "--output", out)
        #expect(html.status == 1)
        #expect(html.standardOutput.isEmpty)
        #expect(html.standardError.contains("wrote \(out): unhealthy"))
        let page = try CLI.read(out)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "<svg").count - 1 >= 3)
        // Self-contained: no scripts, no external stylesheets, images or fonts.
        for forbidden in ["<script", "src=", "<link", "@import", "url(", "http://", "https://"] {
            let hits = page.components(separatedBy: forbidden).count - 1
            let allowed = forbidden == "http://" ? page.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1 : 0
            #expect(hits == allowed, "\(forbidden)")
        }
    }

    @Test func tornAndUnknownLinesAreReportedOnStandardError() {
        let torn = CLI.run("report", Self.fixture("torn_last_line.jsonl"))
        #expect(torn.status == 0, "\(torn.transcript)")
        #expect(torn.standardError.contains("line 7: the last line is cut off"))
        #expect(torn.standardOutput.contains("note: line 7"))
        let unknown = CLI.run("report", Self.fixture("unknown_events.jsonl"))
        #expect(unknown.status == 0, "\(unknown.transcript)")
        #expect(unknown.standardError.contains("unknown event \"checkpoint\""))
    }

    @Test func badInputExitsTwo() throws {
        let missing = CLI.run("report", "/no/such/run.jsonl")
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/no/such/run.jsonl: file not found"))

        let bad = try CLI.write(#"{"event":"step","step":1,"loss":"x"}"# + "\n" + #"{"event":"step","step":2,"loss":1}"# + "\n",
                                name: "bad.jsonl")
        let wrong = CLI.run("report", bad)
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("bad.jsonl: line 1: loss: expected a number, got \"x\""), "\(wrong.transcript)")

        let flag = CLI.run("report", Self.fixture("pytorch_iris.jsonl"), "--dead-fractoin", "0.3")
        #expect(flag.status == 2 && flag.standardError.contains("did you mean --dead-fraction?"))
        #expect(CLI.run("report", Self.fixture("pytorch_iris.jsonl"), "--vanishing-ratio", "-1").status == 2)
        #expect(CLI.run("report", Self.fixture("pytorch_iris.jsonl"), "--format", "pdf").status == 2)
        #expect(CLI.run("report").status == 2)
        #expect(CLI.run("report", Self.fixture("pytorch_iris.jsonl"), "--output", "/no/such/dir/r.txt").status == 2)
    }

    @Test func helpAndUsageMentionReport() {
        let help = CLI.run("report", "--help")
        #expect(help.status == 0 && help.standardOutput.hasPrefix("USAGE: gradcheck report RUN.jsonl"))
        #expect(help.standardOutput.contains("--exploding-growth"))
        #expect(CLI.run("--help").standardOutput.contains("report"))
    }
}
