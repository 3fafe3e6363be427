import GradCheckAutograd
import GradCheckTensor
import Testing
@testable import GradCheckNN

@Suite struct EmbeddingLayerTests {
    static let table = Tensor<Double>(unchecked: [4, 2], scalars: [0, 1, 10, 11, 20, 21, 30, 31])

    @Test func looksUpRowsAndScatterAddsTheGradient() {
        let layer = EmbeddingLayer(name: "embedding_1", spec: EmbeddingSpec(inputDim: 4, outputDim: 2), inputShape: [3])
        #expect(layer.outputShape == [3, 2])
        #expect(layer.takesIndices)
        #expect(layer.parameters.map(\.name) == ["embedding_1/embeddings"])
        #expect(layer.parameters[0].shape == [4, 2])
        #expect(layer.parameters[0].initializer == .randomUniform(minval: -0.05, maxval: 0.05))
        let ids = Tensor<Double>(unchecked: [2, 3], scalars: [2, 0, 2, 3, 3, 1])
        let tape = Tape<Double>()
        let x = tape.variable(ids), t = tape.variable(Self.table)
        let y = layer.forward(x, [t], on: tape, context: ForwardContext(training: true))
        #expect(tape.value(y).shape == [2, 3, 2])
        #expect(tape.value(y).scalars == [20, 21, 0, 1, 20, 21, 30, 31, 30, 31, 10, 11])
        let g = Tensor<Double>(unchecked: [2, 3, 2], scalars: (1...12).map(Double.init))
        let grads = tape.gradients(of: y, seed: g, withRespectTo: [x, t])
        // Row 2 is used twice (positions 0 and 2), row 3 twice (3 and 4).
        let expected: [Double] = [3, 4, 11, 12, 6, 8, 16, 18]  // row 2: 1+5, 2+6; row 3: 7+9, 8+10
        #expect(grads[1].scalars == expected)
        // No gradient flows to the ids.
        #expect(grads[0].scalars.allSatisfy { $0 == 0 })
    }

    @Test func batchValidationNamesTheBadID() throws {
        let spec = try ModelSpec.decode(json: """
        {"name": "e", "input_shape": [3], "loss": "sparse_categorical_crossentropy",
         "layers": [{"type": "embedding", "input_dim": 5, "output_dim": 2}, {"type": "flatten"},
                    {"type": "dense", "units": 2, "activation": "softmax"}]}
        """)
        let model = try Model(spec: spec)
        #expect(model.takesIndices)
        func error(_ values: [Double]) -> String? {
            do {
                try model.checkInputs(Tensor<Double>(unchecked: [2, 3], scalars: values), file: "batch.json")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error([0, 1, 2, 3, 4, 4]) == nil)
        #expect(error([0, 1, 2, 3, 5, 4]) == "batch.json: inputs.values[4]: embedding_1: expected a token id, an integer in 0..<5, got 5.0")
        #expect(error([0, 1.5, 2, 3, 4, 4]) == "batch.json: inputs.values[1]: embedding_1: expected a token id, an integer in 0..<5, got 1.5")
        #expect(error([0, 1, -1, 3, 4, 4])?.contains("inputs.values[2]") == true)
        #expect(error([0, 1, 2, .nan, 4, 4])?.contains("inputs.values[3]") == true)
    }

    @Test func anEmbeddingMustBeTheFirstLayer() throws {
        let spec = try ModelSpec.decode(json: """
        {"name": "e", "input_shape": [3], "loss": "mean_squared_error",
         "layers": [{"type": "dense", "units": 3}, {"type": "embedding", "input_dim": 5, "output_dim": 2}]}
        """, file: "m.json")
        #expect(throws: ModelError.self) { try Model(spec: spec, file: "m.json") }
        do {
            _ = try Model(spec: spec, file: "m.json")
        } catch {
            #expect(error.description.hasPrefix("m.json: layers[1]: embedding_1: takes integer token ids"))
        }
    }

    @Test func aRowOfNaNForAnIDOutOfRangeRatherThanATrap() {
        let tape = Tape<Double>(recording: false)
        let y = tape.embeddingLookup(tape.constant(Tensor(unchecked: [1, 2], scalars: [1, 9])), tape.constant(Self.table))
        let v = tape.value(y).scalars
        #expect(Array(v[0..<2]) == [10, 11])
        #expect(v[2].isNaN && v[3].isNaN)
    }
}
