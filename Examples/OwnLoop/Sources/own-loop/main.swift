import Foundation
import OwnLoop

// swift run own-loop [--out DIR] [--data CSV]
// Trains the healthy and the deep sigmoid model and writes each run's log and report.
var out = "own-loop-runs"
var dataPath = LabelledData.irisPath
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--out": out = arguments.next() ?? out
    case "--data": dataPath = arguments.next() ?? dataPath
    default:
        FileHandle.standardError.write(Data("usage: own-loop [--out DIR] [--data CSV]\n".utf8))
        exit(2)
    }
}
do {
    let data = try LabelledData.load(path: dataPath)
    for settings in [RunSettings.healthy, .deepSigmoid] {
        let run = try train(settings, on: data, directory: out)
        let kinds = run.report.findings.map { "\($0.kind.rawValue) (\($0.severity.rawValue))" }
        print("\(settings.name): \(run.report.verdict.rawValue); final loss \(String(format: "%.3f", run.finalLoss)), "
              + "validation accuracy \(String(format: "%.2f", run.validationAccuracy)), clipped on "
              + "\(String(format: "%.0f", run.clipRate * 100))% of steps")
        print("  findings: \(kinds.isEmpty ? "none" : kinds.joined(separator: ", "))")
        print("  log: \(run.logPath)\n  report: \(run.reportPath)")
    }
} catch {
    FileHandle.standardError.write(Data("own-loop: \(error)\n".utf8))
    exit(1)
}
