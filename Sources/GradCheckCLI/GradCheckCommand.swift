import Foundation
import GradCheck

/// The `gradcheck` command line: `check`, `gradients`, `compare`, `validate`, `report`,
/// `train`, `import`, `clip-lab`, `doctor`, `sweep` and `merge`.
///
/// Exit status: 0 success (every check passed), 1 a check or comparison failed, 2 bad
/// input (a spec, weights file, batch, CSV or flag that is wrong; the message names the
/// file, the path inside it and what was expected).
public enum GradCheckCommand {
    /// The version printed by `--version`.
    public static let version = "0.2.0"

    /// Runs the command line of this process and exits with its status.
    public static func main() -> Never {
        TensorMemory.keepFreedMemory()
        let console = Console(capture: false)
        let status = run(Array(CommandLine.arguments.dropFirst()), console: console)
        exit(status)
    }

    /// The outcome of a command run in-process (for tests).
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// What went to standard output.
        public var standardOutput: String
        /// What went to standard error.
        public var standardError: String
    }

    /// Runs `arguments` (without the program name) in-process, capturing the output.
    public static func run(_ arguments: [String]) -> Result {
        run(arguments, terminal: false, environment: [:])
    }

    /// Runs `arguments` in-process as if standard output and error were a terminal (or
    /// not), with `environment` (tests of colours and `NO_COLOR`).
    static func run(_ arguments: [String], terminal: Bool, environment: [String: String]) -> Result {
        let console = Console(capture: true, terminal: terminal, environment: environment)
        let status = run(arguments, console: console)
        return Result(status: status, standardOutput: console.standardOutput, standardError: console.standardError)
    }

    static let commands: [(name: String, summary: String, run: @Sendable ([String], Console) throws -> Int32, help: @Sendable () -> String)] = [
        ("check", "verify a model's gradients by central differences (every layer, and the whole model + loss)",
         CheckCommand.run, { CheckCommand.help }),
        ("gradients", "print the loss and analytic gradients as gradcheck.gradients/1",
         GradientsCommand.run, { GradientsCommand.help }),
        ("compare", "compare the gradients with a reference gradients file from another framework",
         CompareCommand.run, { CompareCommand.help }),
        ("validate", "check a spec and print the model summary (layers, output shapes, parameter counts)",
         ValidateCommand.run, { ValidateCommand.help }),
        ("report", "judge a training run from its run log: verdict, findings, evidence, suggestions", ReportCommand.run, { ReportCommand.help }),
        ("train", "train the model on a CSV dataset (Keras optimisers, clipping, early stopping; run log and health report)", TrainCommand.run, { TrainCommand.help }),
        ("import", "translate a Keras 3 model (to_json(), config.json or .keras) into a gradcheck.model/1 spec", ImportCommand.run, { ImportCommand.help }),
        ("clip-lab", "train under several clipping policies and seeds and compare them (divergence, loss, clip rate, cosine)", ClipLabCommand.run, { ClipLabCommand.help }),
        ("doctor", "print the toolchain, OS, CPU features and kernel, threads, and the optional Python references", DoctorCommand.run, { DoctorCommand.help }),
        ("sweep", "hyperparameter sweep with k-fold cross-validation and the gradient health of every trial", SweepCommand.run, { SweepCommand.help }),
        ("merge", "merge the parts of a sharded check (check --shard K/N) or the results files of a sharded sweep", MergeCommand.run, { MergeCommand.help }),
        ("audit", "run every layer and the model in float32 and float64: the digits that agree, and where float16/bfloat16 overflow or flush", AuditCommand.run, { AuditCommand.help }),
    ]

    static func run(_ arguments: [String], console: Console) -> Int32 {
        guard let first = arguments.first else {
            console.err(usage)
            return 2
        }
        switch first {
        case "--help", "-h", "help":
            if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
                console.out(command.help())
            } else {
                console.out(usage)
            }
            return 0
        case "--version":
            console.out("gradcheck \(version)\n")
            return 0
        default: break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            let hint = DidYouMean.suggestion(for: first, among: commands.map(\.name)).map { "; did you mean \"\($0)\"?" } ?? ""
            console.err("gradcheck: unknown command \"\(first)\"\(hint)\n\n\(usage)")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            console.out(command.help())
            return 0
        }
        do {
            return try command.run(rest, console)
        } catch let error as NonfiniteInput {
            console.err("gradcheck \(first): \(error)")
            return 1
        } catch let error as CLIError {
            report(error.message, command: first, console: console)
        } catch {
            // SpecError and ModelError list every problem of a file, one per line.
            report("\(error)", command: first, console: console)
        }
        return 2
    }

    /// Writes a bad-input error to standard error: `gradcheck COMMAND: ` before the first
    /// line (in red on a terminal), the other problems on their own lines.
    static func report(_ message: String, command: String, console: Console) {
        let prefix = "gradcheck \(command):"
        console.err((console.colorsErrors ? ANSI.error(prefix) : prefix) + " " + message)
    }

    static var usage: String {
        var text = """
        gradcheck \(version): can your network's gradients be trusted?

        USAGE: gradcheck COMMAND SPEC [options]

        COMMANDS:

        """
        for c in commands { text += "  \(c.name.padding(toLength: 11, withPad: " ", startingAt: 0))\(c.summary)\n" }
        text += """

        Run `gradcheck COMMAND --help` for a command's options and formats.
        Every command takes --format (its formats are listed in its help), --output FILE,
        --quiet and --no-color; JSON output carries "format": "gradcheck.<kind>/1".
        Exit status: 0 passed, 1 a check or comparison failed, 2 bad input.

        """
        return text
    }
}
