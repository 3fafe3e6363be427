import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// The sequence, attention and normalisation layers pass the verifier (every VJP against
/// central differences, float64, full mode), each alone at random points and in
/// combination; max-pooling ties in the 1-D and global poolings are kinks, and the
/// dot-product test holds for each layer alone.
@Suite struct SequenceLayerCheckTests {
    typealias C = ConvLayerCheckTests

    /// One layer (and what follows it) and the per-sample input it runs on.
    static let cases: [(layers: String, input: [Int])] = [
        (#"{"type": "conv1d", "filters": 3, "kernel_size": 3}"#, [7, 2]),
        (#"{"type": "conv1d", "filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2, "activation": "tanh"}"#, [8, 3]),
        (#"{"type": "conv1d", "filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", "use_bias": false, "kernel_regularizer": {"l2": 0.1}}"#, [7, 2]),
        (#"{"type": "conv1d", "filters": 2, "kernel_size": 3, "padding": "same", "dilation_rate": 3, "activation": "softplus"}"#, [9, 2]),
        (#"{"type": "max_pooling1d"}"#, [7, 3]),
        (#"{"type": "max_pooling1d", "pool_size": 3, "strides": 2, "padding": "same"}"#, [8, 2]),
        (#"{"type": "average_pooling1d", "pool_size": 3, "strides": 2, "padding": "same"}"#, [8, 2]),
        (#"{"type": "global_average_pooling1d"}"#, [5, 3]),
        (#"{"type": "global_max_pooling1d"}"#, [5, 3]),
        (#"{"type": "global_max_pooling2d"}"#, [4, 3, 2]),
        (#"{"type": "rms_normalization"}"#, [4, 5]),
        (#"{"type": "group_normalization", "groups": 3}"#, [4, 6]),
        (#"{"type": "group_normalization", "groups": 2, "scale": false, "gamma_regularizer": {"l2": 0.1}}"#, [3, 2, 4]),
        (#"{"type": "bidirectional", "layer": {"type": "gru", "units": 3, "return_sequences": true}}"#, [4, 2]),
        (#"{"type": "bidirectional", "layer": {"type": "lstm", "units": 3}, "merge_mode": "sum"}"#, [4, 2]),
        (#"{"type": "bidirectional", "layer": {"type": "simple_rnn", "units": 3, "return_sequences": true}, "merge_mode": "mul"}"#, [4, 2]),
        (#"{"type": "bidirectional", "layer": {"type": "gru", "units": 2}, "merge_mode": "ave"}"#, [4, 3]),
        (#"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 3}"#, [4, 5]),
        (#"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 2, "value_dim": 3, "use_causal_mask": true, "kernel_regularizer": {"l1": 0.01}}"#, [5, 4]),
        (#"{"type": "multi_head_attention", "num_heads": 1, "key_dim": 4, "use_bias": false, "use_causal_mask": true}"#, [3, 2]),
    ]

    static func model(_ index: Int) throws -> Model {
        let c = cases[index]
        return try C.model(c.layers + #", {"type": "flatten"}, {"type": "dense", "units": 2}"#, input: c.input)
    }

    @Test(arguments: 0..<cases.count)
    func layerAloneAtRandomPointsPassesFullMode(index: Int) throws {
        let m = try Self.model(index)
        let report = try C.check(m)
        C.expectAllPass(report, "\(Self.cases[index].layers)")
        // Every parameter of the layer is checked, on its own and in the whole model.
        for p in m.layers[0].parameters {
            #expect(report.results.filter { $0.parameter == p.name }.count == 2, "\(p.name)")
        }
    }

    @Test(arguments: 0..<cases.count)
    func dotProductTestHoldsForEachLayer(index: Int) throws {
        let m = try Self.model(index)
        let x = C.random([3] + m.inputShape, seed: 21)
        let report = try ModelChecker(checker: GradientChecker(mode: .dotProduct(probes: 3)), seed: 2)
            .check(m, parameters: C.parameters(m, seed: 4), inputs: x, targets: C.targets(m, batch: 3, seed: 5))
        #expect(report.passed, "\(Self.cases[index].layers)")
        for r in report.results { #expect(r.note == nil && r.status == .pass, "\(r.target) \(r.parameter)") }
    }

    @Test func aTransformerStyleStackPasses() throws {
        let m = try C.model("""
            {"type": "conv1d", "filters": 6, "kernel_size": 2, "padding": "causal"},
            {"type": "residual", "layers": [{"type": "layer_normalization"},
                {"type": "multi_head_attention", "num_heads": 2, "key_dim": 3, "use_causal_mask": true}]},
            {"type": "residual", "layers": [{"type": "rms_normalization"},
                {"type": "dense", "units": 8, "activation": "gelu"}, {"type": "dense", "units": 6}]},
            {"type": "group_normalization", "groups": 3},
            {"type": "bidirectional", "layer": {"type": "gru", "units": 2, "return_sequences": true}},
            {"type": "global_average_pooling1d"}, {"type": "dense", "units": 3}
            """, input: [5, 3], loss: #"{"type": "sparse_categorical_crossentropy", "from_logits": true}"#)
        C.expectAllPass(try C.check(m, batch: 3))
    }

    @Test func globalMaxPoolingTiesAreKinksNotFailures() throws {
        // Each channel's maximum appears at two time steps.
        let m = try C.model(#"{"type": "global_max_pooling1d"}, {"type": "dense", "units": 2}"#, input: [4, 2])
        var x = C.random([2, 4, 2], seed: 3)
        for b in 0..<2 {
            for c in 0..<2 {
                x.scalars[(b * 4 + 1) * 2 + c] = 5 + Double(c)
                x.scalars[(b * 4 + 3) * 2 + c] = 5 + Double(c)
            }
        }
        let report = try C.check(m, inputs: x)
        #expect(report.passed)
        let layer = try #require(report.results.first { $0.target == "global_max_pooling1d_1" && $0.parameter == "inputs" })
        #expect(layer.status == .kink)
        #expect(layer.failures == 0)
        #expect(layer.kinks > 0)
    }

    @Test func theCausalMaskIsNotAKink() throws {
        // Masked scores are constant −∞: nothing there is non-differentiable, so a full
        // check reports plain passes, no kinks.
        let m = try C.model(#"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 2, "use_causal_mask": true}, {"type": "flatten"}, {"type": "dense", "units": 2}"#,
                            input: [4, 3])
        let report = try C.check(m)
        C.expectAllPass(report)
        #expect(report.results.allSatisfy { $0.kinks == 0 })
    }

    @Test func aWrongAttentionVJPIsCaught() throws {
        // The attention layer with the value path's input gradient dropped: full mode must
        // fail the layer's input gradient.
        let m = try Self.model(17)
        let broken = BrokenValueAttention(core: try #require(m.layers[0] as? MultiHeadAttentionLayer))
        let planted = try Model(name: "planted", inputShape: m.inputShape, layers: [broken] + Array(m.layers.dropFirst()),
                                loss: m.loss.spec)
        let report = try C.check(planted)
        #expect(!report.passed)
        #expect(report.results.contains { $0.target == "multi_head_attention_1" && $0.parameter == "inputs" && $0.status == .fail })
    }
}

/// Multi-head attention whose value input passes no gradient back (a planted bug).
struct BrokenValueAttention: Layer {
    let core: MultiHeadAttentionLayer
    var name: String { core.name }
    var typeName: String { core.typeName }
    var inputShape: [Int] { core.inputShape }
    var outputShape: [Int] { core.outputShape }
    var parameters: [ParameterDescriptor] { core.parameters }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        let detached = tape.custom([x], value: tape.value(x), vjp: { _ in [nil] }, jvp: { _ in Tensor.zeros(tape.value(x).shape) })
        return core.attention(query: x, value: detached, key: x, parameters: parameters, on: tape).output
    }
}
