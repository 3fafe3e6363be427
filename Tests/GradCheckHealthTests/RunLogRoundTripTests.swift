import Foundation
import Testing
@testable import GradCheckHealth

/// The run log's writer and reader agree on every event, through a file and in memory.
@Suite struct RunLogRoundTripTests {
    static let events: [RunLogEvent] = [
        .runStart(RunStart(model: "mlp \"quoted\"", parameters: [
            RunParameter(name: "dense_1/kernel", layer: "dense_1", shape: [64, 32]),
            RunParameter(name: "dense_1/bias", layer: "dense_1", shape: [32]),
            RunParameter(name: "fc.weight", layer: "fc"),
        ], layers: [
            RunLayer(name: "dense_1", activation: .reluFamily, units: 32),
            RunLayer(name: "dense_2", activation: .sigmoid),
            RunLayer(name: "dense_3", activation: .other, units: 10),
        ])),
        .step(RunStep(step: 1, epoch: 1, loss: 2.302585092994046, gradNorm: 0.9, clippedGradNorm: 0.5,
                         learningRate: 1e-3,
                         parameters: [ParameterStats(name: "dense_1/kernel", gradNorm: 0.42, gradMax: 0.05,
                                                     weightNorm: 11.3, updateNorm: 0.0004),
                                      ParameterStats(name: "fc.weight", gradNorm: 1e-300)],
                         layers: [LayerStats(name: "dense_1", mean: 0.1, std: 0.9, deadFraction: 0.25),
                                  LayerStats(name: "dense_2", mean: 0.5, std: 0.1, saturatedFraction: 0.125)],
                         nonfinite: [])),
        .step(RunStep(step: 2, loss: .nan, gradNorm: .infinity, parameters: [
            ParameterStats(name: "dense_1/kernel", gradNorm: -.infinity, gradMax: .nan),
        ], nonfinite: [NonfiniteOrigin(pass: .forward, layer: "dense_2", op: "exp", value: .infinity),
                       NonfiniteOrigin(pass: .backward, layer: "dense_1", op: "matmul", parameter: "dense_1/kernel")])),
        .alert(HealthAlert(kind: .nonfinite, severity: .critical, step: 2, layer: "dense_2", parameter: nil,
                           message: "line\nbreak and \"quotes\"")),
        .epoch(RunEpoch(epoch: 1, step: 2, loss: 1.5, valLoss: 1.7, accuracy: 0.5, valAccuracy: 0.45)),
        .epoch(RunEpoch(epoch: 2)),
        .runEnd(RunEnd(status: .stoppedEarly, step: 2)),
    ]

    /// Events compare equal with NaN read back as NaN.
    static func same(_ a: [RunLogEvent], _ b: [RunLogEvent]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in x.jsonLine == y.jsonLine }
    }

    @Test func everyEventSurvivesAFile() throws {
        let path = try Synthetic.directory().appendingPathComponent("run.jsonl").path
        let writer = try RunLogWriter(path: path)
        for e in Self.events { try writer.write(e) }
        writer.close()
        var reader = try RunLogReader(path: path)
        var back: [RunLogEvent] = []
        while let e = try reader.next() { back.append(e) }
        #expect(Self.same(back, Self.events))
        #expect(reader.warnings.isEmpty)
        // Values without NaN compare exactly, bit for bit.
        #expect(back[0] == Self.events[0])
        #expect(back[1] == Self.events[1])
        #expect(back[4...] == Self.events[4...])
    }

    @Test func inMemoryWriterMatchesTheFileText() throws {
        let dir = try Synthetic.directory()
        let path = dir.appendingPathComponent("run.jsonl").path
        let file = try RunLogWriter(path: path)
        let memory = RunLogWriter()
        for e in Self.events {
            try file.write(e)
            try memory.write(e)
        }
        file.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == memory.text)
        #expect(memory.lines.count == Self.events.count)
        // One JSON object per line, each parseable by Foundation on its own.
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] is String)
        }
    }

    @Test func logGathersEventsByKind() throws {
        let writer = RunLogWriter()
        for e in Self.events { try writer.write(e) }
        let log = try RunLog.parse(writer.text)
        #expect(log.start?.model == "mlp \"quoted\"")
        #expect(log.start?.layers[1].activation == .saturating(lower: 0, upper: 1))
        #expect(log.steps.count == 2)
        #expect(log.steps[1].loss.isNaN)
        #expect(log.steps[1].nonfinite.count == 2)
        #expect(log.alerts.first?.message == "line\nbreak and \"quotes\"")
        #expect(log.epochs.map(\.epoch) == [1, 2])
        #expect(log.end == RunEnd(status: .stoppedEarly, step: 2))
    }

    @Test func stepLineIsCompactAndFollowsTheFormat() {
        let line = RunLogEvent.step(RunStep(step: 3, epoch: 1, loss: 0.5, parameters: [
            ParameterStats(name: "dense_1/kernel", gradNorm: 0.25),
        ])).jsonLine
        #expect(line == #"{"event":"step","step":3,"epoch":1,"loss":0.5,"params":{"dense_1/kernel":{"grad_norm":0.25}}}"#)
    }

    @Test func appendingWriterKeepsEarlierLines() throws {
        let path = try Synthetic.directory().appendingPathComponent("run.jsonl").path
        let first = try RunLogWriter(path: path)
        try first.write(Self.events[0])
        first.close()
        let second = try RunLogWriter(path: path, append: true)
        try second.write(Self.events[6])
        second.close()
        let log = try RunLog.read(path: path)
        #expect(log.start != nil && log.end != nil)
    }

    @Test func writingAfterCloseIsAnError() throws {
        let path = try Synthetic.directory().appendingPathComponent("run.jsonl").path
        let writer = try RunLogWriter(path: path)
        writer.close()
        writer.close()
        #expect(throws: RunLogError.self) { try writer.write(Self.events[0]) }
    }

    @Test func unwritablePathIsAnErrorNamingTheFile() {
        #expect {
            _ = try RunLogWriter(path: "/nonexistent-dir/run.jsonl")
        } throws: { error in
            (error as? RunLogError)?.description.hasPrefix("/nonexistent-dir/run.jsonl: cannot open") == true
        }
    }

    @Test func longLogsStreamAcrossChunks() throws {
        let path = try Synthetic.directory().appendingPathComponent("long.jsonl").path
        let writer = try RunLogWriter(path: path)
        let names = (0..<40).map { "layer_\($0)/kernel" }
        for t in 1...600 {
            try writer.write(.step(RunStep(step: t, loss: 1 / Double(t), parameters: names.map {
                ParameterStats(name: $0, gradNorm: Double(t) * 1e-3, gradMax: 0.1, weightNorm: 3, updateNorm: 1e-3)
            })))
        }
        writer.close()
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int > 3 * 65536)
        let log = try RunLog.read(path: path)
        #expect(log.steps.count == 600)
        #expect(log.steps.last?.parameters.count == 40)
        #expect(log.steps[299].loss == 1 / 300.0)
    }
}
