import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// `gradcheck check --shard K/N` and `gradcheck merge`: the merge of the parts is the
/// report of the unsharded run, field by field; a missing or duplicate shard, or parts of
/// different checks, are bad input naming the file; `--budget` samples and says so.
@Suite struct ShardedCheckMergeTests {
    /// A plain MLP, a graph, and a check that fails (zero tolerances, a coarse step).
    static let cases: [(spec: String, flags: [String], status: Int32)] = [
        ("iris-mlp", ["--seed", "3", "--batch-size", "5"], 0),
        ("graph-skip", [], 0),
        ("tiny-regression-mse", ["--rtol", "0", "--atol", "0", "--eps", "1e-2"], 1),
    ]

    /// The shards' part files of `spec`, in `dir`.
    static func parts(_ spec: String, _ flags: [String], count: Int = 3, in dir: URL, tag: String = "") throws -> [String] {
        try (1...count).map { k in
            let path = dir.appendingPathComponent("part\(tag)-\(k).json").path
            let r = CLI.run(["check", CLI.spec(spec), "--shard", "\(k)/\(count)", "--output", path] + flags)
            #expect(r.status == 0 || r.status == 1, "\(r.transcript)")
            #expect(r.standardError.contains("wrote \(path)"), "\(r.transcript)")
            return path
        }
    }

    /// The document without its timing.
    static func untimed(_ text: String) throws -> JSONValue {
        guard case var .object(o) = try JSONParser.parse(text) else { throw CLIError("not an object") }
        o["seconds"] = nil
        return .object(o)
    }

    @Test(arguments: cases.map(\.spec))
    func mergeOfThreeShardsIsTheSingleRun(spec: String) throws {
        let (_, flags, status) = Self.cases.first { $0.spec == spec }!
        let dir = try CLI.temporaryDirectory()
        let parts = try Self.parts(spec, flags, in: dir)
        let part = try JSONParser.parse(try CLI.read(parts[0]))
        #expect(part["format"]?.stringValue == "gradcheck.check-part/1")
        #expect(part["shard"]?["count"]?.intValue == 3)

        let single = CLI.run(["check", CLI.spec(spec), "--format", "json"] + flags)
        let merged = CLI.run(["merge", "--format", "json"] + parts)
        #expect(single.status == status && merged.status == status, "\(merged.transcript)")
        let a = try Self.untimed(single.standardOutput), b = try Self.untimed(merged.standardOutput)
        // Field by field, so a difference names its field.
        for key in Set(a.objectValue!.keys).union(b.objectValue!.keys) {
            #expect(a[key] == b[key], "\(spec): \(key) differs")
        }
        #expect(a == b)
        // Text too, up to the timing on the last line; the shards' order does not matter.
        let text = CLI.run(["check", CLI.spec(spec)] + flags)
        let mergedText = CLI.run(["merge"] + parts.reversed())
        let untimedLines = { (s: String) in s.split(separator: "\n").dropLast().joined(separator: "\n") }
        #expect(untimedLines(text.standardOutput) == untimedLines(mergedText.standardOutput), "\(mergedText.transcript)")
        #expect(CLI.run(["merge", "--format", "markdown"] + parts).standardOutput.hasPrefix("## gradcheck check"))
        // The part does not depend on the thread count.
        let one = dir.appendingPathComponent("one-thread.json").path
        _ = CLI.run(["check", CLI.spec(spec), "--shard", "2/3", "--threads", "1", "--output", one] + flags)
        #expect(try Self.untimed(CLI.read(one)) == Self.untimed(CLI.read(parts[1])))
    }

    @Test func missingDuplicateOrForeignPartsAreBadInputNamingTheFile() throws {
        let dir = try CLI.temporaryDirectory()
        let parts = try Self.parts("iris-mlp", [], in: dir)
        let missing = CLI.run(["merge", parts[0], parts[2]])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("2/3 missing"), "\(missing.transcript)")

        let copy = dir.appendingPathComponent("copy-of-1.json").path
        try FileManager.default.copyItem(atPath: parts[0], toPath: copy)
        let duplicate = CLI.run(["merge"] + parts + [copy])
        #expect(duplicate.status == 2)
        #expect(duplicate.standardError.contains(copy) && duplicate.standardError.contains("1/3"), "\(duplicate.transcript)")

        let otherSpec = try Self.parts("tiny-regression-mse", [], in: dir, tag: "-mse")
        let foreign = CLI.run(["merge", parts[0], otherSpec[1], parts[2]])
        #expect(foreign.status == 2)
        #expect(foreign.standardError.contains(otherSpec[1]) && foreign.standardError.contains("another check"), "\(foreign.transcript)")

