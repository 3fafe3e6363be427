import Foundation
import GradCheckClipping
import GradCheckNN

/// The first line of a results file: which sweep the trials below belong to.
public struct SweepHeader: Sendable, Equatable {
    /// The format tag.
    public static let format = "gradcheck.sweep-results/1"
    /// The base spec (before the overrides), whole: a merge can write the best spec
    /// without the original file.
    public var spec: ModelSpec
    /// The plan.
    public var plan: SweepPlan
    /// The metric trials are ranked by.
    public var metric: SweepMetric
    /// The seed of the hold-out split or of the fold shuffle.
    public var splitSeed: UInt64
    /// The hold-out fraction when the plan has one fold.
    public var validationSplit: Double
    /// The shard this file holds, `nil` for every trial.
    public var shard: SweepShard?

    /// A header; see the properties.
    public init(spec: ModelSpec, plan: SweepPlan, metric: SweepMetric, splitSeed: UInt64, validationSplit: Double,
                shard: SweepShard?) {
        self.spec = spec
        self.plan = plan
        self.metric = metric
        self.splitSeed = splitSeed
        self.validationSplit = validationSplit
        self.shard = shard
    }

    /// The header line's object.
    public var jsonValue: JSONValue {
        .object([
            "format": .string(Self.format),
            "model": .string(spec.name),
            "plan": plan.jsonValue,
            "metric": .string(metric.name),
            "split_seed": .integer(splitSeed),
            "validation_split": .number(validationSplit),
            "shard": shard.map { .string($0.description) } ?? .null,
            "spec": spec.jsonValue,
        ])
    }

    /// Reads a header line.
    ///
    /// - Throws: ``SweepError`` naming `where_` and the field that is wrong.
    public init(json: JSONValue, at where_: String) throws(SweepError) {
        func fail(_ field: String, _ expected: String) -> SweepError { SweepError("\(where_): \(field): expected \(expected)") }
        guard let o = json.objectValue, o["format"]?.stringValue == Self.format else {
            throw fail("format", "\"\(Self.format)\" (is this a sweep's --results file?)")
        }
        guard let specValue = o["spec"] else { throw fail("spec", "the sweep's model spec") }
        do {
            spec = try ModelSpec.decode(specValue)
        } catch {
            throw SweepError("\(where_): spec: \(error)")
        }
        guard let p = o["plan"]?.objectValue, let axesValue = p["axes"]?.arrayValue, let seedsValue = p["seeds"]?.arrayValue,
              let folds = p["folds"]?.intValue, folds >= 1 else {
            throw fail("plan", "an object with axes, seeds and folds")
        }
        var axes: [SweepAxis] = []
        for (k, a) in axesValue.enumerated() {
            guard let key = a["key"]?.stringValue, let values = a["values"]?.arrayValue, !values.isEmpty else {
                throw fail("plan.axes[\(k)]", "an object with a key and values")
            }
            var parsed: [SweepValue] = []
            for v in values {
                if v.isNull { parsed.append(.none); continue }
                if key == SweepAxis.clippingKey, let text = v.stringValue {
                    do {
                        parsed.append(.clipping(try ClipperParser.parse(text)))
                    } catch {
                        throw SweepError("\(where_): plan.axes[\(k)]: \(error)")
                    }
                    continue
                }
                parsed.append(.json(v))
            }
            axes.append(SweepAxis(key: key, values: parsed))
        }
        var seeds: [UInt64] = []
        for s in seedsValue {
            guard let x = s.intValue, x >= 0 else { throw fail("plan.seeds", "non-negative integers") }
            seeds.append(UInt64(x))
        }
        plan = SweepPlan(axes: axes, randomCount: p["random"]?.intValue,
                         samplingSeed: UInt64(p["sampling_seed"]?.intValue ?? 0), seeds: seeds, folds: folds)
        guard let m = o["metric"]?.stringValue else { throw fail("metric", "a metric name") }
        metric = SweepMetric(name: m)
        guard let s = o["split_seed"]?.intValue, s >= 0 else { throw fail("split_seed", "a non-negative integer") }
        splitSeed = UInt64(s)
        guard let v = o["validation_split"]?.doubleValue else { throw fail("validation_split", "a number") }
        validationSplit = v
        if let text = o["shard"]?.stringValue {
            do {
                shard = try SweepShard(parsing: text)
            } catch {
                throw SweepError("\(where_): shard: \(error.message)")
            }
        } else {
            shard = nil
        }
    }
}

