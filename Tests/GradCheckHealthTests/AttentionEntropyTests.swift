import Foundation
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckHealth

/// The attention-entropy statistic, its log fields and the collapse rule.
@Suite struct AttentionEntropyTests {
    static func entropy(_ p: [Double], queries: Int, keys: Int, causal: Bool = false) -> Double? {
        p.withUnsafeBufferPointer { TensorStatistics.attentionEntropy($0, queries: queries, keys: keys, causal: causal) }
    }

    @Test func uniformRowsAreOneAndOneHotRowsAreZero() throws {
        #expect(Self.entropy([Double](repeating: 0.25, count: 8), queries: 2, keys: 4) == 1)
        #expect(Self.entropy([1, 0, 0, 0, 0, 0, 1, 0], queries: 2, keys: 4) == 0)
        // [0.5, 0.5, 0, 0]: log 2 / log 4 = 0.5; averaged with a uniform row: 0.75.
        let h = try #require(Self.entropy([0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25], queries: 2, keys: 4))
        #expect(abs(h - 0.75) < 1e-15)
    }

    @Test func aCausalRowIsNormalisedByItsOwnVisibleKeys() throws {
        // Query 0 sees one key (skipped), query 1 two, query 2 three: uniform over what each
        // sees is entropy 1, although no row is uniform over all three keys.
        let p: [Double] = [1, 0, 0, 0.5, 0.5, 0, 1 / 3.0, 1 / 3.0, 1 / 3.0]
        let causal = try #require(Self.entropy(p, queries: 3, keys: 3, causal: true))
        #expect(abs(causal - 1) < 1e-12)
        // Without the mask the same rows are judged over all three keys, row 0 included.
        let plain = try #require(Self.entropy(p, queries: 3, keys: 3))
        #expect(abs(plain - (0 + log(2) / log(3) + 1) / 3) < 1e-12)
        // A causal batch of two samples and two heads: the query index repeats per block.
        let blocks = Array([[Double]](repeating: p, count: 4).joined())
        #expect(abs(try #require(Self.entropy(blocks, queries: 3, keys: 3, causal: true)) - 1) < 1e-12)
        // A single query that sees only itself says nothing.
        #expect(Self.entropy([1, 0], queries: 1, keys: 2, causal: true) == nil)
    }

    @Test func nonFiniteAndMisshapenValuesAreNotAnEntropy() {
        #expect(Self.entropy([0.5, .nan], queries: 1, keys: 2)?.isNaN == true)
        #expect(Self.entropy([0.5, 0.5, 1], queries: 1, keys: 2) == nil)
        #expect(Self.entropy([0.5, 0.5, 0.5, 0.5], queries: 3, keys: 2, causal: true) == nil)
        #expect(Self.entropy([], queries: 1, keys: 0) == nil)
    }

    @Test func theMonitorMeasuresAttentionLayersByTheirProbabilities() throws {
        let writer = RunLogWriter()
        let layers = [RunLayer(name: "mha", activation: .attention(causal: true), units: 3),
                      RunLayer(name: "dense", activation: .reluFamily, units: 2)]
        let m = try HealthMonitor(model: "m", parameters: [RunParameter(name: "w", layer: "dense", shape: [2])],
                                  layers: layers, log: writer, options: .everything)
        let probabilities = try Tensor<Float>(shape: [1, 1, 3, 3], scalars: [1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5])
        try m.recordStep(loss: 1, gradients: ["w": [Float(1), 2]],
                         activations: ["mha": probabilities, "dense": try Tensor<Float>(shape: [2, 2], scalars: [1, 0, 2, 0])])
        let stats = try #require(m.log.steps.first?.layers)
        let mha = try #require(stats.first { $0.name == "mha" })
        let expected = (1 + (-(0.2 * log(0.2) + 0.3 * log(0.3) + 0.5 * log(0.5)) / log(3))) / 2
        #expect(abs(try #require(mha.attentionEntropy) - expected) < 1e-6)   // float32 probabilities
        #expect(mha.mean == nil && mha.deadFraction == nil)
        #expect(stats.first { $0.name == "dense" }?.deadFraction == 0.5)
        try m.finish(status: .completed)

        // The log says what the statistic is, and reads back on both parsing paths.
        #expect(writer.lines[0].contains(#""activation":"attention","causal":true"#))
        #expect(writer.lines[1].contains(#""attention_entropy":"#))
        let log = try RunLog.parse(writer.text)
        #expect(log.start?.layers.first == layers[0])
        #expect(log.steps.first?.layers.first { $0.name == "mha" }?.attentionEntropy == mha.attentionEntropy)
        let dir = try Synthetic.directory()
        let path = dir.appendingPathComponent("run.jsonl").path
        try writer.text.write(toFile: path, atomically: true, encoding: .utf8)
        let read = try RunLog.read(path: path)
        #expect(read.steps.first?.layers.first { $0.name == "mha" }?.attentionEntropy == mha.attentionEntropy)
    }

    @Test func aBadCausalFlagIsAnErrorWithItsPath() {
        let line = #"{"event":"run_start","format":"gradcheck.log/1","parameters":[],"layers":[{"name":"a","activation":"attention","causal":"yes"}]}"#
        #expect(throws: RunLogError.self) { try RunLog.parse(line + "\n") }
        do {
            _ = try RunLog.parse(line + "\n")
        } catch {
            #expect("\(error)".contains("layers[0].causal"))
        }
    }

    static let attention = [RunLayer(name: "mha", activation: .attention(causal: false), units: 16)]

    static func run(entropy: @escaping (Int) -> Double) -> RunLog {
        Synthetic.run(steps: 60, layers: attention) { name, t in
            t % 5 == 1 ? LayerStats(name: name, attentionEntropy: entropy(t)) : nil
        }
    }

    @Test func collapsedAttentionIsAFindingAndHealthyAttentionIsNot() throws {
        // Entropy falling from 0.9 to 0.02 over the run: collapsed in its second half.
        let collapsing = Self.run { t in max(0.02, 0.9 - Double(t) / 30) }
        let report = HealthReport(log: collapsing)
        let f = try #require(report.findings.first { $0.kind == .attentionCollapse })
        #expect(f.layer == "mha" && f.severity == .warning)
        #expect(f.message.contains("collapsed"))
        #expect(f.evidence.contains { $0.name == "median_attention_entropy" && $0.value <= 0.1 })
        #expect(f.suggestion.contains("learning rate"))
        #expect(!Synthetic.kinds(Self.run { _ in 0.8 }).contains(.attentionCollapse))
        // Sharp but not collapsed (0.3): no finding at the default; one with a higher threshold.
        var t = HealthThresholds()
        #expect(!Synthetic.kinds(Self.run { _ in 0.3 }).contains(.attentionCollapse))
        t.attentionEntropy = 0.35
        #expect(Synthetic.kinds(Self.run { _ in 0.3 }, t).contains(.attentionCollapse))
        // The report's JSON carries the threshold.
        #expect(report.json()["thresholds"]?["attention_entropy"]?.doubleValue == 0.1)
    }
}
