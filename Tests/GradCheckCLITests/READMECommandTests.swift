import Foundation
import Testing
@testable import GradCheckCLI

/// Every command the README shows runs as written: the shell lines of its fenced blocks
/// (```sh, or ``` without a language) that start with `gradcheck` or `swift run`, run in
/// order with the built `gradcheck` binary in a fresh directory that holds only the
/// repository's `Fixtures/` (what a fresh clone has), so the files they write land there.
/// `swift test` and `swift build` lines, and lines marked `# needs python`, are skipped;
/// lines marked `# slow`, and `swift run -c release` lines, run only with a release binary
/// (CI builds it before the tests).
@Suite struct READMECommandTests {
    /// One README command.
    struct Command: CustomStringConvertible {
        var line: String
        var arguments: [String]
        /// Marked `# slow`: minutes in a debug build.
        var slow = false
        var description: String { line }
    }

    /// The commands to run, and the lines skipped with the reason.
    static func commands(in readme: String) -> (run: [Command], skipped: [(line: String, reason: String)]) {
        var run: [Command] = [], skipped: [(String, String)] = []
        var inBlock = false, runnable = false, pending = ""
        for raw in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                if inBlock { inBlock = false } else { inBlock = true; runnable = line == "```sh" || line == "```" }
                pending = ""
                continue
            }
            guard inBlock, runnable else { continue }
            if line.hasSuffix("\\") { pending += String(line.dropLast()) + " "; continue }
            let full = pending + line
            pending = ""
            if full.contains("# needs python") { skipped.append((full, "needs Python")); continue }
            let words = tokens(full.components(separatedBy: "  #")[0])
            if words.first == "gradcheck" {
                run.append(Command(line: full, arguments: Array(words.dropFirst()), slow: full.contains("# slow")))
            } else if words.starts(with: ["swift", "run"]) {
                guard let i = words.firstIndex(of: "gradcheck") else { skipped.append((full, "not gradcheck")); continue }
                let release = words[..<i].contains("release")
                run.append(Command(line: full, arguments: Array(words[(i + 1)...]), slow: release || full.contains("# slow")))
            } else if words.first == "swift" {
                skipped.append((full, "builds or tests the package itself"))
            }
        }
        return (run, skipped)
    }

    /// Shell words: whitespace-separated, with single and double quotes.
    static func tokens(_ line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, started = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c; started = true
            } else if c == " " || c == "\t" {
                if started || !current.isEmpty { words.append(current) }
                current = ""; started = false
            } else {
                current.append(c)
            }
        }
        if started || !current.isEmpty { words.append(current) }
        return words
    }

    /// The `gradcheck` binary of this build: next to the test bundle, else in `.build/debug`;
    /// the release binary instead when it is at least as new (CI builds it first, and the
    /// README's training and lab commands take minutes in a debug build).
    static func binary() -> URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gradcheck"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("gradcheck"),
            CLI.root.appendingPathComponent(".build/debug/gradcheck"),
        ]
        guard let debug = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else { return nil }
        let release = debug.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("release/gradcheck")
        func modified(_ url: URL) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
        }
        if FileManager.default.isExecutableFile(atPath: release.path), let r = modified(release), let d = modified(debug), r >= d {
            return release
        }
        return debug
    }

    @Test func theExtractorFindsCommandsAndSkipsTheRest() {
        let text = """
        ```sh
        swift run gradcheck check a.json   # the main job
        swift run -c release gradcheck check big.json
        swift test
        gradcheck train b.json --data "my data.csv" \\
            --log x.jsonl
        gradcheck compare c.json --reference r.json   # needs python
        gradcheck clip-lab d.json   # slow: many runs
        ```
        ```swift
        gradcheck not-a-command
        ```
        """
        let (run, skipped) = Self.commands(in: text)
        #expect(run.map(\.arguments) == [["check", "a.json"], ["check", "big.json"], ["train", "b.json", "--data", "my data.csv", "--log", "x.jsonl"],
                                          ["clip-lab", "d.json"]])
        #expect(run.map(\.slow) == [false, true, false, true])
        #expect(skipped.map(\.reason) == ["builds or tests the package itself", "needs Python"])
    }

    @Test func everyREADMECommandRunsAsWritten() throws {
        let readme = try CLI.read(CLI.root.appendingPathComponent("README.md").path)
        let (commands, _) = Self.commands(in: readme)
        #expect(commands.count >= 8, "\(commands)")
        let binary = try #require(Self.binary(), "the gradcheck binary is not built next to the tests")
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Fixtures"),
                                                   withDestinationURL: CLI.root.appendingPathComponent("Fixtures"))
        let release = binary.deletingLastPathComponent().lastPathComponent == "release"
        for command in commands where release || !command.slow {
            let process = Process()
            process.executableURL = binary
            process.arguments = command.arguments
            process.currentDirectoryURL = dir
            process.environment = ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            // Both streams go to files, so that a large output can never block the process.
            let outPath = dir.appendingPathComponent("stdout.txt"), errPath = dir.appendingPathComponent("stderr.txt")
            FileManager.default.createFile(atPath: outPath.path, contents: nil)
            FileManager.default.createFile(atPath: errPath.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: outPath)
            process.standardError = try FileHandle(forWritingTo: errPath)
            try process.run()
            process.waitUntilExit()
            let output = try Data(contentsOf: outPath), errors = try Data(contentsOf: errPath)
            let status = process.terminationStatus
            #expect(process.terminationReason == .exit && (status == 0 || status == 1),
                    "README command `\(command.line)` exited \(status):\n\(String(decoding: errors, as: UTF8.self))\(String(decoding: output.prefix(2000), as: UTF8.self))")
        }
    }
}
