import Foundation
import GradCheckHealth
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

/// Step time of the digits MLP (64-64-32-10, relu, sparse CE on the fused softmax, no
/// regulariser), Adam, Float: the counterpart of `Scripts/bench/torch_bench.py train`.
/// Run in release with `GRADCHECK_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter BenchmarkTests`.
struct BenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GRADCHECK_BENCH"] != nil))
    func trainingStepOfTheDigitsMLP() throws {
        let json = """
            {"name": "digits-mlp", "input_shape": [64],
             "layers": [{"type": "dense", "units": 64, "activation": "relu"},
                        {"type": "dense", "units": 32, "activation": "relu"},
                        {"type": "dense", "units": 10, "activation": "softmax"}],
             "loss": "sparse_categorical_crossentropy"}
            """
        let model = try Fixture.model(json: json)
        let env = ProcessInfo.processInfo.environment
        let batches = env["GRADCHECK_BENCH_BATCH"].flatMap(Int.init).map { [$0] } ?? [32, 128]
        for batch in batches {
            let variants = env["GRADCHECK_BENCH_VARIANT"].map { [$0] }
                ?? (env["GRADCHECK_BENCH_BATCH"] == nil ? ["", "+observer", "+monitor", "+monitor+log"] : [""])
            for variant in variants {
                let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(optimizer: OptimizerSpec(kind: .adam)))
                switch variant {
                case "+observer": trainer.observers = [NullObserver()]
                case "+monitor": trainer.observers = [try HealthMonitorObserver(model: model)]
                case "+monitor+log":
                    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(batch).jsonl").path
                    trainer.observers = [try HealthMonitorObserver(model: model, log: RunLogWriter(path: path))]
                default: break
                }
                var rng = SeededRNG(seed: 1)
                let x = Tensor<Float>(unchecked: [batch, 64], scalars: (0..<(batch * 64)).map { _ in Float(rng.normal()) })
                let y = Targets<Float>.labels((0..<batch).map { _ in rng.index(below: 10) })
                for _ in 0..<50 { _ = try trainer.step(inputs: x, targets: y) }
                var wall: [Double] = [], cpu: [Double] = []
                for _ in 0..<15 {
                    let reps = 200
                    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = threadCPUSeconds()
                    for _ in 0..<reps { _ = try trainer.step(inputs: x, targets: y) }
                    wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(reps))
                    cpu.append((threadCPUSeconds() - c0) / Double(reps))
                }
                wall.sort()
                cpu.sort()
                print(String(format: "bench train/digits-64-64-32-10/b%d/float32/adam%@: wall median %.1f us min %.1f us | cpu median %.1f us min %.1f us",
                             batch, variant, wall[7] * 1e6, wall[0] * 1e6, cpu[7] * 1e6, cpu[0] * 1e6))
            }
        }
    }
}

/// An observer that asks for nothing: the cost of building step records.
final class NullObserver: TrainingObserver {}

/// CPU seconds used by the calling thread (immune to time spent descheduled).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
