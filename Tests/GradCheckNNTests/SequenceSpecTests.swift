import Foundation
import Testing
@testable import GradCheckNN

/// Decoding of the sequence, attention and normalisation layer types: Keras names and
/// defaults, errors that name the path and suggest the right key or value, and a lossless
/// round trip through JSON.
@Suite struct SequenceSpecTests {
    static func spec(_ layers: String, input: String) -> String {
        #"{"name": "m", "input_shape": "# + input + #", "layers": ["# + layers + #"], "loss": "mean_squared_error"}"#
    }

    static func decode(_ layers: String, input: String = "[8, 4]") throws -> ModelSpec {
        try ModelSpec.decode(json: spec(layers, input: input), file: "model.json")
    }

    static func error(_ layers: String, input: String = "[8, 4]") -> String? {
        SpecTestSupport.modelError(spec(layers, input: input))
    }

    static func buildError(_ layers: String, input: String = "[8, 4]") throws -> String? {
        let s = try decode(layers, input: input)
        do {
            _ = try Model(spec: s, file: "model.json")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func everyTypeDecodesWithKerasDefaults() throws {
        let s = try Self.decode("""
            {"type": "conv1d", "filters": 4, "kernel_size": [3]}, {"type": "max_pooling1d"},
            {"type": "average_pooling1d", "pool_size": 1}, {"type": "rms_normalization"},
            {"type": "group_normalization", "groups": 2},
            {"type": "bidirectional", "layer": {"type": "gru", "units": 2, "return_sequences": true, "name": "ignored"}},
            {"type": "multi_head_attention", "num_heads": 2, "key_dim": 3},
            {"type": "global_max_pooling1d"}
            """)
        #expect(s.layers.map(\.name) == ["conv1d_1", "max_pooling1d_1", "average_pooling1d_1", "rms_normalization_1",
                                         "group_normalization_1", "bidirectional_1", "multi_head_attention_1", "global_max_pooling1d_1"])
        #expect(s.layers[0].kind == .conv1D(Conv1DSpec(filters: 4, kernelSize: 3)))
        guard case let .conv1D(conv) = s.layers[0].kind else { Issue.record("conv1d"); return }
        #expect(conv.strides == 1 && conv.padding == .valid && conv.dilationRate == 1 && conv.useBias)
        #expect(s.layers[1].kind == .maxPooling1D(Pooling1DSpec(poolSize: 2, strides: 2, padding: .valid)))
        #expect(s.layers[2].kind == .averagePooling1D(Pooling1DSpec(poolSize: 1, strides: 1)))
        #expect(s.layers[3].kind == .rmsNormalization(RMSNormalizationSpec(epsilon: 1e-6)))
        #expect(s.layers[4].kind == .groupNormalization(GroupNormalizationSpec(groups: 2, epsilon: 1e-3)))
        #expect(s.layers[5].kind == .bidirectional(BidirectionalSpec(layerType: .gru, layer: RecurrentSpec(units: 2, returnSequences: true),
                                                                     mergeMode: .concat)))
        guard case let .multiHeadAttention(mha) = s.layers[6].kind else { Issue.record("mha"); return }
        #expect(mha.valueDim == 3 && mha.useBias && !mha.useCausalMask && mha.dropout == 0)
        #expect(try Self.decode(#"{"type": "group_normalization"}"#, input: "[4, 64]").layers[0].kind
            == .groupNormalization(GroupNormalizationSpec(groups: 32)))
        let m = try Model(spec: s)
        #expect(m.layers.map(\.outputShape) == [[6, 4], [3, 4], [3, 4], [3, 4], [3, 4], [3, 4], [3, 4], [4]])
    }

    @Test func theSpecRoundTripsThroughJSON() throws {
        let s = try Self.decode("""
            {"type": "conv1d", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"},
            {"type": "conv1d", "filters": 4, "kernel_size": 2, "padding": "causal", "dilation_rate": 2, "use_bias": false},
            {"type": "max_pooling1d", "pool_size": 2, "strides": 1, "padding": "same"},
            {"type": "rms_normalization", "epsilon": 0.001},
            {"type": "group_normalization", "groups": 2, "center": false, "gamma_regularizer": {"l2": 0.1}},
            {"type": "bidirectional", "layer": {"type": "lstm", "units": 2, "return_sequences": true}, "merge_mode": "mul"},
            {"type": "multi_head_attention", "num_heads": 2, "key_dim": 3, "value_dim": 2, "use_causal_mask": true, "use_bias": false},
            {"type": "global_average_pooling1d"}
            """, input: "[9, 3]")
        let again = try ModelSpec.decode(json: s.jsonValue.description)
        #expect(again.layers == s.layers)
    }

    @Test func badKeysAndValuesNameThePathAndSuggest() {
        let e = { (layers: String) in Self.error(layers) }
        #expect(e(#"{"type": "conv1d", "filters": 2, "kernel_size": 3, "dilation": 2}"#)
            == #"model.json: layers[0].dilation: unknown key; did you mean "dilation_rate"?"#)
        #expect(e(#"{"type": "conv1d", "filters": 2, "kernel_size": 3, "padding": "casual"}"#)
            == #"model.json: layers[0].padding: unknown padding "casual"; did you mean "causal"?"#)
        #expect(e(#"{"type": "conv1d", "filters": 2, "kernel_size": [3, 3]}"#)
            == "model.json: layers[0].kernel_size: expected a positive integer (or an array of one), got [3, 3]")
        #expect(e(#"{"type": "conv1d", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}"#)
            == "model.json: layers[0].dilation_rate: strides 2 and dilation_rate 2 cannot both exceed 1 (as in Keras)")
        #expect(e(#"{"type": "conv2d", "filters": 2, "kernel_size": 3, "padding": "causal"}"#)?.contains("did you mean \"same\"") == true)
        #expect(e(#"{"type": "max_pooling1d", "padding": "causal"}"#)?.contains("unknown padding \"causal\"") == true)
        #expect(e(#"{"type": "rms_normalization", "epsilon": 0}"#) == "model.json: layers[0].epsilon: expected a positive number, got 0")
        #expect(e(#"{"type": "rms_normalization", "groups": 2}"#) == #"model.json: layers[0].groups: a "rms_normalization" layer has no key "groups""#)
        #expect(e(#"{"type": "group_normalization", "group": 2}"#) == #"model.json: layers[0].group: unknown key; did you mean "groups"?"#)
        #expect(e(#"{"type": "bidirectional", "layer": {"type": "gru", "units": 2}, "merge_mode": "avg"}"#)
            == #"model.json: layers[0].merge_mode: unknown merge_mode "avg"; did you mean "ave"?"#)
        #expect(e(#"{"type": "bidirectional", "layer": {"type": "dense", "units": 2}}"#)
            == #"model.json: layers[0].layer.type: a bidirectional layer wraps a recurrent layer (simple_rnn, lstm, gru), got "dense""#)
        #expect(e(#"{"type": "bidirectional", "layer": {"type": "lsmt", "units": 2}}"#)?.hasSuffix(#"did you mean "lstm"?"#) == true)
        #expect(e(#"{"type": "bidirectional", "layer": {"type": "gru", "unit": 2}}"#)
            == #"model.json: layers[0].layer.unit: unknown key; did you mean "units"?"#)
        #expect(e(#"{"type": "bidirectional"}"#) == #"model.json: layers[0]: missing required key "layer""#)
        #expect(e(#"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 3, "dropout": 0.1}"#)?
            .hasPrefix("model.json: layers[0].dropout: dropout on attention probabilities is not supported yet") == true)
        #expect(e(#"{"type": "multi_head_attention", "num_heads": 2, "keydim": 3}"#)
            == #"model.json: layers[0].keydim: unknown key; did you mean "key_dim"?"#)
        #expect(e(#"{"type": "multi_head_attention", "num_heads": 2}"#) == #"model.json: layers[0]: missing required key "key_dim""#)
        #expect(e(#"{"type": "MultiHeadAttention", "num_heads": 2, "key_dim": 3}"#)?.hasSuffix(#"did you mean "multi_head_attention"?"#) == true)
        #expect(e(#"{"type": "Conv1D", "filters": 2, "kernel_size": 3}"#)?.hasSuffix(#"did you mean "conv1d"?"#) == true)
    }

    @Test func shapesThatDoNotFitAreModelErrorsNamingTheLayer() throws {
        #expect(try Self.buildError(#"{"type": "group_normalization", "groups": 3}"#)
            == "model.json: layers[0]: group_normalization_1: groups 3 must divide the 4 channels of an input of shape [8, 4]")
        #expect(try Self.buildError(#"{"type": "conv1d", "filters": 2, "kernel_size": 5, "dilation_rate": 2}"#)?
            .hasPrefix("model.json: layers[0]: conv1d_1: a kernel spanning 9 steps") == true)
        #expect(try Self.buildError(#"{"type": "conv1d", "filters": 2, "kernel_size": 2}"#, input: "[4, 4, 2]")
            == "model.json: layers[0]: conv1d_1: needs an input of rank 2 (timesteps, channels), got [4, 4, 2]")
        #expect(try Self.buildError(#"{"type": "max_pooling1d", "pool_size": 9}"#)?.hasPrefix("model.json: layers[0]: max_pooling1d_1:") == true)
        #expect(try Self.buildError(#"{"type": "global_max_pooling2d"}"#)
            == "model.json: layers[0]: global_max_pooling2d_1: needs an input of rank 3 (height, width, channels), got [8, 4]")
        #expect(try Self.buildError(#"{"type": "multi_head_attention", "num_heads": 2, "key_dim": 3}"#, input: "[8]")
            == "model.json: layers[0]: multi_head_attention_1: needs a query of rank 2 (timesteps, features), got [8]")
        #expect(try Self.buildError(#"{"type": "bidirectional", "layer": {"type": "gru", "units": 2}}"#, input: "[8]")?
            .hasPrefix("model.json: layers[0]: bidirectional_1:") == true)
    }
}
