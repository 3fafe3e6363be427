import Foundation
import Testing
@testable import GradCheckHealth

/// Builders for synthetic runs and temporary files shared by the health tests.
enum Synthetic {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `Fixtures/logs/NAME`.
    static func fixture(_ name: String) -> String {
        root.appendingPathComponent("Fixtures/logs").appendingPathComponent(name).path
    }

    /// A fresh temporary directory.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Three dense layers, `dense_1` (input) to `dense_3` (output), kernel and bias each.
    static let parameters: [RunParameter] = (1...3).flatMap { k in
        [RunParameter(name: "dense_\(k)/kernel", layer: "dense_\(k)", shape: [8, 8]),
         RunParameter(name: "dense_\(k)/bias", layer: "dense_\(k)", shape: [8])]
    }

    /// A run of `steps` steps: `loss(t)`, the gradient norm of layer `k` (1-based) at
    /// step `t` from `grad(k, t)`, and optional per-layer statistics and update ratios.
    static func run(steps: Int = 100, loss: (Int) -> Double = healthyLoss,
                    grad: (Int, Int) -> Double = { _, _ in 0.5 },
                    weight: ((Int, Int) -> Double)? = nil, update: ((Int, Int) -> Double)? = nil,
                    layers: [RunLayer] = [], stats: ((String, Int) -> LayerStats?)? = nil,
                    globalNorm: ((Int) -> Double)? = nil) -> RunLog {
        var log = RunLog(start: RunStart(model: "synthetic", parameters: parameters, layers: layers))
        for t in 1...steps {
            let params = parameters.map { p -> ParameterStats in
                let k = Int(p.layer.split(separator: "_").last!)!
                var s = ParameterStats(name: p.name, gradNorm: grad(k, t))
                if let weight { s.weightNorm = weight(k, t) }
                if let update { s.updateNorm = update(k, t) }
                return s
            }
            let layerStats = stats.map { f in layers.compactMap { f($0.name, t) } } ?? []
            log.steps.append(RunStep(step: t, epoch: (t - 1) / 10 + 1, loss: loss(t), gradNorm: globalNorm?(t),
                                        parameters: params, layers: layerStats))
        }
        return log
    }

    /// A loss falling from 2.3 towards 0.1 with a little deterministic noise.
    static func healthyLoss(_ t: Int) -> Double {
        0.1 + 2.2 * exp(-Double(t) / 25) + 0.02 * sin(Double(t) * 1.7)
    }

    /// The kinds found in `log`.
    static func kinds(_ log: RunLog, _ thresholds: HealthThresholds = HealthThresholds()) -> Set<FindingKind> {
        Set(HealthReport(log: log, thresholds: thresholds).findings.map(\.kind))
    }
}
