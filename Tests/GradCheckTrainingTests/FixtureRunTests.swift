import Foundation
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import Testing
import GradCheckTraining

/// Real training runs that show each problem the health report looks for (issue 5's
/// acceptance): the specs in `Fixtures/runs/`, trained on the datasets in
/// `Fixtures/data/` the way `gradcheck train --log` does (float32, the spec's `training`
/// block, the default monitor), with the run log written to a file and the report built
/// from that file. `Scripts/runs/make_runs.sh` writes the same runs' logs and HTML reports.
struct FixtureRunTests {
    /// What one fixture run produced.
    struct Run {
        var result: TrainingResult<Float>
        var log: RunLog
        var report: HealthReport
        var logPath: String

        func kinds() -> Set<FindingKind> { Set(report.findings.map(\.kind)) }
        func finding(_ kind: FindingKind) throws -> HealthFinding {
            try #require(report.findings(kind).first, "no \(kind.rawValue) finding: \(summary)")
        }
        var summary: String {
            report.findings.map { "\($0.severity.rawValue) \($0.kind.rawValue): \($0.message)" }.joined(separator: "\n")
        }
    }

    static func runSpec(_ name: String) -> String { Fixture.root.appendingPathComponent("Fixtures/runs/\(name).json").path }

    /// Trains `Fixtures/runs/<name>.json` on `Fixtures/data/<data>`, logging to a temporary
    /// file, and judges the run from the log read back.
    static func train(_ name: String, data: String, learningRate: Double? = nil) throws -> Run {
        let specPath = runSpec(name)
        let spec = try ModelSpec.load(path: specPath)
        let model = try Model(spec: spec, file: specPath)
        var config = TrainingConfiguration(spec.training)
        if let learningRate { config.optimizer.learningRate = learningRate }
        let table = try CSVTable.load(path: Fixture.dataset(data))
        let dataset = try Dataset(table: table, model: model, file: data)
        let prepared = PreparedData(dataset, validationSplit: config.validationSplit, seed: config.seed, order: config.splitOrder)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-fixture-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logPath = dir.appendingPathComponent("\(name).jsonl").path
        let observer = try HealthMonitorObserver(model: model, log: RunLogWriter(path: logPath),
                                                 stopsOnNonFinite: config.stopOnNonFinite)
        let trainer = try Trainer<Float>(model: model, configuration: config)
        trainer.observers = [observer]
        let result = try trainer.fit(prepared)
        #expect(observer.error == nil)
        let log = try RunLog.read(path: logPath)
        #expect(log.warnings.isEmpty, "\(log.warnings)")
        let report = HealthReport(log: log, source: logPath)
        // The report of the log file is the report the monitor makes in memory.
        #expect(observer.monitor.report().findings == report.findings)
        return Run(result: result, log: log, report: report, logPath: logPath)
    }

    // MARK: - The six runs

    @Test func healthyMLPOnDigitsIsHealthy() throws {
        let run = try Self.train("healthy", data: "digits.csv")
        #expect(run.result.status == .completed)
        #expect(run.report.verdict == .healthy, "\(run.summary)")
        #expect(!run.report.findings.contains { $0.severity == .critical }, "\(run.summary)")
        #expect((run.result.finalMetrics?.validationAccuracy ?? 0) > 0.9)
        #expect(run.log.end?.status == .completed)
    }

    @Test func deepSigmoidWithSmallWeightsHasVanishingGradients() throws {
        let run = try Self.train("vanishing", data: "digits.csv")
        #expect(run.result.status == .completed)
        #expect(run.report.verdict == .unhealthy, "\(run.summary)")
        let f = try run.finding(.vanishingGradients)
        #expect(f.severity == .critical)
        #expect(f.layer == "dense_1")   // the layer nearest the input
        #expect(try #require(f.evidence("median_ratio")) < 1e-6)
        #expect(try #require(f.evidence("layers_affected")) >= 5)
        #expect(f.evidence("fraction_of_steps") == 1)
        #expect(!run.kinds().contains(.nonfinite))
    }

