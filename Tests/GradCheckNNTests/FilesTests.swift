import Foundation
import GradCheckTensor
import Testing
@testable import GradCheckNN

private func tensor(_ shape: [Int], _ values: [Double]) -> Tensor<Double> {
    Tensor(unchecked: shape, scalars: values)
}

private func bitwiseEqual(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Bool {
    a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
}

@Test func everyReferenceFixtureLoadsAndRoundTrips() throws {
    let dirs = SpecTestSupport.referenceDirectories()
    #expect(!dirs.isEmpty)
    for dir in dirs {
        let weights = try WeightsFile.load(path: dir.appendingPathComponent("weights.json").path)
        let batch = try BatchFile.load(path: dir.appendingPathComponent("batch.json").path)
        let gradients = try GradientsFile.load(path: dir.appendingPathComponent("gradients.json").path)
        #expect(!weights.parameters.isEmpty)
        // Moving statistics are state: in weights files, never in gradient files (FORMATS.md §1).
        let trainable = weights.names.filter { !$0.hasSuffix("/moving_mean") && !$0.hasSuffix("/moving_variance") }
        #expect(trainable == gradients.names, "\(dir.lastPathComponent)")
        // No input gradient where the inputs are token ids (an embedding first).
        if let inputs = gradients.inputs { #expect(batch.batchSize == inputs.shape.first) }
        #expect(try WeightsFile.decode(json: JSONWriter.pretty.string(for: weights.jsonValue())) == weights)
        #expect(try BatchFile.decode(json: JSONWriter.compact.string(for: batch.jsonValue())) == batch)
        #expect(try GradientsFile.decode(json: JSONWriter.pretty.string(for: gradients.jsonValue())) == gradients)
        // The fixtures agree with Foundation's JSONDecoder reading the same file, bit for bit.
        struct Doc: Decodable { struct T: Decodable { var values: [Double] }; var parameters: [String: T] }
        let data = try Data(contentsOf: dir.appendingPathComponent("weights.json"))
        let foundation = try JSONDecoder().decode(Doc.self, from: data)
        for p in weights.parameters {
            #expect(foundation.parameters[p.name]?.values.map(\.bitPattern) == p.tensor.scalars.map(\.bitPattern), "\(p.name)")
        }
    }
}

@Test func fixtureFileContentsAsExpected() throws {
    let dir = SpecTestSupport.referenceDirectory.appendingPathComponent("tiny-logits")
    let gradients = try GradientsFile.load(path: dir.appendingPathComponent("gradients.json").path)
    #expect(gradients.loss == 1.8473650816048521)
    #expect(gradients.names == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"])
    #expect(gradients["dense_1/kernel"]?.shape == [4, 6])
    #expect(gradients["dense_1/kernel"]?.scalars.first == -0.2412043497056474)
    // Python's float("0.1795128925423706") has this bit pattern.
    let weights = try WeightsFile.load(path: dir.appendingPathComponent("weights.json").path)
    #expect(weights["dense_1/kernel"]?.scalars.first?.bitPattern == 4_595_635_653_858_231_585)
    #expect(gradients.inputs?.shape == [5, 4])
    let batch = try BatchFile.load(path: dir.appendingPathComponent("batch.json").path)
    #expect(batch.targets == tensor([5], [0, 1, 2, 2, 1]))
}

@Test func filesRoundTripThroughDiskWithNonFiniteValues() throws {
    let dir = SpecTestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let special = tensor([2, 3], [.nan, .infinity, -.infinity, -0.0, 1e-300, 0.1])
    let weights = WeightsFile(parameters: [
        NamedTensor(name: "dense_1/kernel", tensor: special),
        NamedTensor(name: "dense_1/bias", tensor: tensor([3], [1, 2, 3])),
        NamedTensor(name: "scalar", tensor: tensor([], [4.5])),
        NamedTensor(name: "empty", tensor: tensor([0, 3], [])),
    ])
    let wPath = dir.appendingPathComponent("w.json").path
    try weights.write(to: wPath)
    let w2 = try WeightsFile.load(path: wPath)
    #expect(w2.names == weights.names)
    for (a, b) in zip(w2.parameters, weights.parameters) { #expect(bitwiseEqual(a.tensor, b.tensor), "\(a.name)") }
    let text = try String(contentsOfFile: wPath, encoding: .utf8)
    #expect(text.contains(#"{"shape": [2, 3], "values": ["nan", "inf", "-inf", -0, 1e-300, 0.1]}"#))
    #expect(text.hasPrefix("{\n  \"format\": \"gradcheck.weights/1\",\n  \"parameters\": {\n    \"dense_1/kernel\": {"))
    #expect(text.hasSuffix("}\n"))

    let gradients = GradientsFile(loss: .nan, parameters: weights.parameters, inputs: special)
    let gPath = dir.appendingPathComponent("g.json").path
    try gradients.write(to: gPath)
    let g2 = try GradientsFile.load(path: gPath)
    #expect(g2.loss.isNaN)
    #expect(g2.inputs.map { bitwiseEqual($0, special) } == true)
    let noInputs = GradientsFile(loss: 2, parameters: [])
    try noInputs.write(to: gPath)
    #expect(try GradientsFile.load(path: gPath) == noInputs)
    #expect(noInputs.jsonValue()["inputs"] == nil)

    let batch = BatchFile(inputs: tensor([2, 2], [1, 2, 3, 4]), targets: tensor([2], [0, 1]))
    let bPath = dir.appendingPathComponent("b.json").path
    try batch.write(to: bPath)
    #expect(try BatchFile.load(path: bPath) == batch)

    let single = TensorFile(tensor([2], [.infinity, 3]))
    let tPath = dir.appendingPathComponent("t.json").path
    try single.write(to: tPath)
    #expect(try TensorFile.load(path: tPath) == single)

    // Atomic writes leave nothing else behind.
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == ["b.json", "g.json", "t.json", "w.json"])
}

@Test func tensorErrorsNameTheExactPath() {
    func weightsError(_ json: String) -> String? {
        SpecTestSupport.error { () throws(SpecError) in try WeightsFile.decode(json: json, file: "w.json") }?.problems.first?.description   // the first problem; SpecProblemsTests pins the rest
    }
    var values = Array(repeating: "0.5", count: 20)
    values[17] = "true"
    #expect(weightsError(#"{"parameters": {"dense_1/kernel": {"shape": [4, 5], "values": ["# + values.joined(separator: ", ") + "]}}}")
        == #"w.json: parameters["dense_1/kernel"].values[17]: expected a number or "nan"/"inf"/"-inf", got true"#)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [3, 4], "values": [1, 2]}}}"#)
        == #"w.json: parameters["k"].values: expected 12 values for shape [3, 4], got 2"#)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [3, -1], "values": []}}}"#)
        == #"w.json: parameters["k"].shape[1]: expected a non-negative integer, got -1"#)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [1099511627776, 1099511627776, 0], "values": []}}}"#)?
        .hasSuffix("has too many elements") == true)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [4294967296, 4294967296, 4294967296], "values": []}}}"#)
        == #"w.json: parameters["k"].shape: shape [4294967296, 4294967296, 4294967296] has too many elements"#)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [1], "values": ["NaN"]}}}"#)
        == #"w.json: parameters["k"].values[0]: expected a number or "nan"/"inf"/"-inf", got "NaN""#)
    #expect(weightsError(#"{"parameters": {"k": {"shape": [1], "value": [1]}}}"#)
        == #"w.json: parameters["k"].value: unknown key; did you mean "values"?"#)
    #expect(weightsError(#"{"parameters": {"k": [1, 2]}}"#) == #"w.json: parameters["k"]: expected an object, got [1, 2]"#)
    #expect(weightsError(#"{"parameters": []}"#) == "w.json: parameters: expected an object mapping parameter names to tensors, got []")
    #expect(weightsError(#"{"format": "gradcheck.weights/2", "parameters": {}}"#)
        == #"w.json: format: expected "gradcheck.weights/1", got "gradcheck.weights/2""#)
    #expect(weightsError(#"{"format": "gradcheck.gradients/1", "parameters": {}}"#)
        == #"w.json: format: expected "gradcheck.weights/1", got "gradcheck.gradients/1""#)
    #expect(weightsError(#"{"parameter": {}}"#) == #"w.json: parameter: unknown key; did you mean "parameters"?"#)
    #expect(weightsError("{}") == #"w.json: missing required key "parameters""#)
    #expect(weightsError(#"{"parameters": {}}"#) == nil) // format is optional

    func batchError(_ json: String) -> String? {
        SpecTestSupport.error { () throws(SpecError) in try BatchFile.decode(json: json, file: "b.json") }?.problems.first?.description
    }
    #expect(batchError(#"{"inputs": {"shape": [2, 1], "values": [1, 2]}, "targets": {"shape": [3], "values": [1, 2, 3]}}"#)
        == "b.json: targets.shape[0]: the targets have 3 samples but the inputs have 2")
    #expect(batchError(#"{"inputs": {"shape": [], "values": [1]}, "targets": {"shape": [1], "values": [1]}}"#)
        == "b.json: inputs.shape: expected a batch axis first, got shape []")
    #expect(batchError(#"{"inputs": {"shape": [1], "values": [1]}}"#) == #"b.json: missing required key "targets""#)

    func gradientsError(_ json: String) -> String? {
        SpecTestSupport.error { () throws(SpecError) in try GradientsFile.decode(json: json, file: "g.json") }?.problems.first?.description
    }
    #expect(gradientsError(#"{"loss": "big", "parameters": {}}"#) == #"g.json: loss: expected a number or "nan"/"inf"/"-inf", got "big""#)
    #expect(gradientsError(#"{"loss": "inf", "parameters": {}}"#) == nil)
    #expect(gradientsError(#"{"loss": 1, "parameters": {}, "inputs": {"shape": [1], "values": [true]}}"#)
        == #"g.json: inputs.values[0]: expected a number or "nan"/"inf"/"-inf", got true"#)
}

@Test func repeatedParameterNamesKeepOnePosition() {
    var w = WeightsFile(parameters: [
        NamedTensor(name: "a", tensor: tensor([1], [1])),
        NamedTensor(name: "b", tensor: tensor([1], [2])),
        NamedTensor(name: "a", tensor: tensor([1], [3])),
    ])
    #expect(w.names == ["a", "b"])
    #expect(w["a"] == tensor([1], [3]))
    w["c"] = tensor([1], [4])
    w["b"] = nil
    #expect(w.names == ["a", "c"])
}
