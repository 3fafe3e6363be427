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
                values[name] = args[i]
                i += 1
            }
        }
    }

    /// Whether a switch was given.
    func has(_ name: String) -> Bool { switches.contains(name) }

    /// A flag's raw value.
    func string(_ name: String) -> String? { values[name] }

    /// A flag's value as a finite number.
    func double(_ name: String, positive: Bool = false) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let v = Double(text), v.isFinite, !positive || v > 0 else {
            throw CLIError("--\(name): expected a\(positive ? " positive" : "") number, got \"\(text)\"")
        }
        return v
    }

    /// A flag's value as an integer, at least `minimum`.
    func int(_ name: String, minimum: Int = 0) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let v = Int(text), v >= minimum else {
            throw CLIError("--\(name): expected an integer ≥ \(minimum), got \"\(text)\"")
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