    @Test func deepReLUWithLargeWeightsExplodesThenGoesNonFinite() throws {
        let run = try Self.train("exploding", data: "digits.csv")
        #expect(run.result.status == .diverged)
        #expect(run.log.end?.status == .diverged)
        #expect(run.report.verdict == .unhealthy, "\(run.summary)")
        let exploding = try run.finding(.explodingGradients)
        #expect(exploding.severity == .critical)
        #expect(try #require(exploding.evidence("growth")) >= 1e4)
        #expect(try #require(exploding.evidence("peak_norm")) >= 1e6)
        let nonfinite = try run.finding(.nonfinite)
        // First the norm explodes on finite steps, then a value overflows.
        #expect(try #require(exploding.firstStep) < (nonfinite.firstStep ?? 0))
        #expect(nonfinite.evidence("finite_steps_before").map { $0 >= 2 } == true)
        // Located: the forward pass of a named dense layer overflowed.
        let origin = try #require(run.log.steps.last?.nonfinite.first)
        #expect(origin.pass == .forward)
        #expect(origin.layer?.hasPrefix("dense_") == true)
        #expect(origin.op != nil)
        #expect(nonfinite.layer == origin.layer)
    }

    @Test func aFarTooHighLearningRateDivergesTheLoss() throws {
        let run = try Self.train("divergence", data: "digits.csv")
        #expect(run.report.verdict == .unhealthy, "\(run.summary)")
        let f = try run.finding(.lossDivergence)
        #expect(f.severity == .critical)
        #expect(try #require(f.evidence("factor")) > 1e3)
        #expect(try #require(f.evidence("peak_loss")) > 100 * (f.evidence("min_loss") ?? .infinity))
        // The loss runs away on finite numbers: nothing overflowed.
        #expect(run.result.status == .completed)
        #expect(!run.kinds().contains(.nonfinite))
    }

    @Test func aLargeNegativeBiasKillsTheReLUUnits() throws {
        let run = try Self.train("dead-units", data: "digits.csv")
        #expect(run.result.status == .completed)
        #expect(run.report.verdict == .unhealthy, "\(run.summary)")
        let f = try run.finding(.deadUnits)
        #expect(f.layer == "dense_1")
        #expect(f.severity == .critical)
        #expect(try #require(f.evidence("median_dead_fraction")) >= 0.9)
        #expect(try #require(f.evidence("measurements")) >= 3)
        #expect(!run.kinds().contains(.nonfinite))
        #expect(!run.kinds().contains(.explodingGradients))
    }

    @Test func aNaNInOneDataRowIsNonFiniteAndLocatedInTheInputs() throws {
        let run = try Self.train("nan-input", data: "iris_nan.csv")
        #expect(run.result.status == .diverged)
        #expect(run.log.end?.status == .diverged)
        #expect(run.report.verdict == .unhealthy, "\(run.summary)")
        let f = try run.finding(.nonfinite)
        #expect(f.severity == .critical)
        let last = try #require(run.log.steps.last)
        #expect(f.firstStep == last.step)
        #expect(f.evidence("first_step") == Double(last.step))
        #expect(f.evidence("finite_steps_before") == Double(last.step - 1))
        #expect(f.message.contains("inputs"))
        #expect(f.suggestion.contains("data"))
        let origin = try #require(last.nonfinite.first)
        #expect(origin.pass == .inputs)
        #expect(origin.value?.isNaN == true)
        // The steps before it were finite; nothing else is blamed on the NaN.
        let finiteBefore = run.log.steps.dropLast().allSatisfy { $0.isFinite }
        #expect(finiteBefore)
        #expect(run.report.findings.map(\.kind) == [.nonfinite], "\(run.summary)")
    }

    @Test func aTooHighLearningRateCollapsesTheAttention() throws {
        // Digits as 8 rows of 8 pixels through causal self-attention: at Adam 0.3 every
        // query ends up on one key; the same model at 0.003 keeps its attention spread.
        let run = try Self.train("attention-collapse", data: "digits.csv")
        #expect(run.result.status == .completed)
        let f = try run.finding(.attentionCollapse)
        #expect(f.layer == "multi_head_attention_1")
        #expect(f.severity == .warning)
        #expect(try #require(f.evidence("median_attention_entropy")) < 0.05)
        #expect(try #require(f.evidence("measurements")) >= 3)
        #expect(run.report.rootCause?.kind == .attentionCollapse, "\(run.summary)")
        let calm = try Self.train("attention-collapse", data: "digits.csv", learningRate: 0.003)
        #expect(!calm.kinds().contains(.attentionCollapse), "\(calm.summary)")
        let entropies = calm.log.steps.compactMap { $0.layers.first?.attentionEntropy }
        #expect(entropies.count >= 3)
        #expect(entropies.allSatisfy { $0 > 0.9 }, "\(entropies)")
    }

