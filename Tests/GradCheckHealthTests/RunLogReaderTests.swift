import Foundation
import Testing
@testable import GradCheckHealth

/// What the reader accepts, reads past, and rejects.
@Suite struct RunLogReaderTests {
    static let step1 = #"{"event":"step","step":1,"loss":2.3,"params":{"a/kernel":{"grad_norm":0.5}}}"#
    static let step2 = #"{"event":"step","step":2,"loss":2.1,"params":{"a/kernel":{"grad_norm":0.4}}}"#

    static func error(_ text: String) -> RunLogError? {
        do {
            _ = try RunLog.parse(text, file: "run.jsonl")
            return nil
        } catch {
            return error
        }
    }

    @Test func tornLastLineIsAWarningNotAnError() throws {
        let log = try RunLog.parse(Self.step1 + "\n" + Self.step2 + "\n" + #"{"event":"step","step":3,"lo"#)
        #expect(log.steps.count == 2)
        #expect(log.warnings.map(\.kind) == [.tornLastLine])
        #expect(log.warnings[0].line == 3)
    }

    @Test func tornLastLineFollowedByBlankLinesIsStillTorn() throws {
        let log = try RunLog.parse(Self.step1 + "\n" + #"{"event":"st"# + "\n\n  \n")
        #expect(log.steps.count == 1)
        #expect(log.warnings.first?.kind == .tornLastLine)
    }

    @Test func brokenLineInTheMiddleIsAnErrorWithItsLine() throws {
        let e = try #require(Self.error(Self.step1 + "\n{\"event\": \"step\",,}\n" + Self.step2 + "\n"))
        #expect(e.line == 2)
        #expect(e.description.hasPrefix("run.jsonl: line 2: invalid JSON at column"), "\(e)")
    }

    @Test func unknownEventsAreSkippedAndCounted() throws {
        let text = [#"{"event":"checkpoint","path":"a.ckpt"}"#, Self.step1, #"{"event":"checkpoint"}"#,
                    #"{"event":"lr_schedule","lr":0.1}"#, Self.step2,
                    #"{"event":"alert","kind":"gremlins","severity":"warning","step":2}"#].joined(separator: "\n")
        let log = try RunLog.parse(text)
        #expect(log.steps.count == 2)
        #expect(log.alerts.isEmpty)
        #expect(log.warnings.count == 3)
        #expect(log.warnings[0].message.contains("2 lines with unknown event \"checkpoint\""))
        #expect(log.warnings[0].line == 1)
        #expect(log.warnings.map(\.kind) == [.unknownEvent, .unknownEvent, .unknownAlertKind])
    }

    @Test func onlyRequiredFieldsAreEnough() throws {
        let log = try RunLog.parse(Self.step1 + "\r\n" + Self.step2 + "\r\n")
        #expect(log.start == nil)
        #expect(log.steps.map(\.step) == [1, 2])
        #expect(log.steps[0].parameters == [ParameterStats(name: "a/kernel", gradNorm: 0.5)])
        #expect(log.steps[0].gradNorm == nil)
    }

    @Test func extraKeysFromOtherLoggersAreIgnored() throws {
        let log = try RunLog.parse(#"{"event":"step","step":1,"loss":1,"wall_time":12.5,"params":{"w":{"grad_norm":1,"dtype":"f32"}}}"#)
        #expect(log.steps.count == 1)
    }

    @Test(arguments: [
        (#"{"event":"step","step":1,"loss":"big","params":{}}"#, "line 1: loss: expected a number, got \"big\""),
        (#"{"event":"step","step":1.5,"loss":1}"#, "line 1: step: expected a non-negative integer, got 1.5"),
        (#"{"event":"step","loss":1}"#, "line 1: missing required key \"step\""),
        (#"{"event":"step","step":1}"#, "line 1: missing required key \"loss\""),
        (#"{"event":"step","step":1,"loss":1,"params":{"dense_1/kernel":{"grad_max":1}}}"#,
         #"line 1: params["dense_1/kernel"]: missing required key "grad_norm""#),
        (#"{"event":"step","step":1,"loss":1,"params":{"dense_1/kernel":{"grad_norm":[1]}}}"#,
         #"line 1: params["dense_1/kernel"].grad_norm: expected a number, got [1]"#),
        (#"{"event":"step","step":1,"loss":1,"params":[]}"#, "line 1: params: expected an object, got []"),
        (#"{"event":"step","step":1,"loss":1,"layers":{"d":{"dead_fraction":true}}}"#,
         #"line 1: layers["d"].dead_fraction: expected a number, got true"#),
        (#"{"event":"step","step":1,"loss":1,"nonfinite":[{"pass":"sideways"}]}"#,
         #"line 1: nonfinite[0].pass: expected one of "inputs", "forward", "loss", "backward", "update", got "sideways""#),
        (#"{"event":"run_end","status":"complete"}"#,
         #"line 1: status: expected one of "completed", "stopped_early", "diverged", "interrupted", got "complete"; did you mean "completed"?"#),
        (#"{"event":"run_start","format":"gradcheck.log/2"}"#, #"line 1: format: expected "gradcheck.log/1", got "gradcheck.log/2""#),
        (#"{"event":"run_start","parameters":[{"name":"w","shape":[2,-1]}]}"#,
         "line 1: parameters[0].shape[1]: expected a non-negative integer, got -1"),
        (#"{"step":1,"loss":1}"#, "line 1: missing required key \"event\""),
        (#"[1,2]"#, "line 1: expected an object, got [1, 2]"),
        (#"{"event":"epoch","epoch":"one"}"#, "line 1: epoch: expected a non-negative integer, got \"one\""),
    ])
    func wrongTypesNameTheLineAndPath(line: String, expected: String) throws {
        // The bad line is followed by a good one, so it is not the (forgiven) last line.
        let e = try #require(Self.error(line + "\n" + Self.step1))
        #expect(e.description == "run.jsonl: " + expected)
    }

    @Test func nonFiniteNumbersAreStrings() throws {
        let log = try RunLog.parse(#"{"event":"step","step":1,"loss":"nan","grad_norm":"inf","params":{"w":{"grad_norm":"-inf"}}}"#)
        #expect(log.steps[0].loss.isNaN)
        #expect(log.steps[0].gradNorm == .infinity)
        #expect(log.steps[0].parameters[0].gradNorm == -.infinity)
    }

    @Test func missingFileAndDirectoryAreErrors() throws {
        #expect(throws: RunLogError(file: "/no/such/run.jsonl", message: "file not found")) {
            _ = try RunLog.read(path: "/no/such/run.jsonl")
        }
        let dir = try Synthetic.directory().path
        #expect(throws: RunLogError(file: dir, message: "is a directory, not a file")) {
            _ = try RunLog.read(path: dir)
        }
    }

    @Test func emptyAndBlankLogsHaveNoEvents() throws {
        #expect(try RunLog.parse("") == RunLog())
        #expect(try RunLog.parse("\n\n   \n") == RunLog())
    }

    @Test func secondRunStartIsAWarning() throws {
        let start = #"{"event":"run_start","model":"a","parameters":[]}"#
        let log = try RunLog.parse([start, Self.step1, start.replacingOccurrences(of: "\"a\"", with: "\"b\""), Self.step2]
            .joined(separator: "\n"))
        #expect(log.start?.model == "a")
        #expect(log.warnings.map(\.kind) == [.repeatedRunStart])
    }

    /// No input crashes the reader: random bytes and every prefix of a real log give a
    /// log or a ``RunLogError``.
    @Test func arbitraryBytesNeverCrash() throws {
        var rng = SystemRandomNumberGenerator()
        let writer = RunLogWriter()
        for e in RunLogRoundTripTests.events { try writer.write(e) }
        let text = Array(writer.text.utf8)
        for cut in stride(from: 0, through: text.count, by: 7) {
            var reader = RunLogReader(bytes: Array(text[..<cut]))
            do { while try reader.next() != nil {} } catch {}
        }
        for _ in 0..<200 {
            var bytes = text
            for _ in 0..<5 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            var reader = RunLogReader(bytes: bytes)
            do { while try reader.next() != nil {} } catch {}
        }
    }

    @Test func fixtureWithTornLastLine() throws {
        let log = try RunLog.read(path: Synthetic.fixture("torn_last_line.jsonl"))
        #expect(log.warnings.map(\.kind) == [.tornLastLine])
        #expect(log.steps.count >= 3)
        #expect(log.end == nil)
    }

    @Test func fixtureWithUnknownEvents() throws {
        let log = try RunLog.read(path: Synthetic.fixture("unknown_events.jsonl"))
        #expect(log.warnings.contains { $0.kind == .unknownEvent })
        #expect(log.steps.count >= 3)
        #expect(log.end?.status == .completed)
    }

    @Test func fixtureFromPyTorchHasOnlyRequiredFields() throws {
        let log = try RunLog.read(path: Synthetic.fixture("pytorch_iris.jsonl"))
        #expect(log.start == nil)
        #expect(log.warnings.isEmpty)
        #expect(log.steps.count >= 100)
        let names = log.steps[0].parameters.map(\.name)
        #expect(names.contains("0.weight") && names.contains("2.bias"))
        #expect(log.steps.allSatisfy { $0.gradNorm == nil && $0.parameters.allSatisfy { $0.weightNorm == nil } })
    }
}
