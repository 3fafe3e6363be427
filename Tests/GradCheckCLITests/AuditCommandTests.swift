import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// `gradcheck audit` runs on every fixture spec and follows the output convention.
@Suite struct AuditCommandTests {
    @Test(arguments: EveryModeTests.specs)
    func theAuditRunsOnEveryFixture(spec: String) throws {
        let name = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        let result = CLI.run("audit", spec, "--batch-size", "4", "--format", "json")
        #expect(result.status == 0, "\(name): \(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["format"] as? String == "gradcheck.audit/1")
        let targets = try #require(json["targets"] as? [[String: Any]])
        let layers = try ModelSpec.load(path: spec).layers.count
        #expect(targets.count == layers + 1 && targets.last?["target"] as? String == "model", "\(name)")
        for t in targets {
            let median = try #require(t["median_digits"] as? Double)
            #expect(median >= 0 && median <= 16, "\(name) \(t)")
        }
    }

    @Test func aPlainMLPKeepsAboutSevenDigits() throws {
        let result = CLI.run("audit", CLI.spec("iris-mlp"), "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        let targets = try #require(try CLI.object(result.standardOutput)["targets"] as? [[String: Any]])
        for t in targets {
            let median = try #require(t["median_digits"] as? Double)
            #expect(median > 3 && median < 8.5, "\(t)")
        }
    }

    @Test func textNamesTheWorstLayer() {
        let result = CLI.run("audit", CLI.spec("tiny-logits"))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.hasPrefix("gradcheck audit tiny-logits: float32 against float64"))
        #expect(result.standardOutput.contains("most digits lost: dense_"), "\(result.standardOutput)")
    }

    @Test func badInputExitsTwo() {
        #expect(CLI.run("audit", "/nonexistent/spec.json").status == 2)
        #expect(CLI.run("audit", CLI.spec("tiny-logits"), "--batch-size", "0").status == 2)
        #expect(CLI.run("audit", CLI.spec("tiny-logits"), "--format", "html").status == 2)
    }
}
