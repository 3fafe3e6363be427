import Foundation
import Testing
@testable import GradCheckCLI

/// One output convention for every command: --format (listed in --help), --output FILE
/// written whole, --quiet, --no-color / NO_COLOR, Keras names, every error at once.
@Suite struct OutputConventionTests {
    static let commands = GradCheckCommand.commands.map(\.name)

    @Test func everyCommandsHelpListsItsFormatsAndTheCommonFlags() {
        #expect(Set(Self.commands) == ["check", "gradients", "compare", "validate", "report", "train", "clip-lab", "doctor", "import", "sweep", "merge", "audit"])
        for command in Self.commands {
            let help = CLI.run(command, "--help")
            #expect(help.status == 0)
            let formats = help.standardOutput.split(separator: "\n").first { $0.hasPrefix("FORMATS: ") }
            #expect(formats != nil, "\(command) --help names no formats:\n\(help.standardOutput)")
            #expect(formats?.contains("json") == true, "\(command)")
            for flag in ["--format", "--output FILE", "--quiet", "--no-color"] {
                #expect(help.standardOutput.contains(flag), "\(command) --help lacks \(flag)")
            }
        }
    }

    @Test func aFormatACommandDoesNotWriteIsBadInputNamingTheOnesItDoes() {
        let r = CLI.run("check", CLI.spec("tiny-logits"), "--format", "html")
        #expect(r.status == 2)
        #expect(r.standardError.contains("--format: expected one of text, json, markdown"), "\(r.transcript)")
        let typo = CLI.run("validate", CLI.spec("tiny-logits"), "--format", "jsno")
        #expect(typo.standardError.contains(#"did you mean "json"?"#), "\(typo.transcript)")
        let flag = CLI.run("validate", CLI.spec("tiny-logits"), "--outptu", "x")
        #expect(flag.standardError.contains("did you mean --output?"), "\(flag.transcript)")
    }

    @Test func outputWritesTheSameBytesWholeAndNotesTheFile() throws {
        let dir = try CLI.temporaryDirectory()
        for (command, extra) in [("validate", ["--format", "json"]), ("gradients", []), ("check", ["--format", "markdown", "--no-layers"]),
                                 ("audit", ["--format", "markdown"])] {
            let path = dir.appendingPathComponent("\(command).out").path
            let direct = CLI.run([command, CLI.spec("tiny-logits")] + extra)
            let written = CLI.run([command, CLI.spec("tiny-logits"), "--output", path] + extra)
            #expect(written.status == direct.status, "\(written.transcript)")
            #expect(written.standardOutput.isEmpty)
            #expect(written.standardError.contains("wrote \(path)"), "\(written.transcript)")
            let text = try CLI.read(path)
            if command == "check" {   // the timing differs between runs
                #expect(text.hasPrefix("## gradcheck check"))
            } else {
                #expect(text == direct.standardOutput)
            }
            let quiet = CLI.run([command, CLI.spec("tiny-logits"), "--output", path, "--quiet"] + extra)
            #expect(quiet.standardError.isEmpty, "\(quiet.transcript)")
        }
        // Only the files themselves: no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["audit.out", "check.out", "gradients.out", "validate.out"])
        let unwritable = CLI.run("validate", CLI.spec("tiny-logits"), "--output", dir.appendingPathComponent("no/such/dir/x").path)
        #expect(unwritable.status == 2)
        #expect(unwritable.standardError.contains("--output: cannot write"), "\(unwritable.transcript)")
    }

    @Test func coloursOnlyOnATerminalAndNeverWithNoColor() {
        let args = ["check", CLI.spec("tiny-logits"), "--no-layers"]
        let esc = "\u{1B}["
        #expect(GradCheckCommand.run(args, terminal: true, environment: [:]).standardOutput.contains(esc + "32m"))
        #expect(!GradCheckCommand.run(args, terminal: true, environment: ["NO_COLOR": "1"]).standardOutput.contains(esc))
        #expect(!GradCheckCommand.run(args + ["--no-color"], terminal: true, environment: [:]).standardOutput.contains(esc))
        #expect(!GradCheckCommand.run(args, terminal: false, environment: [:]).standardOutput.contains(esc))
        #expect(!GradCheckCommand.run(args + ["--format", "json"], terminal: true, environment: [:]).standardOutput.contains(esc))
        // Errors: the prefix in red on a terminal.
        let bad = GradCheckCommand.run(["validate", "/no/such/spec.json"], terminal: true, environment: [:])
        #expect(bad.standardError.hasPrefix("\u{1B}[31mgradcheck validate:"), "\(bad.transcript)")
    }

    @Test func progressLinesOnlyOnATerminal() {
        let console = Console(capture: true, terminal: false)
        let line = console.progress("work")
        line.update(done: 1, total: 2, unit: "elements")
        line.finish()
        #expect(console.standardError.isEmpty)
        #expect(ProgressLine.grouped(118_612) == "118,612")
        #expect(ProgressLine.grouped(12) == "12")
        #expect(ProgressLine.duration(1.2) == "2 s")
        #expect(ProgressLine.duration(600) == "10 min")
    }