        let seeded = try Self.parts("iris-mlp", ["--seed", "1"], in: dir, tag: "-seed")
        let flags = CLI.run(["merge", parts[0], parts[1], seeded[2]])
        #expect(flags.status == 2)
        #expect(flags.standardError.contains(seeded[2]) && flags.standardError.contains("--seed=1"), "\(flags.transcript)")

        let twoWay = try Self.parts("iris-mlp", [], count: 2, in: dir, tag: "-two")
        let counts = CLI.run(["merge", parts[0], twoWay[1]])
        #expect(counts.status == 2 && counts.standardError.contains(twoWay[1]), "\(counts.transcript)")

        let report = dir.appendingPathComponent("report.json").path
        _ = CLI.run("check", CLI.spec("iris-mlp"), "--format", "json", "--output", report)
        let notAPart = CLI.run(["merge", report])
        #expect(notAPart.status == 2)
        #expect(notAPart.standardError.contains(report) && notAPart.standardError.contains("gradcheck.check-part/1"), "\(notAPart.transcript)")

        let broken = try CLI.write(try CLI.read(parts[1]).replacingOccurrences(of: "\"elements_checked\"", with: "\"elements_chekced\""),
                                   name: "broken.json", in: dir)
        let damaged = CLI.run(["merge", parts[0], broken, parts[2]])
        #expect(damaged.status == 2)
        #expect(damaged.standardError.contains("\(broken): checks[0].elements_checked: expected an integer"), "\(damaged.transcript)")
    }

    @Test(arguments: [
        (["--shard", "4/3"], "1 ≤ K ≤ N"), (["--shard", "1-3"], "K/N"), (["--shard", "1/2", "--mode", "fast"], "--mode full"),
        (["--shard", "1/2", "--format", "text"], "check-part"), (["--shard", "1/2", "--budget", "5"], "--max-elements"),
        (["--budget", "0"], "--budget"), (["--budget", "5", "--mode", "dot"], "--mode full"),
    ])
    func badShardAndBudgetFlagsAreBadInput(flags: [String], mention: String) {
        let r = CLI.run(["check", CLI.spec("iris-mlp")] + flags)
        #expect(r.status == 2, "\(r.transcript)")
        #expect(r.standardError.contains(mention), "\(r.transcript)")
    }

    @Test func aBudgetTooSmallForTheWholeCheckSamplesEveryTensorAndSaysSo() throws {
        let args = ["check", CLI.spec("iris-mlp"), "--budget", "1e-7", "--seed", "4"]
        let json = CLI.run(args + ["--format", "json"])
        #expect(json.status == 0, "\(json.transcript)")
        let doc = try JSONParser.parse(json.standardOutput)
        let fraction = try #require(doc["sampled"]?["fraction"]?.doubleValue)
        #expect(fraction > 0 && fraction < 1)
        #expect(doc["sampled"]?["seed"]?.intValue == 4)
        let checks = try #require(doc["checks"]?.arrayValue)
        // Every tensor is checked, the large ones in part.
        #expect(checks.allSatisfy { ($0["elements_checked"]?.intValue ?? 0) >= min(16, $0["elements"]?.intValue ?? 0) })
        #expect(checks.contains { $0["elements_checked"]!.intValue! < $0["elements"]!.intValue! })
        // The same seed samples the same elements.
        #expect(try JSONParser.parse(CLI.run(args + ["--format", "json"]).standardOutput)["checks"] == doc["checks"])
        let text = CLI.run(args)
        #expect(text.standardOutput.contains("SAMPLED: "), "\(text.transcript)")
        #expect(text.standardError.contains("--budget"), "\(text.transcript)")
        #expect(CLI.run(args + ["--format", "markdown"]).standardOutput.contains("SAMPLED: "))
        // A failing check still fails when sampled.
        let failing = CLI.run("check", CLI.spec("tiny-regression-mse"), "--rtol", "0", "--atol", "0", "--eps", "1e-2", "--budget", "1e-7")
        #expect(failing.status == 1 && failing.standardOutput.contains("SAMPLED: "), "\(failing.transcript)")
        // A budget the check fits in changes nothing.
        let roomy = CLI.run("check", CLI.spec("iris-mlp"), "--budget", "1000", "--format", "json")
        #expect(try JSONParser.parse(roomy.standardOutput)["sampled"] == nil)
    }
}
