import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// `gradcheck check`: central differences against the backward pass.
@Suite struct CheckCommandTests {
    static let smallSpecs = [
        "iris-mlp", "tiny-activations", "tiny-logits", "tiny-logsoftmax-binary-logits",
        "tiny-regression-huber", "tiny-regression-mae", "tiny-regression-mse", "tiny-reshape",
    ]

    @Test(arguments: smallSpecs)
    func smallSpecsPass(spec: String) {
        let result = CLI.run("check", CLI.spec(spec))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("PASSED"))
        #expect(!result.standardOutput.contains("FAIL "))
    }

    @Test(arguments: ["iris-mlp", "tiny-regression-huber"])
    func fixtureWeightsAndBatchPass(spec: String) {
        let result = CLI.run("check", CLI.spec(spec), "--weights", CLI.reference(spec, "weights"),
                             "--batch", CLI.reference(spec, "batch"))
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains(CLI.reference(spec, "batch")), "names the batch it used")
    }

    @Test func jsonIsExactlyOneObjectWithTheStableFields() throws {
        let result = CLI.run("check", CLI.spec("tiny-logits"), "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        // The whole of stdout is one JSON object (Foundation rejects trailing garbage).
        let json = try CLI.object(result.standardOutput)
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"))
        #expect(json["format"] as? String == "gradcheck.check/1")
        #expect(json["passed"] as? Bool == true)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty)
        for check in checks {
            #expect(check["target"] is String, "\(check)")
            #expect(check["parameter"] is String, "\(check)")
            #expect(["pass", "fail", "kink"].contains(check["status"] as? String ?? ""), "\(check)")
            #expect(check["max_abs_error"] is NSNumber, "\(check)")
            #expect(check["max_rel_error"] is NSNumber, "\(check)")
            let index = try #require(check["index"] as? [Int], "\(check)")
            let shape = try #require(check["shape"] as? [Int], "\(check)")
            #expect(index.count == shape.count)
            #expect(zip(index, shape).allSatisfy { $0 >= 0 && $0 < $1 }, "\(index) in \(shape)")
            #expect(check["analytic"] is NSNumber, "\(check)")
            #expect(check["numerical"] is NSNumber, "\(check)")
        }
        // Per layer and for the model, with the inputs and every parameter.
        let pairs = Set(checks.map { "\($0["target"]!) \($0["parameter"]!)" })
        for expected in ["dense_1 inputs", "dense_1 dense_1/kernel", "dense_2 dense_2/bias",
                         "model inputs", "model dense_1/kernel", "model dense_2/bias"] {
            #expect(pairs.contains(expected), "missing \(expected) in \(pairs.sorted())")
        }
    }

    @Test func markdownHasATable() {
        let result = CLI.run("check", CLI.spec("tiny-logits"), "--format", "markdown")
        #expect(result.status == 0, "\(result.transcript)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("| target | parameter |") }, "\(result.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("|---|") })
        // Five gradient checks of the model, and its row of the backward-contracts table.
        #expect(lines.filter { $0.hasPrefix("| model |") }.count == 5 + 1)
        #expect(lines.contains { $0.hasPrefix("| target | linearity | zero cotangent | determinism | immutability |") })
        #expect(result.standardOutput.contains("**PASSED"))
    }

    @Test func layerChecksOnlyThatLayer() throws {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--layer", "dense_2", "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        let checks = try #require(try CLI.object(result.standardOutput)["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty)
        for check in checks {
            let target = check["target"] as? String
            let parameter = check["parameter"] as? String ?? ""
            if target == "model" {
                #expect(parameter.hasPrefix("dense_2/"), "\(check)")
            } else {
                #expect(target == "dense_2", "\(check)")
            }
        }
        #expect(checks.contains { $0["target"] as? String == "dense_2" && $0["parameter"] as? String == "dense_2/kernel" })
        #expect(checks.contains { $0["target"] as? String == "model" && $0["parameter"] as? String == "dense_2/kernel" })
    }

    @Test func unknownLayerIsBadInputAndListsTheLayers() {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--layer", "nope")
        #expect(result.status == 2, "\(result.transcript)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("nope"))
        #expect(result.standardError.contains("dense_1"))
        #expect(result.standardError.contains("dense_2"))
    }

    @Test func maxElementsSamplesBigTensors() throws {
        let result = CLI.run("check", CLI.spec("mlp-l2-clipnorm"), "--max-elements", "5", "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        let checks = try #require(try CLI.object(result.standardOutput)["checks"] as? [[String: Any]])
        #expect(checks.count == 16)   // 3 layers × (inputs, kernel, bias) + model × (inputs + 6 parameters)
        for check in checks {
            let elements = try #require(check["elements"] as? Int)
            #expect(check["elements_checked"] as? Int == min(5, elements), "\(check)")
        }
        let kernel = checks.first { $0["target"] as? String == "model" && $0["parameter"] as? String == "dense_1/kernel" }
        #expect(kernel?["elements"] as? Int == 784 * 64)
        #expect(kernel?["elements_checked"] as? Int == 5)
    }

    @Test func maxElementsShowsInTheTextTable() {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--max-elements", "5")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("5/64"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("  3  ") || result.standardOutput.contains(" 3 "), "small tensors stay whole")
    }

    /// The JSON output without its `seconds` line.
    static func withoutTiming(_ json: String) -> String {
        json.replacingOccurrences(of: #""seconds": *[0-9.eE+-]+,?"#, with: "", options: .regularExpression)
    }

    @Test func sameSeedGivesIdenticalJSON() throws {
        let arguments = ["check", CLI.spec("mlp-dropout"), "--seed", "7", "--max-elements", "6", "--format", "json"]
        let first = CLI.run(arguments)
        let second = CLI.run(arguments)
        #expect(first.status == 0, "\(first.transcript)")
        #expect(first.standardOutput.contains("\"seconds\""))
        #expect(Self.withoutTiming(first.standardOutput) == Self.withoutTiming(second.standardOutput))
        // The threads do not change the answer either.
        let oneThread = CLI.run(arguments + ["--threads", "1"])
        #expect(Self.withoutTiming(first.standardOutput) == Self.withoutTiming(oneThread.standardOutput))
        // And the seed matters.
        let other = CLI.run(["check", CLI.spec("mlp-dropout"), "--seed", "8", "--max-elements", "6", "--format", "json"])
        #expect(Self.withoutTiming(first.standardOutput) != Self.withoutTiming(other.standardOutput))
    }

    @Test func sameSeedGivesIdenticalJSONOnASmallSpec() {
        let arguments = ["check", CLI.spec("tiny-activations"), "--seed", "123", "--format", "json"]
        let first = CLI.run(arguments), second = CLI.run(arguments)
        #expect(first.status == 0, "\(first.transcript)")
        #expect(Self.withoutTiming(first.standardOutput) == Self.withoutTiming(second.standardOutput))
    }

    @Test func irisCSVBatch() throws {
        let result = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--batch-size", "12", "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        let checks = try #require(try CLI.object(result.standardOutput)["checks"] as? [[String: Any]])
        let inputs = checks.first { $0["target"] as? String == "model" && $0["parameter"] as? String == "inputs" }
        #expect(inputs?["shape"] as? [Int] == [12, 4])
        let text = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"))
        #expect(text.status == 0, "\(text.transcript)")
        #expect(text.standardOutput.contains("8 rows of"), "\(text.standardOutput)")
    }

    @Test func csvFixturesKeepTheirHeaders() throws {
        let iris = try CLI.read(CLI.dataset("iris.csv")).split(separator: "\n")
        #expect(iris.first == "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label")
        #expect(iris.count == 151)
        let digits = try CLI.read(CLI.dataset("digits.csv")).split(separator: "\n")
        #expect(digits.first?.split(separator: ",").count == 65)
        #expect(digits.first?.hasSuffix(",label") == true)
        #expect(digits.count == 1798)
        #expect(FileManager.default.fileExists(atPath: CLI.dataset("README.md")))
    }

    @Test func csvWithTheWrongNumberOfFeaturesIsBadInput() throws {
        let digits = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("digits.csv"))
        #expect(digits.status == 2, "\(digits.transcript)")
        #expect(digits.standardError.contains("digits.csv"))
        #expect(digits.standardError.contains("64 feature columns"), "\(digits.standardError)")
        #expect(digits.standardError.contains("takes 4"), "\(digits.standardError)")

        let path = try CLI.write("a,b,c,label\n1,2,3,0\n4,5,6,1\n7,8,9,2\n", name: "three.csv")
        let three = CLI.run("check", CLI.spec("iris-mlp"), "--data", path)
        #expect(three.status == 2, "\(three.transcript)")
        #expect(three.standardError.contains(path))
        #expect(three.standardError.contains("3 feature columns"))
    }

    @Test func brokenCSVsAreBadInput() throws {
        let dir = try CLI.temporaryDirectory()
        let cases: [(String, String, String)] = [
            ("nonnumeric.csv", "a,b,c,d,label\n1,2,x,4,0\n", "line 2"),
            ("ragged.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,3,0\n", "line 3"),
            ("nolabel.csv", "a,b,c,d,e\n1,2,3,4,0\n", "label"),
            ("empty.csv", "", "header"),
            ("classrange.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,3,5,7\n", "7"),
        ]
        for (name, text, mention) in cases {
            let path = try CLI.write(text, name: name, in: dir)
            let result = CLI.run("check", CLI.spec("iris-mlp"), "--data", path)
            #expect(result.status == 2, "\(name): \(result.transcript)")
            #expect(result.standardError.contains(name), "\(name): \(result.standardError)")
            #expect(result.standardError.contains(mention), "\(name): \(result.standardError)")
        }
        let missing = CLI.run("check", CLI.spec("iris-mlp"), "--data", "/nonexistent/data.csv")
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("/nonexistent/data.csv"))
        let label = CLI.run("check", CLI.spec("iris-mlp"), "--data", CLI.dataset("iris.csv"), "--label", "lable")
        #expect(label.status == 2)
        #expect(label.standardError.contains("lable"))
    }

    @Test func absurdTolerancesMakeASmoothModelFail() throws {
        let result = CLI.run("check", CLI.spec("tiny-regression-mse"), "--rtol", "0", "--atol", "0", "--eps", "1e-2")
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.standardOutput.contains("FAILED"))
        #expect(result.standardOutput.contains("FAIL "))

        let json = CLI.run("check", CLI.spec("tiny-regression-mse"), "--rtol", "0", "--atol", "0", "--eps", "1e-2", "--format", "json")
        #expect(json.status == 1)
        let object = try CLI.object(json.standardOutput)
        #expect(object["passed"] as? Bool == false)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.contains { $0["status"] as? String == "fail" })
        let tolerance = object["tolerance"] as? [String: Any]
        #expect(tolerance?["step"] as? Double == 1e-2)
        #expect(tolerance?["rtol"] as? Double == 0)
    }

    /// With a constant allowed error (rtol 0), the reported worst element of a failing
    /// check is the one with the largest error.
    @Test
    func theWorstFailingElementIsReported() throws {
        let result = CLI.run("check", CLI.spec("tiny-regression-mse"), "--rtol", "0", "--atol", "1e-15", "--eps", "1e-2",
                             "--format", "json")
        #expect(result.status == 1)
        // Our own parser: Foundation's JSONSerialization on Linux reads 17-digit numbers a
        // few ulps off, which is larger than the differences compared here.
        let document = try JSONParser.parse(result.standardOutput)
        let checks = try #require(document.objectValue?["checks"]?.arrayValue)
        for check in checks where check.objectValue?["status"]?.stringValue == "fail" {
            let o = try #require(check.objectValue)
            let analytic = try #require(o["analytic"]?.doubleValue)
            let numerical = try #require(o["numerical"]?.doubleValue)
            let maxAbs = try #require(o["max_abs_error"]?.doubleValue)
            #expect(abs(analytic - numerical) >= maxAbs * (1 - 1e-9), "\(check)")
        }
    }

    @Test func conflictingBatchSourcesAreBadInput() {
        let both = CLI.run("check", CLI.spec("iris-mlp"), "--batch", CLI.reference("iris-mlp", "batch"),
                           "--data", CLI.dataset("iris.csv"))
        #expect(both.status == 2)
        #expect(both.standardError.contains("--batch") && both.standardError.contains("--data"))
        let size = CLI.run("check", CLI.spec("iris-mlp"), "--batch", CLI.reference("iris-mlp", "batch"), "--batch-size", "3")
        #expect(size.status == 2)
        #expect(size.standardError.contains("--batch-size"))
    }

    @Test func badToleranceFlagsAreBadInput() {
        for (flag, value) in [("--atol", "-1"), ("--rtol", "-0.5"), ("--eps", "0"), ("--eps", "inf"), ("--eps", "nan"),
                              ("--max-elements", "0"), ("--threads", "0"), ("--seed", "-1"), ("--batch-size", "0"),
                              ("--format", "yaml")] {
            let result = CLI.run("check", CLI.spec("tiny-logits"), flag, value)
            #expect(result.status == 2, "\(flag) \(value): \(result.transcript)")
            #expect(result.standardError.contains(flag), "\(flag) \(value): \(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test func skippingLayersOrModel() throws {
        let noLayers = try CLI.object(CLI.run("check", CLI.spec("tiny-logits"), "--no-layers", "--format", "json").standardOutput)
        let checks = try #require(noLayers["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty)
        #expect(checks.allSatisfy { $0["target"] as? String == "model" })
        let noModel = try CLI.object(CLI.run("check", CLI.spec("tiny-logits"), "--no-model", "--format", "json").standardOutput)
        let layerChecks = try #require(noModel["checks"] as? [[String: Any]])
        #expect(!layerChecks.isEmpty)
        #expect(layerChecks.allSatisfy { $0["target"] as? String != "model" })
    }
}
