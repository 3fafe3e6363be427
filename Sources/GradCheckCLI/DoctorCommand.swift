import Foundation
import GradCheck

/// `gradcheck doctor`: what this build runs on and with, for bug reports and for knowing
/// why two machines time differently: the toolchain, OS and architecture, the CPU
/// features and the compute kernel chosen, the default thread count, and whether the
/// optional Python references (PyTorch, Keras) are installed.
enum DoctorCommand {
    static let formats: [OutputFormat] = [.text, .json]
    static let flags: [Arguments.Flag] = OutputOptions.flags(formats) + [
        .init(name: "python", valueName: "PATH", help: "the Python interpreter to look for torch and keras in (default: $GRADCHECK_PYTHON, ~/torchenv/bin/python, else python3 on PATH)"),
    ]

    static var help: String {
        helpText(usage: "doctor [--format text|json] [--python PATH]", description: """
        Prints the gradcheck version, the Swift toolchain it was built with, the OS and CPU architecture,
        the CPU's vector features and the compute kernel in use, the default number of worker threads
        (every core), and whether the optional Python references used by Scripts/ (torch, keras) are
        installed, with their versions. --format json prints gradcheck.doctor/1.

        Exit status: 0.
        """, flags: flags)
    }

    /// What the doctor found.
    struct Findings {
        var toolchain: String
        var os: String
        var arch: String
        var cpuFeatures: [String]
        var kernel: String
        var threads: Int
        var python: String?
        var packages: [(name: String, version: String?)]
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        _ = try args.requirePositionals([])
        let output = try OutputOptions(args, formats: formats)
        console.apply(output)
        let python = args.string("python") ?? pythonCandidates(environment: console.environment).first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let features = cpuFeatures()
        let findings = Findings(
            toolchain: toolchain, os: operatingSystem, arch: architecture, cpuFeatures: features,
            kernel: kernel(features: features), threads: ProcessInfo.processInfo.activeProcessorCount,
            python: python, packages: python.map(pythonPackages) ?? [("torch", nil), ("keras", nil)])
        try console.emit(output.format == .json ? JSONWriter.pretty.fileContents(for: json(findings)) : text(findings), output)
        return 0
    }

    // MARK: - What is looked at

    /// The compute kernel the tensor operations use on this CPU: the variant the C
    /// kernels' dispatcher chose at start (`GRADCHECK_KERNELS` caps it), and every variant
    /// this CPU could run.
    static func kernel(features: [String]) -> String {
        let supported = Kernels.supported.map(\.name).joined(separator: ", ")
        return "\(Kernels.active.name) (this CPU supports: \(supported))"
    }

    /// The Swift compiler this binary was built with.
    static var toolchain: String {
        #if compiler(>=6.4)
        return "Swift 6.4 or later"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0"
        #endif
    }

    static var operatingSystem: String {
        #if os(Linux)
        let name = "Linux"
        #elseif os(macOS)
        let name = "macOS"
        #elseif os(Windows)
        let name = "Windows"
        #else
        let name = "unknown OS"
        #endif
        return "\(name) (\(ProcessInfo.processInfo.operatingSystemVersionString))"
    }

    static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }

    /// The vector features of this CPU that matter for the kernels, as the OS reports
    /// them (`/proc/cpuinfo` on Linux, `sysctl` on macOS); empty when it cannot tell.
    static func cpuFeatures() -> [String] {
        #if os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        let line = info.split(separator: "\n").first { $0.hasPrefix("flags") || $0.hasPrefix("Features") }
        let reported = Set((line?.split(separator: ":").last ?? "").split(separator: " ").map(String.init))
        let interesting = ["sse2", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
                           "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "asimdhp", "asimddp", "sve", "sve2", "bf16", "i8mm"]
        return interesting.filter(reported.contains)
        #elseif os(macOS)
        let keys = [("hw.optional.avx1_0", "avx"), ("hw.optional.avx2_0", "avx2"), ("hw.optional.fma", "fma"),
                    ("hw.optional.avx512f", "avx512f"), ("hw.optional.neon", "asimd"), ("hw.optional.arm.FEAT_BF16", "bf16"),
                    ("hw.optional.arm.FEAT_I8MM", "i8mm")]
        return keys.compactMap { key, name in
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname(key, &value, &size, nil, 0) == 0 && value != 0 ? name : nil
        }
        #else
        return []
        #endif
    }

    /// Where to look for Python: `$GRADCHECK_PYTHON`, the venv the README sets up
    /// (`~/torchenv`), then `python3` on `PATH`.
    static func pythonCandidates(environment: [String: String]) -> [String] {
        var candidates: [String] = []
        if let p = environment["GRADCHECK_PYTHON"], !p.isEmpty { candidates.append(p) }
        if let home = environment["HOME"] ?? ProcessInfo.processInfo.environment["HOME"] {
            candidates.append(home + "/torchenv/bin/python")
        }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        candidates += path.split(separator: ":").map { "\($0)/python3" }
        return candidates
    }

    /// The installed versions of torch and keras in `python` (from package metadata,
    /// without importing them, so this takes a fraction of a second); `nil` when absent.
    static func pythonPackages(_ python: String) -> [(name: String, version: String?)] {
        let names = ["torch", "keras"]
        let script = """
        import json, importlib.metadata as m
        v = {}
        for name in \(names):
            try: v[name] = m.version(name)
            except Exception: v[name] = None
        print(json.dumps(v))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        var versions: [String: String] = [:]
        do {
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0,
               case let .object(o)? = try? JSONParser.parse([UInt8](data)) {
                for (k, v) in o { if case let .string(s) = v { versions[k] = s } }
            }
        } catch {
            // Not runnable: reported as not installed.
        }
        return names.map { ($0, versions[$0]) }
    }

    // MARK: - Output

    static func text(_ f: Findings) -> String {
        var rows: [[String]] = [
            ["gradcheck", GradCheckCommand.version],
            ["toolchain", f.toolchain],
            ["os", f.os],
            ["arch", f.arch],
            ["cpu features", f.cpuFeatures.isEmpty ? "(not reported)" : f.cpuFeatures.joined(separator: " ")],
            ["kernel", f.kernel],
            ["threads", "\(f.threads) (every core; --threads N to change)"],
            ["python", f.python ?? "not found (set GRADCHECK_PYTHON)"],
        ]
        for p in f.packages {
            rows.append([p.name, p.version.map { "\($0) (reference scripts can run)" } ?? "not installed (optional: Scripts/reference, Scripts/bench)"])
        }
        return table(["", ""], rows).split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
    }

    static func json(_ f: Findings) -> JSONValue {
        var python: JSONObject = ["interpreter": f.python.map { .string($0) } ?? .null]
        for p in f.packages {
            var o: JSONObject = ["available": .bool(p.version != nil)]
            if let v = p.version { o["version"] = .string(v) }
            python[p.name] = .object(o)
        }
        return .object([
            "format": "gradcheck.doctor/1", "version": .string(GradCheckCommand.version), "toolchain": .string(f.toolchain),
            "os": .string(f.os), "arch": .string(f.arch), "cpu_features": .array(f.cpuFeatures.map { .string($0) }),
            "kernel": .string(f.kernel), "threads": .integer(f.threads), "python": .object(python),
        ])
    }
}
