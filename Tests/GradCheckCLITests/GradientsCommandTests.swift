import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck gradients`: the analytic loss and gradients as `gradcheck.gradients/1`.
@Suite struct GradientsCommandTests {
    static func fixtureArguments(_ spec: String) -> [String] {
        ["gradients", CLI.spec(spec), "--weights", CLI.reference(spec, "weights"), "--batch", CLI.reference(spec, "batch")]
    }

    @Test(arguments: ["iris-mlp", "tiny-reshape", "mlp-dropout"])
    func printsAValidGradientsFile(spec: String) throws {
        let result = CLI.run(Self.fixtureArguments(spec))
        #expect(result.status == 0, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["format"] as? String == "gradcheck.gradients/1")
        let loss = try #require(json["loss"] as? Double)
        #expect(loss.isFinite)
        let parameters = try #require(json["parameters"] as? [String: Any])
        let reference = try CLI.loadJSON(CLI.reference(spec, "gradients"))
        let referenceParameters = try #require(reference["parameters"] as? [String: Any])
        #expect(Set(parameters.keys) == Set(referenceParameters.keys))
        for (name, value) in parameters {
            let tensor = try #require(value as? [String: Any], "\(name)")
            let shape = try #require(tensor["shape"] as? [Int], "\(name)")
            let values = try #require(tensor["values"] as? [Any], "\(name)")
            #expect(values.count == shape.reduce(1, *), "\(name)")
            #expect((referenceParameters[name] as? [String: Any])?["shape"] as? [Int] == shape, "\(name)")
        }
        let inputs = try #require(json["inputs"] as? [String: Any])
        let batch = try CLI.loadJSON(CLI.reference(spec, "batch"))
        #expect(inputs["shape"] as? [Int] == (batch["inputs"] as? [String: Any])?["shape"] as? [Int])
        let referenceLoss = try #require(reference["loss"] as? Double)
        #expect(abs(loss - referenceLoss) <= 1e-9 * abs(referenceLoss))
    }

    @Test(arguments: ["iris-mlp", "mlp-l1l2", "tiny-activations"])
    func outputIsAReferenceThatCompareAcceptsAgainstItself(spec: String) throws {
        let printed = CLI.run(Self.fixtureArguments(spec))
        #expect(printed.status == 0, "\(printed.transcript)")
        let path = try CLI.write(printed.standardOutput, name: "self.json")
        let result = CLI.compareFixture(spec, reference: path, ["--rtol", "0", "--atol", "0", "--format", "json"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(try CLI.object(result.standardOutput)["matched"] as? Bool == true)
    }

    /// FORMATS.md §2: `inputs` is left out exactly where the reference leaves it out (an
    /// embedding first: token ids have no gradient).
    @Test func inputsGradientPresentExactlyWhereTheReferenceHasIt() throws {
        for spec in CompareReferenceTests.referenced {
            let reference = try CLI.loadJSON(CLI.reference(spec, "gradients"))
            let printed = CLI.run(Self.fixtureArguments(spec))
            #expect(printed.status == 0, "\(spec): \(printed.transcript)")
            let ours = try CLI.object(printed.standardOutput)
            #expect((ours["inputs"] != nil) == (reference["inputs"] != nil), "\(spec)")
        }
    }

    @Test func seededRunsRoundTripWithoutFiles() throws {
        // No --weights or --batch: seeded weights and a seeded random batch, the same on both sides.
        let printed = CLI.run("gradients", CLI.spec("mlp-dropout"), "--seed", "5", "--batch-size", "3")
        #expect(printed.status == 0, "\(printed.transcript)")
        let path = try CLI.write(printed.standardOutput, name: "seeded.json")
        let same = CLI.run("compare", CLI.spec("mlp-dropout"), "--seed", "5", "--batch-size", "3", "--reference", path)
        #expect(same.status == 0, "\(same.transcript)")
        // Another seed is another batch, weights and dropout mask.
        let other = CLI.run("compare", CLI.spec("mlp-dropout"), "--seed", "6", "--batch-size", "3", "--reference", path)
        #expect(other.status == 1, "\(other.transcript)")
        let json = try CLI.object(printed.standardOutput)
        #expect((json["inputs"] as? [String: Any])?["shape"] as? [Int] == [3, 784])
    }

    @Test func outputFlagWritesTheFileAtomicallyAndItRoundTrips() throws {
        let dir = try CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("grads.json").path
        let arguments = Self.fixtureArguments("tiny-logits")
        let written = CLI.run(arguments + ["--output", path])
        #expect(written.status == 0, "\(written.transcript)")
        #expect(written.standardOutput.isEmpty, "the file goes to --output, not stdout")
        #expect(written.standardError.contains(path))
        // Only the file itself is left: no temporary next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["grads.json"])
        // Same bytes as standard output.
        let printed = CLI.run(arguments)
        #expect(try CLI.read(path) == printed.standardOutput)
        #expect(try CLI.object(CLI.read(path))["format"] as? String == "gradcheck.gradients/1")
        // And it is a reference `compare` accepts.
        let compared = CLI.compareFixture("tiny-logits", reference: path)
        #expect(compared.status == 0, "\(compared.transcript)")

        // Overwriting an existing file replaces it whole.
        try Data(String(repeating: "x", count: 100_000).utf8).write(to: URL(fileURLWithPath: path))
        let again = CLI.run(arguments + ["--output=\(path)"])
        #expect(again.status == 0, "\(again.transcript)")
        #expect(try CLI.read(path) == printed.standardOutput)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["grads.json"])
    }

    @Test func outputToAMissingDirectoryIsBadInput() {
        let path = "/nonexistent-dir-for-gradcheck/grads.json"
        let result = CLI.run(Self.fixtureArguments("tiny-logits") + ["--output", path])
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardError.contains(path))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func csvBatchGradients() throws {
        let result = CLI.run("gradients", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--batch-size", "150")
        #expect(result.status == 0, "\(result.transcript)")
        let json = try CLI.object(result.standardOutput)
        #expect((json["inputs"] as? [String: Any])?["shape"] as? [Int] == [150, 4])
    }
}
