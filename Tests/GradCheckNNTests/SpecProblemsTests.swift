import Foundation
import Testing
@testable import GradCheckNN

/// Every problem of a file is reported at once, each with its path, up to the limit.
@Suite struct SpecProblemsTests {
    static func error(_ json: String, file: String = "model.json") -> SpecError? {
        SpecTestSupport.error { () throws(SpecError) in try ModelSpec.decode(json: json, file: file) }
    }

    @Test func aSpecWithThreeMistakesReportsAllThree() throws {
        let e = try #require(Self.error(#"""
            {"input_shape": [4], "lossy": 1,
             "layers": [{"type": "dense", "unit": 3}, {"type": "dense", "units": 3, "activation": "rleu"}, {"type": "dnse"}],
             "loss": "sparse_categorical_crossentropy"}
            """#))
        #expect(e.problems.map(\.path) == ["lossy", "layers[0].unit", "layers[0]", "layers[1].activation", "layers[2].type"],
                "\(e)")
        #expect(e.problems[1].message == #"unknown key; did you mean "units"?"#)
        #expect(e.problems[3].message.contains(#"did you mean "relu"?"#))
        #expect(e.problems[4].message.contains(#"did you mean "dense"?"#))
        // One line per problem, each with file and path.
        let lines = e.description.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.hasPrefix("model.json: ") })
        #expect(!e.truncated)
    }

    @Test func problemsInsideNestedObjectsAndTheTrainingBlockAreCollected() throws {
        let e = try #require(Self.error(#"""
            {"input_shape": [4], "layers": [{"type": "residual", "layers": [{"type": "dense", "units": 0}, {"type": "dense", "units": 4, "use_bias": 1}]}],
             "loss": {"type": "huber", "delta": -1},
             "training": {"optimizer": {"type": "adam", "learning_rat": 0.1}, "epochs": 0}}
            """#))
        #expect(e.problems.map(\.path) == ["layers[0].layers[0].units", "layers[0].layers[1].use_bias", "loss.delta",
                                           "training.optimizer.learning_rat", "training.epochs"], "\(e)")
    }

    @Test func decodingStopsAtTheLimit() throws {
        let layers = (0..<30).map { _ in #"{"type": "dense", "units": -1}"# }.joined(separator: ", ")
        let e = try #require(Self.error(#"{"input_shape": [4], "layers": ["# + layers + #"], "loss": "huber"}"#))
        #expect(e.problems.count == SpecProblems.limit)
        #expect(e.truncated)
        #expect(e.description.hasSuffix("(stopped after 20 problems; fix these and run again for the rest)"))
    }

    @Test func aValidSpecStillDecodesAndNameDefaultsToTheFileStem() throws {
        let json = #"{"input_shape": [4], "layers": [{"type": "dense", "units": 2}], "loss": "mean_squared_error"}"#
        #expect(try ModelSpec.decode(json: json, file: "dir/my-model.json").name == "my-model")
        #expect(try ModelSpec.decode(json: json).name == "model")
        #expect(ModelSpec.defaultName(file: "/a/b/c.spec.json") == "c.spec")
        let dir = SpecTestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("unnamed.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ModelSpec.load(path: path).name == "unnamed")
        // An empty name is still an error: the name is optional, not blank.
        #expect(Self.error(#"{"name": "", "input_shape": [4], "layers": [{"type": "dense", "units": 2}], "loss": "huber"}"#)?.path == "name")
    }

    @Test func outsideADocumentDecodeTheFirstProblemThrows() {
        // The readers are usable on their own: without a collecting decode they throw at once.
        let e = SpecTestSupport.error { () throws(SpecError) in
            try ActivationSpec.decode(.object(["type": "leaky_relu", "alfa": 1, "beta": 2]), path: "a", file: nil)
        }
        #expect(e?.path == "a.alfa")
        #expect(e?.others.isEmpty == true)
    }

    @Test func weightsBatchAndGradientsFilesReportEveryBadValue() throws {
        let w = SpecTestSupport.error { () throws(SpecError) in
            try WeightsFile.decode(json: #"""
                {"format": "gradcheck.weights/1", "extra": 1, "parameters": {
                  "a": {"shape": [3], "values": [1, true, "x"]}, "b": {"shape": [2], "values": [1]}, "c": {"shape": [1], "values": [0]}}}
                """#, file: "w.json")
        }
        #expect(w?.problems.map(\.path) == ["extra", #"parameters["a"].values[1]"#, #"parameters["a"].values[2]"#,
                                            #"parameters["b"].values"#], "\(String(describing: w))")
        let b = SpecTestSupport.error { () throws(SpecError) in
            try BatchFile.decode(json: #"{"format": "gradcheck.batch/2", "inputs": {"shape": [1], "values": []}, "targets": {"shape": [1]}}"#, file: "b.json")
        }
        #expect(b?.problems.map(\.path) == ["format", "inputs.values", "targets"], "\(String(describing: b))")
        let g = SpecTestSupport.error { () throws(SpecError) in
            try GradientsFile.decode(json: #"{"loss": true, "parameters": {"a": {"shape": [1], "values": [null]}}}"#, file: "g.json")
        }
        #expect(g?.problems.map(\.path) == ["loss", #"parameters["a"].values[0]"#], "\(String(describing: g))")
    }
}
