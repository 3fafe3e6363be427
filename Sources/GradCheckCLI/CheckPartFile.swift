import Foundation
import GradCheck

/// A shard's part of a sharded check, `gradcheck check SPEC --shard K/N --output FILE`:
/// the check JSON (`gradcheck.check/1`'s fields) tagged `gradcheck.check-part/1`, with
/// the shard, a fingerprint of what was checked, and every number the merge needs to
/// rebuild the unsharded report exactly (each check's worst and failing elements in full).
struct CheckPartFile {
    /// The format tag.
    static let format = "gradcheck.check-part/1"

    /// The flags that do not change a check's results (file paths count by their bytes).
    static let unfingerprinted: Set<String> = ["shard", "threads", "output", "format", "quiet", "no-color",
                                               "weights", "batch", "data"]

    /// The shard's report.
    var report: CheckReport
    /// Which shard.
    var shard: Shard
    /// What was checked: a hash of the spec, weights and batch files' bytes and of the
    /// settings that change results (not `--threads`, `--shard` or the output options).
    var fingerprint: String
    /// The settings, for the message when two parts' fingerprints differ.
    var settings: [String]
    /// The batch, as the report's header names it.
    var batch: String
    /// The note under the report (augmentation), if any.
    var note: String?
    /// The shard's wall time.
    var seconds: Double

    /// The file's JSON: the check report's, plus `shard`, `run` and the full elements.
    var json: JSONValue {
        guard case var .object(document) = CheckCommand.json(report, batch: batch, note: note, seconds: seconds) else {
            preconditionFailure("a check report is a JSON object")
        }
        document["format"] = .string(Self.format)
        document["shard"] = .object(["index": .integer(shard.index), "count": .integer(shard.count)])
        document["run"] = .object(["fingerprint": .string(fingerprint), "settings": .array(settings.map { .string($0) })])
        document["batch"] = .string(batch)
        document["elements"] = .array(report.results.map { r in
            .object(["worst": r.worst.map(Self.json) ?? .null, "failing": .array(r.failingElements.map(Self.json)),
                     "truncation_error": r.maxTruncationEstimate.map { .number($0) } ?? .null])
        })
        return .object(document)
    }

    static func json(_ e: ElementCheck) -> JSONValue {
        var o: JSONObject = [
            "flat_index": .integer(e.flatIndex), "index": .integers(e.index), "analytic": .number(e.analytic),
            "numerical": .number(e.numerical), "forward": .number(e.forwardDifference), "backward": .number(e.backwardDifference),
            "abs_error": .number(e.absoluteError), "rel_error": .number(e.relativeError), "allowed": .number(e.allowedError),
            "status": .string(e.status.rawValue),
        ]
        if let t = e.truncationEstimate { o["truncation"] = .number(t) }
        return .object(o)
    }

