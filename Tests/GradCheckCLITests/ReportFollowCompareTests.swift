import Foundation
import Testing
@testable import GradCheckCLI

/// `gradcheck report --follow` on a log a run is still writing, and `gradcheck report A B`.
@Suite struct ReportFollowCompareTests {
    static func step(_ t: Int, grad: Double = 0.5) -> String {
        #"{"event":"step","step":\#(t),"loss":\#(2 / Double(t)),"params":{"fc1.weight":{"grad_norm":\#(grad)},"fc2.weight":{"grad_norm":\#(grad)}}}"#
    }

    @Test func followRefreshesUntilRunEndAndExitsZero() throws {
        let dir = try CLI.temporaryDirectory()
        let url = dir.appendingPathComponent("live.jsonl")
        try Data((#"{"event":"run_start","format":"gradcheck.log/1","model":"live","parameters":[]}"# + "\n").utf8).write(to: url)
        // The writer: 40 steps in 4 bursts, a torn line in between, then run_end.
        let writer = Thread {
            guard let handle = try? FileHandle(forWritingTo: url) else { return }
            defer { try? handle.close() }
            _ = try? handle.seekToEnd()
            for burst in 0..<4 {
                Thread.sleep(forTimeInterval: 0.15)
                var text = (1...10).map { Self.step(burst * 10 + $0) + "\n" }.joined()
                if burst == 3 { text += #"{"event":"run_end","status":"com"# }
                try? handle.write(contentsOf: Data(text.utf8))
            }
            Thread.sleep(forTimeInterval: 0.15)
            try? handle.write(contentsOf: Data(#"pleted","step":40}"#.utf8 + [0x0A]))
        }
        writer.start()
        let result = CLI.run("report", url.path, "--follow", "--interval", "0.05")
        #expect(result.status == 0, "\(result.transcript)")
        let out = result.standardOutput
        #expect(out.components(separatedBy: "==== gradcheck report --follow").count >= 3, "\(out)")
        #expect(out.contains("40 steps, run ended"))
        #expect(out.contains("ended: completed"))
        #expect(result.standardError.isEmpty, "\(result.transcript)")
    }

    @Test func followTakesOneTextLog() throws {
        let path = try CLI.write(Self.step(1) + "\n", name: "one.jsonl")
        #expect(CLI.run("report", path, path, "--follow").status == 2)
        #expect(CLI.run("report", path, "--follow", "--format", "json").status == 2)
        #expect(CLI.run("report", path, "--interval", "1").status == 2)
    }

    @Test func severalLogsAreComparedSideBySide() throws {
        let healthy = try CLI.write((1...60).map { Self.step($0) + "\n" }.joined(), name: "a.jsonl")
        let exploding = try CLI.write((1...60).map { Self.step($0, grad: $0 < 30 ? 0.5 : 1e7) + "\n" }.joined(),
                                      name: "b.jsonl")
        let text = CLI.run("report", healthy, exploding)
        #expect(text.status == 1, "\(text.transcript)")
        #expect(text.standardOutput.hasPrefix("Comparing 2 runs"))
        #expect(text.standardOutput.contains("exploding_gradients"))
        let json = try CLI.object(CLI.run("report", healthy, exploding, "--format", "json").standardOutput)
        #expect(json["format"] as? String == "gradcheck.healthcompare/1")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["verdict"] as? String } == ["healthy", "unhealthy"])
        #expect(runs[1]["root_cause"] as? String == "exploding_gradients:fc1")
        let html = CLI.run("report", healthy, exploding, "--format", "html").standardOutput
        #expect(html.contains("<svg"))
        #expect(html.contains("[2] exploding_gradients @"))
        #expect(CLI.run("report", healthy, exploding, "--format", "markdown").standardOutput.contains("| `exploding_gradients` |"))
    }
}
