import GradCheckNN

/// Parsed command-line arguments: positionals and `--flag value` / `--flag=value` /
/// `--switch` options, checked against the flags a command declares.
struct Arguments {
    /// A flag a command accepts.
    struct Flag {
        var name: String
        var valueName: String?      // nil for a switch
        var help: String
    }

    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    /// Parses `args` for a command that takes `flags`.
    ///
    /// - Throws: ``CLIError`` for an unknown flag (with a suggestion), a missing value or
    ///   a repeated flag.
    init(_ args: [String], flags: [Flag]) throws {
        let byName = Dictionary(flags.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("--") || arg == "-" {
                positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let flag = byName[name] else {
                let hint = DidYouMean.suggestion(for: name, among: flags.map(\.name)).map { "; did you mean --\($0)?" } ?? ""
                throw CLIError("unknown option --\(name)\(hint)")
            }
            if values[name] != nil || switches.contains(name) {
                throw CLIError("--\(name) is given more than once")
            }
            if flag.valueName == nil {
                guard inline == nil else { throw CLIError("--\(name) takes no value") }
                switches.insert(name)
            } else if let inline {
                values[name] = inline
            } else {
                guard i < args.count else { throw CLIError("--\(name) needs a value (\(flag.valueName!))") }
                // `--epochs --seed 1`: the value is missing, not `1` unexpected. (A negative
                // number has one dash; `--` alone ends the options.)
                if args[i].hasPrefix("--") {
                    throw CLIError("--\(name) needs a value (\(flag.valueName!)), but the next argument is \"\(args[i])\"; "
                        + "write --\(name)=VALUE for a value that starts with --")
                }
                values[name] = args[i]
                i += 1
            }
            if let value = values[name], value.isEmpty, Self.pathValueNames.contains(flag.valueName ?? "") {
                throw CLIError("--\(name): expected a file path, got an empty string")
            }
        }
    }

    /// Whether a switch was given.
    func has(_ name: String) -> Bool { switches.contains(name) }

    /// A flag's raw value.
    func string(_ name: String) -> String? { values[name] }

    /// Every flag given except those in `excluding`, as `--name=value` or `--name`,
    /// sorted: the settings of a run, independent of the order they were typed in.
    func settings(excluding: Set<String>) -> [String] {
        (values.filter { !excluding.contains($0.key) }.map { "--\($0.key)=\($0.value)" }
            + switches.subtracting(excluding).map { "--\($0)" }).sorted()
    }

    /// A flag's value as a finite number.
    func double(_ name: String, positive: Bool = false) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let v = Double(text), v.isFinite, !positive || v > 0 else {
            throw CLIError("--\(name): expected a\(positive ? " positive" : "") number, got \"\(text)\"")
        }
        return v
    }

    /// The value names of flags that take a file path: an empty value is refused.
    static let pathValueNames: Set<String> = ["FILE", "CSV", "RUN.jsonl", "DIR"]

    /// The largest value each count flag takes: beyond these a run would not finish in any
    /// useful time (or would not fit in memory), so they are refused as bad input.
    static let upperBounds: [String: Int] = [
        "epochs": 100_000,          // a million steps at batch 1 on a 10-row set
        "seeds": 1_000,             // runs per policy in clip-lab
        "probes": 10_000,           // directions per tensor in fast and dot modes
        "batch-size": 1_000_000,    // rows; memory is checked against the model as well
        "threads": 1_024,
        "max-elements": 1 << 30,    // the most numbers a tensor may hold
    ]

    /// A flag's value as an integer in `minimum...` the flag's upper bound (``upperBounds``).
    func int(_ name: String, minimum: Int = 0) throws -> Int? {
        guard let text = values[name] else { return nil }
        let maximum = Self.upperBounds[name] ?? Int.max
        guard let v = Int(text), v >= minimum, v <= maximum else {
            let range = maximum == Int.max ? "≥ \(minimum)" : "in \(minimum)...\(maximum)"
            throw CLIError("--\(name): expected an integer \(range), got \"\(text)\"")
        }
        return v
    }

    /// A flag's value as a seed.
    func seed(_ name: String) throws -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let v = UInt64(text) else { throw CLIError("--\(name): expected a non-negative integer, got \"\(text)\"") }
        return v
    }

    /// A flag's value, one of `choices`.
    func choice(_ name: String, _ choices: [String]) throws -> String? {
        guard let text = values[name] else { return nil }
        guard choices.contains(text) else {
            let hint = DidYouMean.suggestion(for: text, among: choices).map { "; did you mean \"\($0)\"?" } ?? ""
            throw CLIError("--\(name): expected one of \(choices.joined(separator: ", ")), got \"\(text)\"\(hint)")
        }
        return text
    }

    /// Exactly `count` positionals, named for the error message.
    func requirePositionals(_ names: [String]) throws -> [String] {
        guard positionals.count == names.count else {
            if positionals.count < names.count {
                throw CLIError("missing \(names[positionals.count].uppercased()) (usage: \(names.map { $0.uppercased() }.joined(separator: " ")) [options])")
            }
            throw CLIError("unexpected argument \"\(positionals[names.count])\"")
        }
        return positionals
    }
}
