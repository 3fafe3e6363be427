import Foundation
import GradCheck

/// `gradcheck merge FILES...`: the one merge of sharded work. It reads the files' format
/// tag and merges the parts of a sharded check (`gradcheck.check-part/1`, written by
/// `check --shard K/N`) into the report of the unsharded run, or the results files of a
/// sharded sweep (`gradcheck.sweep-results/1`), as `sweep --merge` does.
///
/// Exit status: check parts 0 passed, 1 failed; sweep results 0; 2 bad input (a file
/// that is not a part, a shard missing or given twice, parts of different checks).
enum MergeCommand {
    static let flags: [Arguments.Flag] = [
        .init(name: "results", valueName: "FILE", help: "sweep results: also write the merged results file"),
        .init(name: "best-spec", valueName: "FILE", help: "sweep results: write the best configuration's spec to FILE (whole)"),
        .init(name: "html", valueName: "FILE", help: "sweep results: write the HTML report"),
    ] + OutputOptions.flags(OutputFormat.allCases)

    static var help: String {
        helpText(usage: "merge PART... [options]", description: """
        Merges the files that the shards of one job wrote, by their "format" tag:

          gradcheck.check-part/1       parts of `gradcheck check SPEC --shard K/N --output part-K.json`:
                                       every shard 1..N exactly once, all of the same check (spec,
                                       weights, batch and settings); prints the report of the unsharded
                                       run (same verdict, counts and worst elements) in --format
                                       text, json or markdown; the time is the shards' total
          gradcheck.sweep-results/1    results files of `gradcheck sweep --shard K/N --results FILE`
                                       (the same as `gradcheck sweep --merge FILES`)

        Exit status: check parts 0 when every check passes, 1 when any fails; sweep results 0; 2 on bad
        input (a missing or duplicate shard, parts of different checks, a file of another format).
        """, flags: flags)
    }

    /// The format tag of the file at `path`: of its JSON document, or of its first line
    /// (JSON Lines).
    static func formatTag(_ path: String) throws -> (tag: String, document: JSONValue?) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("\(path): cannot read the file: \(FileProblem.reason(error, path: path, writing: false))")
        }
        let bytes = [UInt8](data)
        if let whole = try? JSONParser.parse(bytes, file: path), let tag = whole["format"]?.stringValue {
            return (tag, whole)
        }
        let firstLine = Array(bytes.prefix { $0 != UInt8(ascii: "\n") })
        if let header = try? JSONParser.parse(firstLine, file: path), let tag = header["format"]?.stringValue {
            return (tag, nil)
        }
        throw CLIError("\(path): format: expected a JSON document or JSON Lines file with \"format\": "
            + "\"\(CheckPartFile.format)\" or \"\(SweepHeader.format)\"")
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let paths = args.positionals
        guard let first = paths.first else {
            throw CLIError("give the part files to merge (e.g. part-*.json)")
        }
        let firstTag = try formatTag(first).tag
        if firstTag == SweepHeader.format {
            return try SweepCommand.run(["--merge"] + argv, console: console)
        }
        guard firstTag == CheckPartFile.format else {
            throw CLIError("\(first): format: expected \"\(CheckPartFile.format)\" or \"\(SweepHeader.format)\", got \"\(firstTag)\"")
        }
        let output = try OutputOptions(args, formats: [.text, .json, .markdown])
        console.apply(output)
        for flag in ["results", "best-spec", "html"] where args.string(flag) != nil {
            throw CLIError("--\(flag) applies to sweep results files, not to check parts")
        }
        var parts: [(path: String, part: CheckPartFile)] = []
        for path in paths {
            let (tag, document) = try formatTag(path)
            guard tag == CheckPartFile.format, let document else {
                throw CLIError("\(path): format: expected \"\(CheckPartFile.format)\" like \(first), got \"\(tag)\"")
            }
            parts.append((path, try CheckPartFile(json: document, path: path)))
        }
        let merged = try CheckPartFile.merge(parts)
        let rendered = CheckCommand.render(merged.report, format: output.format, batch: merged.batch, note: merged.note,
                                           seconds: merged.seconds)
        try console.emit(rendered, output, summary: merged.report.passed ? "passed" : "FAILED")
        return merged.report.passed ? 0 : 1
    }
}
