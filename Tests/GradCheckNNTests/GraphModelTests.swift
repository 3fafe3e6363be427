import Foundation
import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

/// Graph models: wiring, topological order, merges, spec errors naming the layer, and the
/// packed multi-input batch.
@Suite struct GraphModelTests {
    /// The error building a model from `json`, as a string.
    static func buildError(_ json: String) -> String? {
        do {
            let spec = try ModelSpec.decode(json: json, file: "model.json")
            _ = try Model(spec: spec, file: "model.json")
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func graph(_ layers: String, inputs: String = #"[{"name": "a", "shape": [3]}, {"name": "b", "shape": [3]}]"#,
                      extra: String = "") -> String {
        #"{"name": "g", "inputs": \#(inputs), "layers": [\#(layers)], \#(extra) "loss": "mean_squared_error"}"#
    }

    @Test func sequentialSpecsStayChains() throws {
        let model = try Model(spec: ModelSpec.decode(json: #"""
            {"name": "m", "input_shape": [4], "layers": [{"type": "dense", "units": 3}, {"type": "dense", "units": 2}],
             "loss": "mean_squared_error"}
            """#))
        #expect(model.isChain)
        #expect(model.inputs.map(\.name) == ["input"])
        #expect(model.layerInputs == [[.input(0)], [.layer(0)]])
        #expect(model.inputShape == [4])
    }

    @Test func graphSpecWiresLayersAndPacksInputs() throws {
        let json = Self.graph(#"""
            {"type": "dense", "name": "da", "units": 2, "inputs": ["a"]},
            {"type": "dense", "name": "db", "units": 2, "inputs": "b"},
            {"type": "concatenate", "name": "cat", "inputs": ["da", "db", "a"]},
            {"type": "dense", "units": 1}
            """#)
        let spec = try ModelSpec.decode(json: json)
        let model = try Model(spec: spec)
        #expect(!model.isChain)
        #expect(model.inputShape == [6])
        #expect(model.layers.map(\.name) == ["da", "db", "cat", "dense_3"])
        #expect(model.layerInputs[2] == [.layer(0), .layer(1), .input(0)])
        #expect(model.layers[2].outputShape == [7])
        // The spec round-trips through JSON with its wiring.
        #expect(try ModelSpec.decode(model.spec!.jsonValue) == spec)
        // Packing and splitting are inverse.
        let a = Tensor<Double>(unchecked: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor<Double>(unchecked: [2, 3], scalars: [7, 8, 9, 10, 11, 12])
        let packed = model.packInputs([a, b])
        #expect(packed.scalars == [1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12])
        #expect(model.splitInputs(packed) == [a, b])
        let tape = Tape<Double>(recording: false)
        #expect(model.splitInputs(tape.constant(packed), on: tape).map { tape.value($0) } == [a, b])
    }

    @Test func layersMayComeInAnyOrderThatHasNoCycle() throws {
        // "late" is defined after its reader: the builder orders the graph topologically.
        let model = try Model(spec: ModelSpec.decode(json: Self.graph(#"""
            {"type": "add", "name": "sum", "inputs": ["late", "b"]},
            {"type": "dense", "name": "late", "units": 3, "inputs": ["a"]},
            {"type": "dense", "name": "out", "units": 1, "inputs": ["sum"]}
            """#)))
        #expect(model.layers.map(\.name) == ["late", "sum", "out"])
    }

    @Test func badGraphsNameTheLayer() {
        let e = Self.buildError
        #expect(e(Self.graph(#"{"type": "add", "name": "s", "inputs": ["a", "c"]}"#))
            == #"model.json: layers[0].inputs[1]: s: takes "c", which is neither a layer nor a model input; did you mean "a"?"#)
        #expect(e(Self.graph(#"""
            {"type": "add", "name": "x", "inputs": ["a", "y"]}, {"type": "add", "name": "y", "inputs": ["x", "b"]},
            {"type": "dense", "units": 1, "inputs": ["y"]}
            """#))?.contains("x: the graph has a cycle: y → x → y") == true)
        #expect(e(Self.graph(#"{"type": "dense", "name": "d", "units": 3, "inputs": ["d"]}"#))
            == "model.json: layers[0].inputs[0]: d: takes its own output (a cycle)")
        #expect(e(Self.graph(#"""
            {"type": "dense", "name": "unused", "units": 2, "inputs": ["a"]},
            {"type": "add", "name": "s", "inputs": ["a", "b"]}
            """#)) == #"model.json: layers[0]: unused: its output is never used on the way to the model's output "s""#)
        #expect(e(Self.graph(#"{"type": "dense", "units": 2, "inputs": ["a"]}"#))
            == #"model.json: inputs[1]: input "b" is never used on the way to the model's output"#)
        #expect(e(Self.graph(#"""
            {"type": "dense", "name": "d", "units": 2, "inputs": ["a"]}, {"type": "add", "name": "s", "inputs": ["d", "b"]}
            """#)) == "model.json: layers[1]: s: add needs inputs of one shape, got [2], [3]")
        #expect(e(Self.graph(#"{"type": "subtract", "name": "s", "inputs": ["a", "b", "a"]}"#))
            == "model.json: layers[0]: s: subtract takes exactly two inputs, got 3")
        #expect(e(Self.graph(#"{"type": "add", "name": "s", "inputs": ["a"]}, {"type": "add", "inputs": ["s", "b"]}"#))
            == "model.json: layers[0]: s: add merges at least two inputs, got 1")
        #expect(e(Self.graph(#"{"type": "dense", "name": "d", "units": 2, "inputs": ["a", "b"]}"#))
            == #"model.json: layers[0]: d: a dense layer takes one input, got 2 (["a", "b"])"#)
        #expect(e(Self.graph(#"{"type": "dense", "name": "d", "units": 2}"#))
            == #"model.json: layers[0]: d: the model has 2 inputs (a, b); name the one this layer takes with "inputs""#)
        #expect(e(Self.graph(#"{"type": "concatenate", "name": "c", "axis": 2, "inputs": ["a", "b"]}"#))
            == "model.json: layers[0]: c: axis 2 is out of range for inputs of shape [3] (axes 1...1 or -1...-1)")
        #expect(e(Self.graph(#"{"type": "add", "name": "s", "inputs": ["a", "b"]}"#, extra: #""outputs": "nope","#))
            == #"model.json: outputs: "nope" is not a layer"#)
    }

    @Test func specErrorsForInputs() {
        let e = SpecTestSupport.modelError
        #expect(e(#"{"name": "g", "input_shape": [3], "inputs": [{"name": "a", "shape": [3]}], "layers": [{"type": "flatten"}], "loss": "huber"}"#)
            == #"model.json: inputs: give "input_shape" (one input) or "inputs" (named inputs), not both"#)
        #expect(e(#"{"name": "g", "inputs": [{"name": "a", "shape": [3], "dtype": "long"}], "layers": [{"type": "flatten"}], "loss": "huber"}"#)
            == #"model.json: inputs[0].dtype: expected "float" or "int", got "long""#)
        #expect(e(#"{"name": "g", "inputs": [{"name": "a", "shape": [3]}, {"name": "a", "shape": [2]}], "layers": [{"type": "flatten"}], "loss": "huber"}"#)
            == #"model.json: inputs[1].name: two inputs are named "a"; input names must be unique"#)
        #expect(e(#"{"name": "g", "inputs": [{"name": "a", "shape": [3]}], "layers": [{"type": "flatten", "name": "a"}], "loss": "huber"}"#)
            == #"model.json: layers[0]: the name "a" is already used by a model input; layer and input names must be unique"#)
        #expect(e(#"{"name": "g", "input_shape": [3], "layers": [{"type": "residual", "layers": [{"type": "dense", "units": 3, "inputs": ["input"]}]}], "loss": "huber"}"#)?
            .hasPrefix(#"model.json: layers[0].layers[0].inputs: a layer inside a residual block"#) == true)
        #expect(e(#"{"name": "g", "input_shape": [3], "layers": [{"type": "flatten"}], "loss": "huber"}"#) == nil)
        #expect(e(#"{"name": "g", "layers": [{"type": "flatten"}], "loss": "huber"}"#)
            == #"model.json: missing required key "input_shape" (or "inputs" for named inputs)"#)
    }

    @Test func integerInputsFeedEmbeddingsOnly() throws {
        let ints = #"[{"name": "t", "shape": [4], "dtype": "int"}, {"name": "x", "shape": [4, 2]}]"#
        // An embedding on the second input, after another layer: allowed in a graph.
        let model = try Model(spec: ModelSpec.decode(json: Self.graph(#"""
            {"type": "dense", "name": "d", "units": 2, "inputs": ["x"]},
            {"type": "embedding", "name": "e", "input_dim": 5, "output_dim": 2, "inputs": ["t"]},
            {"type": "add", "inputs": ["d", "e"]}
            """#, inputs: ints)))
        #expect(model.inputs.map(\.isInteger) == [true, false])
        #expect(model.floatInputs == [1])
        #expect(!model.takesIndices)
        #expect(model.idLimit(ofInput: 0) == 5)
        let bad = model.packInputs([Tensor(unchecked: [1, 4], scalars: [0, 1, 5, 2]), Tensor.zeros([1, 4, 2])])
        #expect(throws: ModelError.self) { try model.checkInputs(bad) }
        #expect(Self.buildError(Self.graph(#"{"type": "dense", "name": "d", "units": 2, "inputs": ["t"]}, {"type": "add", "inputs": ["d", "x"]}"#, inputs: ints))
            == #"model.json: layers[0]: d: input "t" holds integer ids (dtype int); only an embedding can take it"#)
        #expect(Self.buildError(Self.graph(#"""
            {"type": "embedding", "name": "e", "input_dim": 5, "output_dim": 2, "inputs": ["x"]}, {"type": "flatten"}
            """#, inputs: #"[{"name": "x", "shape": [4], "dtype": "float"}]"#))?
            .contains(#"e: takes integer token ids, so it must be the model's first layer or take an int model input (its input here is the float input "x")"#) == true)
    }

    @Test func mergesComputeWhatKerasComputes() {
        let a = Tensor<Double>(unchecked: [1, 2, 2], scalars: [1, -2, 3, 4])
        let b = Tensor<Double>(unchecked: [1, 2, 2], scalars: [5, 6, -7, 8])
        func run(_ op: MergeOperation, axis: Int = -1) -> [Double] {
            let layer = MergeLayer(name: "m", spec: MergeSpec(operation: op, axis: axis), inputShapes: [[2, 2], [2, 2]])
            let tape = Tape<Double>(recording: false)
            return tape.value(layer.forward(inputs: [tape.constant(a), tape.constant(b)], [], on: tape,
                                            context: ForwardContext(training: false))).scalars
        }
        #expect(run(.add) == [6, 4, -4, 12])
        #expect(run(.subtract) == [-4, -8, 10, -4])
        #expect(run(.multiply) == [5, -12, -21, 32])
        #expect(run(.average) == [3, 2, -2, 6])
        #expect(run(.maximum) == [5, 6, 3, 8])
        #expect(run(.minimum) == [1, -2, -7, 4])
        #expect(run(.concatenate) == [1, -2, 5, 6, 3, 4, -7, 8])
        #expect(run(.concatenate, axis: 1) == [1, -2, 3, 4, 5, 6, -7, 8])
        #expect(run(.concatenate, axis: -2) == [1, -2, 3, 4, 5, 6, -7, 8])
    }

    @Test func maximumSendsATieToTheFirstInput() {
        let tape = Tape<Double>()
        let a = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
        let b = tape.variable(Tensor(unchecked: [2], scalars: [1, 3]))
        let y = tape.extremum([a, b], largest: true)
        let g = tape.gradients(of: y, seed: Tensor(unchecked: [2], scalars: [10, 20]), withRespectTo: [a, b])
        #expect(g[0].scalars == [10, 0])
        #expect(g[1].scalars == [0, 20])
    }

    @Test func codeBuiltGraphsAreChecked() throws {
        let d = DenseLayer(name: "d", spec: DenseSpec(units: 3), inputShape: [3])
        let add = MergeLayer(name: "s", spec: MergeSpec(operation: .add), inputShapes: [[3], [3]])
        let inputs = [ModelInput(name: "a", shape: [3]), ModelInput(name: "b", shape: [3])]
        let model = try Model(name: "g", inputs: inputs, layers: [d, add], layerInputs: [[.input(0)], [.layer(0), .input(1)]],
                              loss: LossSpec(kind: .meanSquaredError))
        #expect(model.inputs[1].offset == 3)
        #expect(throws: ModelError.self) {
            try Model(name: "g", inputs: inputs, layers: [d, add], layerInputs: [[.input(0)], [.layer(1), .input(1)]],
                      loss: LossSpec(kind: .meanSquaredError))
        }
        #expect(throws: ModelError.self) {
            try Model(name: "g", inputs: inputs, layers: [d, add], layerInputs: [[.input(0)], [.input(0), .input(1)]],
                      loss: LossSpec(kind: .meanSquaredError))
        }
    }

    @Test func graphFilesRoundTrip() throws {
        let a = Tensor<Double>(unchecked: [2, 1], scalars: [1, 2])
        let b = Tensor<Double>(unchecked: [2, 2], scalars: [3, 4, 5, .nan])
        let batch = BatchFile(inputs: .named([NamedTensor(name: "a", tensor: a), NamedTensor(name: "b", tensor: b)]),
                              targets: Tensor(unchecked: [2], scalars: [0, 1]))
        let decoded = try BatchFile.decode(JSONParser.parse(JSONWriter.pretty.fileContents(for: batch.jsonValue())))
        #expect(decoded.namedInputs["b"]?.shape == [2, 2])
        #expect(decoded.namedInputs.names == ["a", "b"])
        #expect(decoded.namedInputs["a"] == a)
        let grads = GradientsFile(loss: 0.5, parameters: [NamedTensor(name: "d/kernel", tensor: a)],
                                  namedInputs: .named([NamedTensor(name: "b", tensor: a)]))
        let back = try GradientsFile.decode(JSONParser.parse(JSONWriter.pretty.fileContents(for: grads.jsonValue())))
        #expect(back == grads)
        #expect(back.inputs == nil)
        // One input stays a plain tensor.
        let plain = GradientsFile(loss: 0.5, parameters: [], inputs: a)
        #expect(try GradientsFile.decode(JSONParser.parse(JSONWriter.pretty.fileContents(for: plain.jsonValue()))).inputs == a)
        // Batch sizes must agree across inputs.
        #expect(throws: SpecError.self) {
            try BatchFile.decode(json: #"{"inputs": {"a": {"shape": [2], "values": [1, 2]}, "b": {"shape": [3], "values": [1, 2, 3]}}, "targets": {"shape": [2], "values": [0, 1]}}"#)
        }
    }

    @Test func packInputsChecksNamesAndShapes() throws {
        let model = try Model(spec: ModelSpec.decode(json: Self.graph(#"{"type": "add", "inputs": ["a", "b"]}"#)))
        let t = Tensor<Double>(unchecked: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try model.packInputs(.named([NamedTensor(name: "b", tensor: t), NamedTensor(name: "a", tensor: t)])).shape == [2, 6])
        func error(_ given: InputTensors) -> String? {
            do { _ = try model.packInputs(given, file: "b.json"); return nil } catch { return error.description }
        }
        #expect(error(.single(t))?.hasPrefix("b.json: inputs: the model has 2 inputs") == true)
        #expect(error(.named([NamedTensor(name: "a", tensor: t)])) == #"b.json: inputs: missing input "b" of shape [batch] + [3]"#)
        #expect(error(.named([NamedTensor(name: "a", tensor: t), NamedTensor(name: "b", tensor: t), NamedTensor(name: "c", tensor: t)]))
            == #"b.json: inputs["c"]: the model has no input of that name (it has a, b)"#)
        #expect(error(.named([NamedTensor(name: "a", tensor: t), NamedTensor(name: "b", tensor: Tensor.zeros([2, 2]))]))
            == #"b.json: inputs["b"].shape: expected [batch] + [3] with batch ≥ 1, got [2, 2]"#)
    }
}
