import Foundation
import Testing
import GradCheckNN
@testable import GradCheckHealth

/// Logs longer than the accumulator keeps step by step: bounded memory, spikes and NaNs kept.
@Suite struct LongRunTests {
    @Test func shortRunsAreJudgedExactly() throws {
        let log = Synthetic.run(steps: 100, grad: { k, _ in k == 1 ? 1e-9 : 0.5 })
        let exact = HealthReport(log: log)
        var acc = RunAccumulator(capacity: 128)
        if let s = log.start { acc.add(.runStart(s)) }
        for s in log.steps { acc.add(.step(s)) }
        let streamed = acc.report()
        #expect(streamed.findings == exact.findings)
        #expect(streamed.bucketWidth == 1)
    }

    @Test func downsampledSeriesKeepSpikesAndNaNs() throws {
        var acc = RunAccumulator(capacity: 64)
        let parameters = [RunParameter(name: "fc1.weight"), RunParameter(name: "fc2.weight")]
        acc.add(.runStart(RunStart(model: "long", parameters: parameters)))
        for t in 1...10_000 {
            let g = t == 7_001 ? 5e6 : 0.5
            let loss = t >= 9_000 ? Double.nan : Synthetic.healthyLoss(t % 100 + 1)
            acc.add(.step(RunStep(step: t, loss: loss, parameters: parameters.map { ParameterStats(name: $0.name, gradNorm: g) })))
        }
        acc.add(.runEnd(RunEnd(status: .diverged, step: 10_000)))
        let r = acc.report()
        #expect(r.stepCount == 10_000)
        #expect(r.stepRange == 1...10_000)
        #expect(r.bucketWidth >= 10_000 / 64)
        #expect(r.series.count <= 64)
        let exploding = try #require(r.findings(.explodingGradients).first)
        #expect(abs((exploding.firstStep ?? 0) - 7_001) <= r.bucketWidth)
        #expect(try #require(exploding.evidence("peak_norm")) > 1e6)
        let divergence = try #require(r.findings(.lossDivergence).first)
        #expect(abs((divergence.firstStep ?? 0) - 9_000) <= r.bucketWidth)
    }

    @Test func aLogIsReadFromDiskInBuckets() throws {
        let dir = try Synthetic.directory()
        let path = dir.appendingPathComponent("long.jsonl").path
        let writer = try RunLogWriter(path: path)
        let parameters = [RunParameter(name: "fc1.weight")]
        try writer.write(.runStart(RunStart(parameters: parameters)))
        for t in 1...20_000 {
            try writer.write(.step(RunStep(step: t, loss: 1 / Double(t).squareRoot(),
                                           parameters: [ParameterStats(name: "fc1.weight", gradNorm: 0.5)])))
        }
        try writer.write(.runEnd(RunEnd(status: .completed, step: 20_000)))
        writer.close()
        let r = try HealthReport.read(path: path)
        #expect(r.stepCount == 20_000)
        #expect(r.bucketWidth == 4)
        #expect(r.status == .completed)
    }

    @Test func aFollowingReaderWaitsForWholeLines() throws {
        let dir = try Synthetic.directory()
        let url = dir.appendingPathComponent("live.jsonl")
        try Data(#"{"event":"step","step":1,"loss":1,"params":{}}"#.utf8 + [0x0A] + #"{"event":"st"#.utf8).write(to: url)
        var reader = try RunLogReader(path: url.path)
        #expect(try reader.nextAvailable() != nil)
        #expect(try reader.nextAvailable() == nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"ep","step":2,"loss":0.5,"params":{}}"#.utf8 + [0x0A]))
        try handle.close()
        guard case let .step(s)? = try reader.nextAvailable() else { Issue.record("no step 2"); return }
        #expect(s.step == 2)
        #expect(try reader.nextAvailable() == nil)
        #expect(reader.warnings.isEmpty)
    }
}

/// The reader's fast path for step lines gives what the general JSON path gives, and
/// leaves everything it does not understand to it.
@Suite struct StepLineScannerTests {
    static func general(_ line: String) throws -> RunLogEvent? {
        try RunLogEvent.decode(try JSONParser.parse(line), file: nil, line: 1)
    }

    static func fast(_ line: String) -> RunStep? {
        Array(line.utf8).withUnsafeBufferPointer(StepLineScanner.scan)
    }

    @Test(arguments: [
        #"{"event":"step","step":3,"epoch":1,"loss":2.3125,"grad_norm":0.42,"learning_rate":1e-3,"params":{"fc1.weight":{"grad_norm":0.1,"grad_max":0.05,"weight_norm":11.3,"update_norm":4e-4,"grad_zero_fraction":0.25}}}"#,
        #"{ "step" : 7 , "loss" : "-inf", "event" : "step", "params" : { "a/b" : { "grad_norm" : "inf", "extra" : [1, {"x": "y\"z"}, null, true] } } }"#,
        #"{"event":"step","step":1,"loss":-0.0,"clipped_grad_norm":null,"params":{},"layers":{"d":{"mean":0.1,"std":2,"dead_fraction":1,"other":{}}},"nonfinite":[]}"#,
        #"{"event":"step","step":2,"loss":0.30000000000000004,"params":{"p":{"grad_norm":123456789012345678901234567890}}}"#,
    ])
    func theFastPathAgreesWithTheGeneralOne(_ line: String) throws {
        let step = try #require(Self.fast(line))
        #expect(try Self.general(line) == .step(step))
    }

    @Test(arguments: [
        #"{"event":"epoch","epoch":1}"#,
        #"{"event":"step","step":1,"params":{}}"#,
        #"{"event":"step","step":1.5,"loss":1}"#,
        #"{"event":"step","step":1,"loss":1,"params":{"p":{}}}"#,
        #"{"event":"step","step":1,"loss":1,"params":{"p":{"grad_norm":1,"grad_zero_fraction":1.5}}}"#,
        #"{"event":"step","step":1,"loss":1,"params":{"p\u0041":{"grad_norm":1}}}"#,
        #"{"event":"step","step":1,"loss":1,"nonfinite":[{"pass":"loss"}]}"#,
        #"{"event":"step","step":1,"loss":1} trailing"#,
        #"{"event":"step","step":1,"loss":1e999}"#,
    ])
    func anythingElseTakesTheGeneralPath(_ line: String) {
        #expect(Self.fast(line) == nil)
    }
}