    // MARK: - Logs that are not whole, or not ours

    static func logPath(_ name: String) -> String { Fixture.root.appendingPathComponent("Fixtures/logs/\(name)").path }

    @Test func aLogTruncatedMidLineIsReportedOn() throws {
        let log = try RunLog.read(path: Self.logPath("torn_last_line.jsonl"))
        #expect(log.warnings.map(\.kind) == [.tornLastLine])
        #expect(log.steps.count == 5)
        let report = HealthReport(log: log)
        #expect(report.stepCount == 5)
        #expect(report.status == nil)
        #expect(report.logWarnings.map(\.kind) == [.tornLastLine])
        #expect(report.verdict == .healthy, "\(report.findings.map(\.message))")
        #expect(report.text().contains("cut off"))
        #expect(report.html().contains("<svg"))
    }

    @Test func aLogWithUnknownEventsIsReportedOn() throws {
        let log = try RunLog.read(path: Self.logPath("unknown_events.jsonl"))
        #expect(log.warnings.count == 3)
        #expect(log.warnings.allSatisfy { $0.kind == .unknownEvent })
        let report = HealthReport(log: log)
        #expect(report.stepCount == 8)
        #expect(report.epochCount == 2)
        #expect(report.status == .completed)
        #expect(report.verdict == .healthy, "\(report.findings.map(\.message))")
        #expect(report.markdown().contains("lr_schedule"))
    }

    @Test func aPyTorchLogWithOnlyRequiredFieldsIsReportedOn() throws {
        let log = try RunLog.read(path: Self.logPath("pytorch_iris.jsonl"))
        #expect(log.warnings.isEmpty)
        #expect(log.start == nil)
        #expect(log.steps.count == 200)
        #expect(log.steps.allSatisfy { $0.gradNorm == nil && $0.layers.isEmpty })
        let report = HealthReport(log: log)
        #expect(report.stepCount == 200)
        #expect(report.verdict == .healthy, "\(report.findings.map(\.message))")
        #expect(report.json().objectValue?["verdict"] == .string("healthy"))
        #expect(report.html().contains("<svg"))
    }

    /// One of the real runs, killed in the middle of writing a step: the report reads up to
    /// the last whole line and still finds the problem.
    @Test func aRealRunLogCutMidLineStillShowsItsProblem() throws {
        let run = try Self.train("vanishing", data: "digits.csv")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: run.logPath))
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // Keep the first three quarters of the lines whole and half of the next one (a
        // step line), with no newline.
        let cut = lines.count * 3 / 4
        let kept = lines.prefix(cut).map { Data($0) + Data([UInt8(ascii: "\n")]) }.reduce(Data(), +)
        let torn = Data(lines[cut]).prefix(lines[cut].count / 2)
        #expect(String(decoding: torn, as: UTF8.self).contains("\"step\""))
        let cutPath = run.logPath + ".cut.jsonl"
        try (kept + Data(torn)).write(to: URL(fileURLWithPath: cutPath))
        let log = try RunLog.read(path: cutPath)
        #expect(log.warnings.map(\.kind) == [.tornLastLine])
        #expect(log.end == nil)
        #expect(log.steps.count == run.log.steps.filter { $0.step <= log.steps.count }.count)
        let report = HealthReport(log: log, source: cutPath)
        #expect(report.status == nil)
        #expect(report.stepCount == log.steps.count)
        #expect(report.stepCount >= 30)
        #expect(report.verdict == .unhealthy)
        #expect(report.findings(.vanishingGradients).first?.severity == .critical)
        #expect(report.html().contains("<svg"))
    }
}