    @Test func validatePrintsKerasNames() throws {
        let r = CLI.run("validate", CLI.spec("iris-mlp"))
        #expect(r.status == 0, "\(r.transcript)")
        #expect(r.standardOutput.contains("sparse_categorical_crossentropy"), "\(r.standardOutput)")
        let activations = CLI.run("validate", CLI.spec("tiny-activations"))
        for swiftName in ["sparseCategoricalCrossentropy", "categoricalCrossentropy", "leakyRelu", "hardSigmoid", "geluTanh",
                          "logSoftmax", "meanSquaredError", "identity", "huber(delta", "(alpha:"] {
            #expect(!r.standardOutput.contains(swiftName) && !activations.standardOutput.contains(swiftName),
                    "a Swift case name leaks: \(swiftName)\n\(activations.standardOutput)")
        }
        let json = CLI.run("validate", CLI.spec("tiny-regression-huber"), "--format", "json")
        #expect(try CLI.object(json.standardOutput)["loss"] as? String == "huber (delta 0.5)", "\(json.standardOutput)")
    }

    @Test func validateListsEveryProblemOfASpec() throws {
        let path = try CLI.write(#"""
            {"input_shape": [4], "layers": [{"type": "dense", "unit": 3}, {"type": "dense", "units": 3, "activation": "rleu"}],
             "loss": "sparse_categorical_crossentropy", "trainin": {}}
            """#, name: "three.json")
        let r = CLI.run("validate", path)
        #expect(r.status == 2)
        let lines = r.standardError.split(separator: "\n")
        #expect(lines.count == 4, "\(r.transcript)")
        #expect(lines.first?.hasPrefix("gradcheck validate: \(path): trainin: unknown key; did you mean \"training\"?") == true, "\(r.transcript)")
        #expect(r.standardError.contains("\(path): layers[0].unit: unknown key; did you mean \"units\"?"))
        #expect(r.standardError.contains("\(path): layers[1].activation: unknown activation \"rleu\"; did you mean \"relu\"?"))
    }

    @Test func weightsThatDoNotFitListEveryMismatch() throws {
        let path = try CLI.writeJSON(["parameters": [
            "dense_1/kernal": ["shape": [4, 6], "values": Array(repeating: 0.0, count: 24)],
            "dense_1/bias": ["shape": [5], "values": Array(repeating: 0.0, count: 5)],
        ]], name: "w.json")
        let r = CLI.run("gradients", CLI.spec("tiny-logits"), "--weights", path)
        #expect(r.status == 2)
        #expect(r.standardError.contains(#"parameters["dense_1/kernal"]: the model has no parameter of that name"#), "\(r.transcript)")
        #expect(r.standardError.contains(#"did you mean "dense_1/kernel"?"#))
        #expect(r.standardError.contains(#"parameters["dense_1/bias"].shape: expected [6]"#))
        #expect(r.standardError.contains(#"missing parameter "dense_2/kernel""#))
    }

    @Test func gradientsPrintsJSONByDefaultAndATableOnRequest() throws {
        let json = CLI.run("gradients", CLI.spec("tiny-logits"))
        #expect(try CLI.object(json.standardOutput)["format"] as? String == "gradcheck.gradients/1")
        let text = CLI.run("gradients", CLI.spec("tiny-logits"), "--format", "text")
        #expect(text.status == 0, "\(text.transcript)")
        #expect(text.standardOutput.hasPrefix("gradcheck gradients tiny-logits: loss "), "\(text.standardOutput)")
        for row in ["dense_1/kernel", "dense_2/bias", "inputs"] { #expect(text.standardOutput.contains(row)) }
    }

    @Test func aSpecWithoutANameWorksForEveryCommandAndIsNamedAfterItsFile() throws {
        let dir = try CLI.temporaryDirectory()
        let spec = try CLI.write(#"{"input_shape": [4], "layers": [{"type": "dense", "units": 3}], "loss": {"type": "sparse_categorical_crossentropy", "from_logits": true}}"#,
                                 name: "nameless.json", in: dir)
        let data = CLI.dataset("iris.csv")
        let log = dir.appendingPathComponent("run.jsonl").path
        let runs: [[String]] = [
            ["validate", spec], ["check", spec], ["gradients", spec, "--format", "text"], ["audit", spec],
            ["train", spec, "--data", data, "--epochs", "1", "--log", log],
            ["clip-lab", spec, "--data", data, "--epochs", "1", "--seeds", "1", "--policies", "none"],
        ]
        for args in runs {
            let r = CLI.run(args)
            #expect(r.status == 0, "\(args[0]): \(r.transcript)")
            #expect(r.standardOutput.contains("nameless"), "\(args[0]) does not name the model after its file:\n\(r.standardOutput)")
        }
        let reference = dir.appendingPathComponent("g.json").path
        #expect(CLI.run("gradients", spec, "--output", reference).status == 0)
        #expect(CLI.run("compare", spec, "--reference", reference).status == 0)
        #expect(try CLI.read(log).contains(#""model":"nameless""#))
    }

    @Test func doctorSaysWhatItRunsOn() throws {
        let r = CLI.run("doctor")
        #expect(r.status == 0, "\(r.transcript)")
        for label in ["gradcheck", "toolchain", "os", "arch", "cpu features", "kernel", "threads", "python", "torch", "keras"] {
            #expect(r.standardOutput.split(separator: "\n").contains { $0.hasPrefix(label + " ") }, "no \(label) line:\n\(r.standardOutput)")
        }
        // The kernel line names the variant the dispatcher chose, and what else this CPU runs.
        let kernelLine = r.standardOutput.split(separator: "\n").first { $0.hasPrefix("kernel ") } ?? ""
        #expect(kernelLine.contains("(this CPU supports: "), "\(kernelLine)")
        let json = try CLI.object(CLI.run("doctor", "--format", "json").standardOutput)
        #expect(json["format"] as? String == "gradcheck.doctor/1")
        #expect((json["threads"] as? Int ?? 0) >= 1)
        #expect(CLI.run("doctor", "extra").status == 2)
        // A Python that does not exist: the references are reported missing, not an error.
        let none = try CLI.object(CLI.run("doctor", "--format", "json", "--python", "/no/such/python").standardOutput)
        let python = try #require(none["python"] as? [String: Any])
        #expect((python["torch"] as? [String: Any])?["available"] as? Bool == false)
    }
}
