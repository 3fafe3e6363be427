import Foundation
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckHealth

/// What the monitor costs per step, against a training step of the digits MLP of
/// `Fixtures/specs/digits-mlp.json` (64-64-32-10, ReLU, batch 32, Float, Adam with
/// clipnorm 1.0): the issue's budget is 10% with the default instruments. The monitor's time includes forming the dictionaries and the update
/// tensors it asks for, and writing the log to a file. Run in release for numbers to quote:
/// `swift test -c release -Xswiftc -enable-testing --filter MonitorCostTests`.
@Suite(.serialized) struct MonitorCostTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static let spec = #"""
    {"name": "digits-mlp", "input_shape": [64], "loss": "sparse_categorical_crossentropy", "layers": [
     {"type": "dense", "units": 64, "activation": "relu"}, {"type": "dense", "units": 32, "activation": "relu"},
     {"type": "dense", "units": 10, "activation": "softmax"}]}
    """#

    @Test func defaultInstrumentsOnTheDigitsMLP() throws {
        let model = try Model(spec: ModelSpec.decode(JSONParser.parse(Self.spec)))
        var params = try model.orderedTensors(model.initialParameters(seed: 1, as: Float.self))
        let names = model.parameters.map(\.name)
        var rng = SystemRandomNumberGenerator()
        // A digits-sized data set (1,437 training rows of 64 features), batches of 32.
        let rows = 1437, batch = 32
        let data = Tensor<Float>(unchecked: [rows, 64], scalars: (0..<(rows * 64)).map { _ in Float.random(in: -2...2, using: &rng) })
        let labels = (0..<rows).map { $0 % 10 }
        let context = ForwardContext(training: true, seed: 1)
        // The layer outputs of a batch (the trainer captures them on the tape for free).
        let outputs = model.activations(parameters: params, inputs: data.gatherRows(Array(0..<batch)), context: context)
        let path = try Synthetic.directory().appendingPathComponent("cost.jsonl").path
        let monitor = try HealthMonitor(model: model.name, parameters: RunParameter.parameters(of: model),
                                        layers: RunLayer.layers(of: model), log: try RunLogWriter(path: path))
        // Adam (Keras defaults, learning rate 1e-3) with clipnorm 1.0: the spec's optimiser.
        var m = params.map { Tensor<Float>.zeros($0.shape) }, v = m
        var adamStep: Float = 0

        func trainingStep(_ k: Int) -> (Float, [Tensor<Float>], [Tensor<Float>]) {
            let index = (0..<batch).map { (k * batch + $0) % rows }
            let x = data.gatherRows(index)
            let y = index.map { labels[$0] }
            let r = model.lossAndGradients(parameters: params, inputs: x, targets: .labels(y), context: context)
            adamStep += 1
            let c1 = 1 - Float.pow(0.9, adamStep), c2 = 1 - Float.pow(0.999, adamStep)
            var grads: [Tensor<Float>] = []
            var old: [Tensor<Float>] = []
            for (i, name) in names.enumerated() {
                let g = r.parameters[name]!
                var clipped = g
                let norm = g.norm()
                if norm > 1 { clipped.scale(by: 1 / norm) }
                m[i] = m[i].zipMap(clipped) { 0.9 * $0 + 0.1 * $1 }
                v[i] = v[i].zipMap(clipped) { 0.999 * $0 + 0.001 * $1 * $1 }
                let step = m[i].zipMap(v[i]) { 1e-3 * ($0 / c1) / (($1 / c2).squareRoot() + 1e-7) }
                old.append(params[i])
                params[i] = params[i].zipMap(step) { $0 - $1 }
                grads.append(g)
            }
            return (r.loss, grads, old)
        }

        let steps = 300
        var stepTimes: [Double] = [], monitorTimes: [Double] = []
        for t in 0..<(steps + 20) {
            var result: (Float, [Tensor<Float>], [Tensor<Float>])!
            let s = Self.seconds { result = trainingStep(t) }
            let (loss, grads, old) = result!
            let m = try Self.seconds {
                var g: [String: any MonitoredValues] = [:], p: [String: any MonitoredValues] = [:],
                    u: [String: any MonitoredValues] = [:]
                let weighs = monitor.measuresWeights
                for (i, name) in names.enumerated() {
                    g[name] = grads[i]
                    if weighs {
                        p[name] = params[i]
                        u[name] = params[i].zipMap(old[i]) { $0 - $1 }   // the update, formed for the monitor
                    }
                }
                var a: [String: any MonitoredValues] = [:]
                if monitor.measuresActivations {
                    for (k, layer) in model.layers.enumerated() { a[layer.name] = outputs[k + 1] }
                }
                try monitor.recordStep(loss: Double(loss), gradients: g, parameters: p, updates: u,
                                       learningRate: 0.01, activations: a)
            }
            if t >= 20 {   // after a warm-up
                stepTimes.append(s)
                monitorTimes.append(m)
            }
        }
        // Medians over 10-step windows (one activation and weight measurement each), which
        // a busy machine's bursts do not move much.
        func windowMedian(_ xs: [Double]) -> Double {
            let sums = stride(from: 0, to: xs.count, by: 10).map { xs[$0..<min($0 + 10, xs.count)].reduce(0, +) / 10 }
            return SeriesMath.median(sums) ?? .nan
        }
        let stepTime = windowMedian(stepTimes), monitorTime = windowMedian(monitorTimes)
        let ratio = monitorTime / stepTime
        print(String(format: "monitor cost on the digits MLP (batch %d): step %.1f µs, monitor %.1f µs per step (%.1f%%)",
                     batch, stepTime * 1e6, monitorTime * 1e6, ratio * 100))
        #expect(try RunLog.read(path: path).steps.count == steps + 20)
        #if DEBUG
        #expect(ratio < 1.0)   // unoptimised builds: a sanity bound only
        #else
        #expect(ratio < 0.10)
        #endif
    }

    @Test func hundredTensorsOfAMillionElements() throws {
        let parameters = (0..<100).map { RunParameter(name: "layer_\($0 / 2)/\($0 % 2 == 0 ? "kernel" : "bias")", shape: [10_000]) }
        var rng = SystemRandomNumberGenerator()
        let grads = parameters.map { _ in Tensor<Float>(unchecked: [10_000], scalars: (0..<10_000).map { _ in Float.random(in: -1...1, using: &rng) }) }
        let monitor = try HealthMonitor(model: "wide", parameters: parameters, log: RunLogWriter())
        var g: [String: any MonitoredValues] = [:]
        for (p, t) in zip(parameters, grads) { g[p.name] = t }
        let steps = 20
        try monitor.recordStep(loss: 1, gradients: g)
        let total = try Self.seconds { for _ in 0..<steps { try monitor.recordStep(loss: 1, gradients: g) } }
        print(String(format: "monitor cost for 100 tensors, 1M gradient elements: %.2f ms per step (gradients only)",
                     total / Double(steps) * 1e3))
        var every = MonitorOptions()
        every.weightNormsEvery = 1
        let weighing = try HealthMonitor(model: "wide", parameters: parameters, log: RunLogWriter(), options: every)
        let withWeights = try Self.seconds {
            for _ in 0..<steps { try weighing.recordStep(loss: 1, gradients: g, parameters: g, updates: g) }
        }
        print(String(format: "… with weight and update norms on every step (3M elements): %.2f ms per step",
                     withWeights / Double(steps) * 1e3))
        #expect(monitor.log.steps.last?.parameters.count == 100)
    }
}
