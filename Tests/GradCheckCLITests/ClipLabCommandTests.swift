import Foundation
import Testing
@testable import GradCheckCLI

struct ClipLabCommandTests {
    static let stress = CLI.root.appendingPathComponent("Fixtures/lab/stress-deep-relu.json").path

    @Test func unknownPolicyIsBadInputWithDidYouMean() {
        let r = CLI.run("clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--policies", "none,globl_norm:1")
        #expect(r.status == 2)
        #expect(r.standardError.contains("globl_norm"))
        #expect(r.standardError.contains("did you mean"))
        #expect(r.standardError.contains("global_norm"))
        #expect(r.standardOutput.isEmpty)
    }

    @Test func missingDataIsBadInput() {
        let r = CLI.run("clip-lab", CLI.spec("iris-mlp"))
        #expect(r.status == 2)
        #expect(r.standardError.contains("--data"))
    }

    @Test func otherBadInput() {
        #expect(CLI.run("clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--seeds", "0").status == 2)
        #expect(CLI.run("clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--format", "htm").status == 2)
        #expect(CLI.run("clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--policies", "value:-1").status == 2)
        #expect(CLI.run("clip-lab", "--data", CLI.dataset("iris.csv")).status == 2)
    }

    @Test func jsonOutput() throws {
        let r = CLI.run("clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--policies", "none,value:0.01,global_norm:0.1",
                        "--seeds", "2", "--epochs", "2", "--format", "json")
        #expect(r.status == 0, "\(r.standardError)")
        let json = try CLI.object(r.standardOutput)
        #expect(json["format"] as? String == "gradcheck.cliplab/1")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        for run in runs {
            for key in ["policy", "seeds", "diverged", "final_loss", "clip_rate", "cosine_to_raw", "norm_before", "norm_after"] {
                #expect(run.keys.contains(key), "missing \(key)")
            }
        }
        let g = try #require(runs.first { $0["policy"] as? String == "global_norm:0.1" })
        #expect(abs((g["cosine_to_raw"] as? Double ?? 0) - 1) <= 1e-9)
    }

    @Test func textMarkdownAndHTMLToAFile() throws {
        let base = ["clip-lab", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--policies", "none,norm:0.1",
                    "--seeds", "1", "--epochs", "1"]
        let text = CLI.run(base)
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("policy") && text.standardOutput.contains("norm:0.1"))
        #expect(CLI.run(base + ["--format", "markdown"]).standardOutput.contains("| policy |"))
        let dir = try CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("lab.html").path
        let html = CLI.run(base + ["--format", "html", "--output", path])
        #expect(html.status == 0)
        #expect(html.standardOutput.isEmpty)
        #expect(try CLI.read(path).contains("<svg"))
    }

    @Test func listedInUsageAndHelp() {
        #expect(CLI.run("--help").standardOutput.contains("clip-lab"))
        #expect(CLI.run("clip-lab", "--help").standardOutput.contains("--policies"))
    }
}