    /// A part file from its JSON.
    ///
    /// - Throws: ``CLIError`` naming `path`, the JSON path inside it and what was expected.
    init(json: JSONValue, path: String) throws {
        func bad(_ at: String, _ expected: String) -> CLIError { CLIError("\(path): \(at): expected \(expected)") }
        func number(_ v: JSONValue?, _ at: String) throws -> Double {
            guard let x = v?.extendedNumberValue else { throw bad(at, "a number") }
            return x
        }
        func int(_ v: JSONValue?, _ at: String) throws -> Int {
            guard let x = v?.intValue else { throw bad(at, "an integer") }
            return x
        }
        func string(_ v: JSONValue?, _ at: String) throws -> String {
            guard let x = v?.stringValue else { throw bad(at, "a string") }
            return x
        }
        func integers(_ v: JSONValue?, _ at: String) throws -> [Int] {
            guard let a = v?.arrayValue else { throw bad(at, "an array of integers") }
            return try a.enumerated().map { try int($1, "\(at)[\($0)]") }
        }
        func status(_ v: JSONValue?, _ at: String) throws -> CheckStatus {
            guard let s = v?.stringValue, let status = CheckStatus(rawValue: s) else { throw bad(at, "\"pass\", \"kink\" or \"fail\"") }
            return status
        }
        func element(_ v: JSONValue, _ at: String) throws -> ElementCheck {
            guard v.objectValue != nil else { throw bad(at, "an object") }
            return ElementCheck(
                flatIndex: try int(v["flat_index"], "\(at).flat_index"), index: try integers(v["index"], "\(at).index"),
                analytic: try number(v["analytic"], "\(at).analytic"), numerical: try number(v["numerical"], "\(at).numerical"),
                forwardDifference: try number(v["forward"], "\(at).forward"), backwardDifference: try number(v["backward"], "\(at).backward"),
                absoluteError: try number(v["abs_error"], "\(at).abs_error"), relativeError: try number(v["rel_error"], "\(at).rel_error"),
                allowedError: try number(v["allowed"], "\(at).allowed"), status: try status(v["status"], "\(at).status"),
                truncationEstimate: try v["truncation"].map { try number($0, "\(at).truncation") })
        }
        guard json.objectValue != nil else { throw bad("(top level)", "an object") }
        guard json["format"]?.stringValue == Self.format else {
            throw bad("format", "\"\(Self.format)\" (a part file of gradcheck check --shard)")
        }
        do {
            shard = try Shard(index: try int(json["shard"]?["index"], "shard.index"), count: try int(json["shard"]?["count"], "shard.count"))
        } catch let error as ShardError {
            throw bad("shard", "K and N with 1 ≤ K ≤ N (\(error.message))")
        }
        fingerprint = try string(json["run"]?["fingerprint"], "run.fingerprint")
        guard let settingsValue = json["run"]?["settings"]?.arrayValue else { throw bad("run.settings", "an array of strings") }
        settings = try settingsValue.enumerated().map { try string($1, "run.settings[\($0)]") }
        batch = try string(json["batch"], "batch")
        note = json["notes"]?.arrayValue?.first?.stringValue
        seconds = try number(json["seconds"], "seconds")
        let tolerance = CheckTolerance(step: try number(json["tolerance"]?["step"], "tolerance.step"),
                                       absolute: try number(json["tolerance"]?["atol"], "tolerance.atol"),
                                       relative: try number(json["tolerance"]?["rtol"], "tolerance.rtol"))
        guard let checks = json["checks"]?.arrayValue else { throw bad("checks", "an array") }
        guard let elements = json["elements"]?.arrayValue, elements.count == checks.count else {
            throw bad("elements", "an array with one entry per check (\(checks.count))")
        }
        var results: [TensorCheckResult] = []
        for (i, c) in checks.enumerated() {
            let at = "checks[\(i)]", e = elements[i], eat = "elements[\(i)]"
            guard let methodText = c["method"]?.stringValue, let method = CheckMethod(rawValue: methodText) else {
                throw bad("\(at).method", "\"elements\", \"probes\" or \"dot_product\"")
            }
            guard let failingValue = e["failing"]?.arrayValue else { throw bad("\(eat).failing", "an array") }
            let worstValue = e["worst"]
            results.append(TensorCheckResult(
                target: try string(c["target"], "\(at).target"), parameter: try string(c["parameter"], "\(at).parameter"),
                shape: try integers(c["shape"], "\(at).shape"), method: method,
                elementsChecked: try int(c["elements_checked"], "\(at).elements_checked"), elementCount: try int(c["elements"], "\(at).elements"),
                status: try status(c["status"], "\(at).status"),
                maxAbsoluteError: try number(c["max_abs_error"], "\(at).max_abs_error"),
                maxRelativeError: try number(c["max_rel_error"], "\(at).max_rel_error"),
                failures: try int(c["failures"], "\(at).failures"), kinks: try int(c["kinks"], "\(at).kinks"),
                worst: try worstValue.flatMap { $0.isNull ? nil : try element($0, "\(eat).worst") },
                failingElements: try failingValue.enumerated().map { try element($1, "\(eat).failing[\($0)]") },
                maxTruncationEstimate: try e["truncation_error"].flatMap { $0.isNull ? nil : try number($0, "\(eat).truncation_error") },
                note: c["note"]?.stringValue))
        }
        var skipped: [SkippedArgument] = []
        for (k, s) in (json["skipped"]?.arrayValue ?? []).enumerated() {
            skipped.append(SkippedArgument(target: try string(s["target"], "skipped[\(k)].target"),
                                           parameter: try string(s["parameter"], "skipped[\(k)].parameter"),
                                           reason: try string(s["reason"], "skipped[\(k)].reason")))
        }
        var nonfinite: NonfiniteValue?
        if let n = json["nonfinite"] {
            nonfinite = NonfiniteValue(file: n["file"]?.stringValue, place: try string(n["place"], "nonfinite.place"),
                                       value: try number(n["value"], "nonfinite.value"))
        }
        var contracts: [ContractResult] = []
        for (k, c) in (json["contracts"]?.arrayValue ?? []).enumerated() {
            let at = "contracts[\(k)]"
            guard let kind = c["contract"]?.stringValue.flatMap(BackwardContract.init(rawValue:)) else {
                throw bad("\(at).contract", "one of " + BackwardContract.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
            var worst: ContractElement?
            if let w = c["worst"], !w.isNull {
                worst = ContractElement(tensor: try string(w["tensor"], "\(at).worst.tensor"),
                                        index: try integers(w["index"], "\(at).worst.index"),
                                        expected: try number(w["expected"], "\(at).worst.expected"),
                                        actual: try number(w["actual"], "\(at).worst.actual"), note: w["note"]?.stringValue)
            }
            contracts.append(ContractResult(target: try string(c["target"], "\(at).target"), contract: kind,
                                            status: try status(c["status"], "\(at).status"),
                                            deviation: try number(c["deviation"], "\(at).deviation"),
                                            allowed: try number(c["allowed"], "\(at).allowed"), worst: worst))
        }
        report = CheckReport(model: try string(json["model"], "model"), loss: try number(json["loss"], "loss"),
                             tolerance: tolerance, results: results, skipped: skipped, nonfinite: nonfinite,
                             contracts: contracts)
    }

    /// A part made by this process.
    init(report: CheckReport, shard: Shard, fingerprint: String, settings: [String], batch: String, note: String?, seconds: Double) {
        self.report = report
        self.shard = shard
        self.fingerprint = fingerprint
        self.settings = settings
        self.batch = batch
        self.note = note
        self.seconds = seconds
    }

    /// The parts of one sharded check, merged into the report of the unsharded run.
    ///
    /// - Throws: ``CLIError`` naming the file: a shard given twice or missing, parts of
    ///   different checks (spec, weights, batch or settings), or of different N.
    static func merge(_ parts: [(path: String, part: CheckPartFile)]) throws -> (report: CheckReport, batch: String, note: String?, seconds: Double) {
        guard let (firstPath, first) = parts.first else { throw CLIError("merge: no part files given") }
        var byShard: [Int: String] = [:]
        for (path, part) in parts {
            guard part.shard.count == first.shard.count else {
                throw CLIError("\(path): shard: a part of a \(part.shard.count)-way split, but \(firstPath) is of a \(first.shard.count)-way split")
            }
            guard part.fingerprint == first.fingerprint else {
                let mine = Set(part.settings), theirs = Set(first.settings)
                let differs = mine.symmetricDifference(theirs).sorted()
                throw CLIError("\(path): run.fingerprint: a part of another check than \(firstPath) (the spec, weights or batch files"
                    + (differs.isEmpty ? "" : ", or the settings: \(differs.joined(separator: ", "))") + " differ)")
            }
            if let other = byShard[part.shard.index] {
                throw CLIError("\(path): shard: shard \(part.shard) is also in \(other)")
            }
            byShard[part.shard.index] = path
        }
        let missing = (1...first.shard.count).filter { byShard[$0] == nil }
        guard missing.isEmpty else {
            throw CLIError("merge: shard(s) \(missing.map { "\($0)/\(first.shard.count)" }.joined(separator: ", ")) missing "
                + "(given: \(parts.map(\.path).joined(separator: ", ")))")
        }
        let ordered = parts.sorted { $0.part.shard.index < $1.part.shard.index }
        let report: CheckReport
        do {
            report = try CheckReport.merged(ordered.map(\.part.report))
        } catch {
            throw CLIError("\(ordered[error.part].path): \(error.message)")
        }
        return (report, first.batch, first.note, parts.reduce(0) { $0 + $1.part.seconds })
    }
}