/// A sweep's results file: JSON Lines, a ``SweepHeader`` line and then one
/// ``SweepTrialResult`` per finished trial, appended and flushed as each trial ends, so
/// a killed sweep loses only the trials that were running.
public enum SweepResultsFile {
    /// The header and the trials of a results file.
    public struct Contents: Sendable {
        /// The header.
        public var header: SweepHeader
        /// The finished trials, in file order.
        public var results: [SweepTrialResult]
        /// Whether the last line was torn (a sweep killed while writing it); it is left out.
        public var tornLastLine: Bool
    }

    /// Reads a results file.
    ///
    /// - Throws: ``SweepError`` naming the file and line for a missing header, a line that
    ///   is not JSON (except a torn last line) or a trial that is not the header's.
    public static func load(path: String) throws(SweepError) -> Contents {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SweepError("\(path): cannot read the results file: \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let endsWithNewline = text.hasSuffix("\n")
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw SweepError("\(path): the results file is empty (no header line)") }
        let header: SweepHeader
        do {
            header = try SweepHeader(json: try JSONParser.parse(first), at: "\(path):1")
        } catch let e as SweepError {
            throw e
        } catch {
            throw SweepError("\(path):1: \(error)")
        }
        var results: [SweepTrialResult] = []
        var torn = false
        for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch {
                if k == lines.count - 1 && !endsWithNewline {
                    torn = true
                    break
                }
                throw SweepError("\(path):\(k + 1): not a JSON line: \(error)")
            }
            results.append(try SweepTrialResult(json: value, plan: header.plan, at: "\(path):\(k + 1)"))
        }
        if !endsWithNewline && !torn && lines.count > 1 { torn = false }
        return Contents(header: header, results: results, tornLastLine: torn)
    }

    /// The results files of the shards of one sweep, merged: every file's header must be
    /// the same sweep (spec, plan, metric and split; the shard may differ), and a trial
    /// found in two files must have the same result in both.
    ///
    /// - Returns: the header (without a shard), the trials in trial order, and the
    ///   numbers of the plan's trials that no file holds.
    /// - Throws: ``SweepError`` naming the file that disagrees.
    public static func merge(paths: [String]) throws(SweepError) -> (header: SweepHeader, results: [SweepTrialResult], missing: [Int]) {
        guard let firstPath = paths.first else { throw SweepError("--merge: no results file given") }
        var header: SweepHeader?
        var byTrial: [Int: SweepTrialResult] = [:]
        for path in paths {
            let contents = try load(path: path)
            var h = contents.header
            h.shard = nil
            if let header, header != h {
                throw SweepError("\(path): a results file of another sweep than \(firstPath) (the spec, grid, seeds, folds or split differ)")
            }
            header = h
            for r in contents.results {
                if let existing = byTrial[r.trial.index] {
                    var a = existing, b = r
                    a.seconds = 0
                    b.seconds = 0
                    guard a == b else {
                        throw SweepError("\(path): trial \(r.trial.index) has a different result in another file")
                    }
                } else {
                    byTrial[r.trial.index] = r
                }
            }
        }
        let total = header!.plan.trials.count
        let missing = (0..<total).filter { byTrial[$0] == nil }
        return (header!, byTrial.keys.sorted().map { byTrial[$0]! }, missing)
    }

    /// Writes `header` and `results` to `path` whole (a temporary file, then rename).
    ///
    /// - Throws: ``SweepError`` when the file cannot be written.
    public static func write(header: SweepHeader, results: [SweepTrialResult], to path: String) throws(SweepError) {
        var text = JSONWriter.compact.string(for: header.jsonValue) + "\n"
        for r in results { text += JSONWriter.compact.string(for: r.jsonValue) + "\n" }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SweepError("\(path): cannot write the results file: \(error.localizedDescription)")
        }
    }
}

/// Appends trial lines to a results file, one `write` per line, from any thread.
///
/// `@unchecked Sendable` is safe: the file handle is only used under `lock`.
final class SweepResultsAppender: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let path: String
    private(set) var error: SweepError?

    init(path: String) throws(SweepError) {
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw SweepError("\(path): cannot open the results file for appending")
        }
        h.seekToEndOfFile()
        handle = h
        self.path = path
    }

    func append(_ result: SweepTrialResult) {
        let line = JSONWriter.compact.string(for: result.jsonValue) + "\n"
        lock.lock()
        defer { lock.unlock() }
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            if self.error == nil { self.error = SweepError("\(path): cannot append a trial: \(error.localizedDescription)") }
        }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        try? handle.close()
    }
}
