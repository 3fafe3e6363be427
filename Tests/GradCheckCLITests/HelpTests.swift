import Foundation
import Testing
@testable import GradCheckCLI

/// `--help`, `COMMAND --help` and `--version`.
@Suite struct HelpTests {
    /// What each command must accept, written out here so that a flag dropped from a
    /// command's declaration (and so from its help) is caught.
    static let expectedFlags: [String: [String]] = {
        let session = ["weights", "batch", "data", "label", "batch-size", "seed"]
        return [
            "check": session + ["eps", "atol", "rtol", "layer", "max-elements", "threads", "no-layers", "no-model", "format"],
            "gradients": session + ["output"],
            "compare": session + ["reference", "atol", "rtol", "format"],
            "validate": ["format"],
        ]
    }()

    /// The flags a help text lists (`--name` at the start of an option line).
    static func listedFlags(_ help: String) -> [String] {
        help.split(separator: "\n").compactMap { line in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("--") else { return nil }
            return String(trimmed.dropFirst(2).prefix { $0.isLetter || $0 == "-" })
        }
    }

    @Test func topLevelHelp() {
        for spelling in ["--help", "-h", "help"] {
            let result = CLI.run(spelling)
            #expect(result.status == 0, "\(spelling)")
            #expect(result.standardError.isEmpty)
            #expect(result.standardOutput.contains("USAGE"))
            for command in ["check", "gradients", "compare", "validate"] {
                #expect(result.standardOutput.contains("  \(command) "), "\(command) in: \(result.standardOutput)")
            }
            #expect(result.standardOutput.contains("Exit status"))
        }
    }

    /// The flags a command declares (what its parser accepts).
    static func declaredFlags(_ command: String) -> [Arguments.Flag]? {
        switch command {
        case "check": CheckCommand.flags
        case "gradients": GradientsCommand.flags
        case "compare": CompareCommand.flags
        case "validate": ValidateCommand.flags
        default: nil
        }
    }

    @Test(arguments: ["check", "gradients", "compare", "validate"])
    func commandHelpListsEveryFlag(command: String) throws {
        let result = CLI.run(command, "--help")
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE: gradcheck \(command)"))
        let listed = Self.listedFlags(result.standardOutput)
        // The flags documented for the command are all there...
        for flag in try #require(Self.expectedFlags[command]) {
            #expect(listed.contains(flag), "--\(flag) missing from `\(command) --help`:\n\(result.standardOutput)")
        }
        // ...and the help lists exactly what the parser accepts, each once.
        let flags = try #require(Self.declaredFlags(command))
        #expect(listed.sorted() == (flags.map(\.name) + ["help"]).sorted(), "\(command): listed \(listed.sorted())")
        for flag in flags {
            let argument = flag.valueName == nil ? ["--\(flag.name)"] : ["--\(flag.name)", "1"]
            #expect(throws: Never.self, "--\(flag.name)") { _ = try Arguments(["spec.json"] + argument, flags: flags) }
            if let value = flag.valueName {
                #expect(result.standardOutput.contains("--\(flag.name) \(value)"), "--\(flag.name) shows its value name")
            }
        }
    }

    /// Every command the CLI has (more may be added) answers `--help` with its usage.
    @Test func everyCommandHasHelp() {
        let top = CLI.run("--help").standardOutput
        for command in GradCheckCommand.commands {
            let result = CLI.run(command.name, "--help")
            #expect(result.status == 0, "\(command.name)")
            #expect(result.standardOutput == command.help())
            #expect(result.standardOutput.contains("USAGE: gradcheck \(command.name)"), "\(command.name)")
            #expect(Self.listedFlags(result.standardOutput).contains("help"), "\(command.name)")
            #expect(top.contains("  \(command.name) "), "\(command.name) in the top-level help")
        }
    }

    @Test func helpAnywhereOnTheLineWinsAndHelpCommandForm() {
        let late = CLI.run("check", CLI.spec("iris-mlp"), "--eps", "1e-6", "--help")
        #expect(late.status == 0)
        #expect(late.standardOutput.contains("USAGE: gradcheck check"))
        let short = CLI.run("compare", "-h")
        #expect(short.status == 0)
        #expect(short.standardOutput.contains("--reference"))
        let form = CLI.run("help", "gradients")
        #expect(form.status == 0)
        #expect(form.standardOutput == CLI.run("gradients", "--help").standardOutput)
    }

    @Test func checkHelpExplainsExitStatusAndTolerance() {
        let help = CLI.run("check", "--help").standardOutput
        #expect(help.contains("Exit status"))
        #expect(help.contains("kink"))
        #expect(help.contains("atol + rtol"))
    }

    @Test func version() {
        let result = CLI.run("--version")
        #expect(result.status == 0)
        #expect(result.standardOutput == "gradcheck \(GradCheckCommand.version)\n")
        #expect(GradCheckCommand.version.split(separator: ".").count == 3)
        #expect(result.standardError.isEmpty)
    }
}
