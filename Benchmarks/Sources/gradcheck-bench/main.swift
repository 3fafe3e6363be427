// gradcheck-bench: timings of GradCheck's gradient check, forward+backward pass, training
// step, health-monitor overhead and matrix multiply. Every measurement prints one JSON line (see Benchmarks/README.md);
// Scripts/bench/torch_bench.py prints the same lines for PyTorch and
// Scripts/bench/compare.sh joins the two.
import Dispatch
import Foundation
import GradCheck

// MARK: - Options

let usage = """
usage: gradcheck-bench COMMAND [options]

commands:
  check    ModelChecker().check on Fixtures/specs/mlp-l2-clipnorm.json (784-64-32-10), batch 8:
           layers + model (the default) and model only, with threads 1 and every core
  transformer
           ModelChecker().check (model only, every element) of the transformer-encoder
           fixture (two pre-norm causal attention blocks, 18k parameters) on its PyTorch
           reference weights and batch (batch 4, sequence 16), threads 1 and every core;
           torch_bench.py times torch.autograd.gradcheck on the same model and numbers
  fwdbwd   model.lossAndGradients: mlp-l2-clipnorm at batch 128 (Double, Float),
           digits MLP 64-64-32-10 at batch 32 and 128 (Double, Float)
  train    Trainer.step (forward, backward, Adam lr 1e-3) of the digits MLP at batch 32 and
           128 (Double, Float)
  monitor  the same step, float32 batch 32 and 128, bare and with a HealthMonitorObserver
           (default instruments; everything on every step): the monitor's overhead
  matmul   Tensor.matmul of square n x n matrices, n = 64, 128, 256, 512 (Double, Float)
  all      check, transformer, fwdbwd, train, monitor, matmul, in that order
  export   write the check's model, parameters and batch (seed 0) as JSON to --out FILE, so
           that Scripts/bench/torch_bench.py runs PyTorch on exactly the same numbers

options:
  --samples N    timed samples per measurement (median and min over these; default: 15,
                 3 for check)
  --warmup N     untimed runs first (default: 2, 1 for check)
  --quick        fewer samples (smoke test)
  --root DIR     the GradCheck repository (default: found from this source file's path)
  --out FILE     where `export` writes
  --filter TEXT  run only the measurements whose name contains TEXT (for profiling:
                 perf record -g .build/release/gradcheck-bench fwdbwd --filter b128/float64)
"""

struct Options {
    var command = ""
    var samples: Int?
    var warmup: Int?
    var quick = false
    var root: String
    var out: String?
    var filter: String?

    init(_ argv: [String]) {
        // Benchmarks/Sources/gradcheck-bench/main.swift -> the repository root.
        root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        var i = 0
        func value() -> String {
            i += 1
            guard i < argv.count else { fail("\(argv[i - 1]) needs a value") }
            return argv[i]
        }
        while i < argv.count {
            let a = argv[i]
            switch a {
            case "--samples": samples = Int(value()) ?? { fail("--samples: expected an integer") }()
            case "--warmup": warmup = Int(value()) ?? { fail("--warmup: expected an integer") }()
            case "--quick": quick = true
            case "--root": root = value()
            case "--out": out = value()
            case "--filter": filter = value()
            case "-h", "--help": print(usage); exit(0)
            default:
                if a.hasPrefix("-") || !command.isEmpty { fail("unexpected argument \(a)\n\n\(usage)") }
                command = a
            }
            i += 1
        }
        if command.isEmpty { fail(usage) }
    }

    /// A copy with another `--filter`.
    init(_ o: Options, filter: String?) {
        self = o
        self.filter = filter
    }

    func runs(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }

    func samples(default d: Int) -> Int { max(1, samples ?? (quick ? min(d, 3) : d)) }
    func warmup(default d: Int) -> Int { max(0, warmup ?? (quick ? min(d, 1) : d)) }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
    exit(2)
}

// MARK: - Timing

/// Results land here so that the optimiser cannot drop the work being timed.
nonisolated(unsafe) var sink: Double = 0

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Machine-wide busy CPU time (from /proc/stat, all cores) and this process's CPU time,
/// in seconds: their difference over a measurement is what other processes used, which
/// tells a measurement taken on a shared machine from a clean one.
struct CPUUsage {
    var machineBusy: Double
    var own: Double

    static func now() -> CPUUsage {
        var busy = Double.nan
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") {
            let f = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if f.count >= 8 {
                // user nice system idle iowait irq softirq steal: all but idle and iowait.
                let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
                busy = (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / ticks
            }
        }
        return CPUUsage(machineBusy: busy, own: processSeconds())
    }

    /// This process's CPU time (all threads), in seconds.
    static func processSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

struct Timing {
    var samples: [Double]     // seconds per call, one per timed sample
    var cpuSamples: [Double] = []  // this process's CPU seconds per call, one per sample
    var repeats: Int          // calls per sample
    var ownCores = 0.0        // this process's CPU time / wall time while timing
    var otherCores = 0.0      // other processes' CPU time / wall time while timing
    var median: Double {
        let s = samples.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { samples.min()! }
    /// The median CPU time per call: on a busy machine, where wall time also counts the
    /// time other processes held the core, this is the cost of a single-threaded call.
    var cpuMedian: Double {
        let s = cpuSamples.sorted()
        return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Runs `body` `warmup` times untimed, then `samples` timed samples of `repeats` calls
/// each; `repeats` is chosen (from the last warm-up) so a sample lasts about
/// `minSampleSeconds`, which keeps the clock's resolution out of short calls (and makes
/// the whole measurement long enough for /proc/stat's 10 ms ticks).
func measure(warmup: Int, samples: Int, minSampleSeconds: Double = 0.02, _ body: () -> Void) -> Timing {
    let clock = ContinuousClock()
    var last = 0.0
    for _ in 0..<Swift.max(1, warmup) { last = seconds(clock.measure(body)) }
    let repeats = last >= minSampleSeconds ? 1 : Swift.max(1, Int((minSampleSeconds / Swift.max(last, 1e-9)).rounded(.up)))
    var out: [Double] = [], cpu: [Double] = []
    out.reserveCapacity(samples)
    let before = CPUUsage.now(), start = clock.now
    for _ in 0..<samples {
        let c0 = CPUUsage.processSeconds()
        let t = clock.measure { for _ in 0..<repeats { body() } }
        cpu.append((CPUUsage.processSeconds() - c0) / Double(repeats))
        out.append(seconds(t) / Double(repeats))
    }
    let after = CPUUsage.now(), wall = seconds(clock.now - start)
    let own = (after.own - before.own) / wall
    let other = Swift.max(0, (after.machineBusy - before.machineBusy) / wall - own)
    return Timing(samples: out, cpuSamples: cpu, repeats: repeats, ownCores: own, otherCores: other)
}

/// One JSON line: the fields every measurement has, then `extra` (sorted by key).
///
/// `cpu_share` is the CPU time this process got over the wall time of the samples, per
/// thread it runs (`threads`): below about 0.95 the process was descheduled for part of
/// the measurement (a busy machine), and the timing overstates the cost.
func report(bench: String, name: String, threads: Int = 1, _ t: Timing, _ extra: [String: Any] = [:]) {
    func r2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
    var o: [String: Any] = [
        "framework": "gradcheck", "bench": bench, "name": name,
        "iterations": t.samples.count, "repeats_per_sample": t.repeats,
        "median_s": t.median, "min_s": t.min, "cpu_median_s": t.cpuMedian, "kernels": Kernels.active.name,
        "own_cores": r2(t.ownCores), "other_cores": r2(t.otherCores), "cpu_share": r2(t.ownCores / Double(threads)),
    ]
    for (k, v) in extra { o[k] = v }
    let data = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)  // every stream: `stdout` itself is a C global Swift 6 will not touch
}

// MARK: - Models and batches (as the CLI's ModelSession builds them)

func loadModel(_ path: String) -> Model {
    do {
        return try Model(spec: ModelSpec.load(path: path), file: path)
    } catch {
        fail("cannot load \(path): \(error)")
    }
}

/// The CLI's random batch (`gradcheck check SPEC --batch-size N --seed S`): normal inputs
/// and uniform class labels drawn from `SeededRNG(seed:name: "random batch")`.
func randomBatch(_ model: Model, batchSize: Int, seed: UInt64) -> (Tensor<Double>, Targets<Double>) {
    var rng = SeededRNG(seed: seed, name: "random batch")
    let width = model.inputShape.reduce(1, *)
    let inputs = Tensor<Double>(unchecked: [batchSize] + model.inputShape,
                                scalars: (0..<(batchSize * width)).map { _ in rng.normal() })
    guard model.loss.spec.kind == .sparseCategoricalCrossentropy, model.outputShape.count == 1 else {
        fail("the benchmarks' models end in a softmax with sparse categorical cross-entropy")
    }
    let classes = model.outputShape[0]
    let labels = (0..<batchSize).map { _ in rng.index(below: classes) }
    return (inputs, .labels(labels))
}

func asFloat(_ t: Tensor<Double>) -> Tensor<Float> {
    Tensor<Float>(unchecked: t.shape, scalars: t.scalars.map { Float($0) })
}

func elapsedSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

// MARK: - Benchmarks

/// Multiply-adds of the dense layers' kernels: 2·B·Σ(in·out) per forward pass; the
/// backward pass costs twice that (input and kernel gradients).
func denseFlops(_ model: Model, batch: Int) -> (forward: Double, backward: Double) {
    var macs = 0
    var width = model.inputShape.reduce(1, *)
    for layer in model.layers {
        let out = layer.outputShape.reduce(1, *)
        if !layer.parameters.isEmpty { macs += width * out }
        width = out
    }
    let fwd = 2.0 * Double(batch) * Double(macs)
    return (fwd, 2 * fwd)
}

func runCheck(_ o: Options) {
    let path = o.root + "/Fixtures/specs/mlp-l2-clipnorm.json"
    let model = loadModel(path)
    let seed: UInt64 = 0
    let parameters: ParameterSet<Double> = model.initialParameters(seed: seed)
    let (inputs, targets) = randomBatch(model, batchSize: 8, seed: seed)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    for (label, layers) in [("layers+model", true), ("model-only", false)] {
        for threads in [1, nil] as [Int?] {
            let name = "check/\(label)/threads=\(threads.map(String.init) ?? "all")"
            guard o.runs(name) else { continue }
            let checker = ModelChecker(checker: GradientChecker(tolerance: .float64, seed: seed, threads: threads),
                                       seed: seed, checkLayers: layers, checkModel: true)
            var last: CheckReport?
            let t = measure(warmup: o.warmup(default: 1), samples: o.samples(default: 3)) {
                do {
                    let r = try checker.check(model, parameters: parameters, inputs: inputs, targets: targets)
                    sink += r.loss
                    last = r
                } catch {
                    fail("check failed to run: \(error)")
                }
            }
            let r = last!
            let modelElements = r.results.filter { $0.target == "model" }.reduce(0) { $0 + $1.elementsChecked }
            report(bench: "check", name: name, threads: threads ?? cores, t, [
                "model": model.name, "batch": 8, "parameters": parameters.scalarCount,
                "threads": threads ?? cores, "check_layers": layers,
                "checks": r.results.count, "passed": r.passed,
                "elements_checked": r.elementsChecked, "model_elements_checked": modelElements,
                "elements_per_s": Double(r.elementsChecked) / t.median,
                "loss": r.loss,
            ])
        }
    }
}

/// The full check of the transformer fixture on its reference weights and batch, model
/// only (torch.autograd.gradcheck checks the loss as a function of the parameters).
func runTransformer(_ o: Options) {
    let name = "transformer-encoder"
    let path = o.root + "/Fixtures/specs/\(name).json"
    let model = loadModel(path)
    let reference = o.root + "/Fixtures/reference/\(name)"
    let parameters: ParameterSet<Double>
    let inputs: Tensor<Double>
    let targets: Targets<Double>
    do {
        parameters = ParameterSet(try WeightsFile.load(path: reference + "/weights.json").parameters)
        let batch = try BatchFile.load(path: reference + "/batch.json")
        inputs = try model.packInputs(batch.namedInputs, file: reference + "/batch.json")
        targets = try model.targets(from: batch.targets, batchSize: inputs.shape[0], file: reference + "/batch.json")
    } catch {
        fail("cannot load the \(name) reference: \(error)")
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    for threads in [1, nil] as [Int?] {
        let label = "transformer/model-only/threads=\(threads.map(String.init) ?? "all")"
        guard o.runs(label) else { continue }
        let checker = ModelChecker(checker: GradientChecker(tolerance: .float64, seed: 0, threads: threads),
                                   seed: 0, checkLayers: false, checkModel: true)
        var last: CheckReport?
        let t = measure(warmup: o.warmup(default: 0), samples: o.samples(default: 1)) {
            do {
                let r = try checker.check(model, parameters: parameters, inputs: inputs, targets: targets)
                sink += r.loss
                last = r
            } catch {
                fail("check failed to run: \(error)")
            }
        }
        let r = last!
        report(bench: "transformer", name: label, threads: threads ?? cores, t, [
            "model": model.name, "batch": inputs.shape[0], "parameters": parameters.scalarCount,
            "threads": threads ?? cores, "check_layers": false,
            "checks": r.results.count, "passed": r.passed,
            "elements_checked": r.elementsChecked, "model_elements_checked": r.elementsChecked,
            "elements_per_s": Double(r.elementsChecked) / t.median,
            "loss": r.loss,
        ])
    }
}

func fwdbwd<S: TensorScalar>(_ model: Model, _ o: Options, batch: Int, as _: S.Type, name: String,
                             convert: (Tensor<Double>) -> Tensor<S>) {
    guard o.runs(name) else { return }
    let (x, y) = randomBatch(model, batchSize: batch, seed: 0)
    let parameters = try! model.orderedTensors(model.initialParameters(seed: 0, as: S.self))
    let inputs = convert(x)
    let targets: Targets<S>
    switch y {
    case let .labels(l): targets = .labels(l)
    case let .values(v): targets = .values(convert(v))
    }
    let context = ForwardContext(training: true, seed: 0)
    var loss = 0.0
    let t = measure(warmup: o.warmup(default: 3), samples: o.samples(default: 15)) {
        let g = model.lossAndGradients(parameters: parameters, inputs: inputs, targets: targets, context: context)
        loss = Double(g.loss)
        sink += loss
    }
    let flops = denseFlops(model, batch: batch)
    report(bench: "fwdbwd", name: name, t, [
        "model": model.name, "batch": batch, "dtype": S.self == Double.self ? "float64" : "float32",
        "loss": loss, "flops": flops.forward + flops.backward,
        "gflops": (flops.forward + flops.backward) / t.median / 1e9,
        "samples_per_s": Double(batch) / t.median,
    ])
}

func runFwdBwd(_ o: Options) {
    let mlp = loadModel(o.root + "/Fixtures/specs/mlp-l2-clipnorm.json")
    let digits = loadModel(o.root + "/Benchmarks/specs/digits-mlp.json")
    fwdbwd(mlp, o, batch: 128, as: Double.self, name: "fwdbwd/mlp-784-64-32-10/b128/float64") { $0 }
    fwdbwd(mlp, o, batch: 128, as: Float.self, name: "fwdbwd/mlp-784-64-32-10/b128/float32", convert: asFloat)
    for batch in [32, 128] {
        fwdbwd(digits, o, batch: batch, as: Double.self, name: "fwdbwd/digits-64-64-32-10/b\(batch)/float64") { $0 }
        fwdbwd(digits, o, batch: batch, as: Float.self, name: "fwdbwd/digits-64-64-32-10/b\(batch)/float32", convert: asFloat)
    }
}

/// A trainer for the digits MLP with Adam (lr 1e-3, PyTorch's defaults otherwise), no
/// clipping, on the benchmark batch; `monitor` attaches a health monitor that keeps no log
/// in memory (a long benchmark would otherwise grow it by ~40 bytes per parameter per step).
func digitsTrainer<S: TensorScalar>(_ model: Model, batch: Int, as _: S.Type, monitor: MonitorOptions?)
    -> (Trainer<S>, Tensor<S>, Targets<S>)
{
    let (x, y) = randomBatch(model, batchSize: batch, seed: 0)
    let inputs = Tensor<S>(unchecked: x.shape, scalars: x.scalars.map { S($0) })
    guard case let .labels(labels) = y else { fail("unreachable") }
    var configuration = TrainingConfiguration(optimizer: OptimizerSpec(kind: .adam), batchSize: batch)
    configuration.seed = 0
    do {
        let trainer = try Trainer<S>(model: model, configuration: configuration,
                                     parameters: model.initialParameters(seed: 0, as: S.self))
        trainer.optimizer = Adam<S>(learningRate: 1e-3, epsilon: 1e-8)
        if var options = monitor {
            options.keepsLog = false
            trainer.observers.append(try HealthMonitorObserver(model: model, options: options))
        }
        return (trainer, inputs, .labels(labels))
    } catch {
        fail("cannot build the trainer: \(error)")
    }
}

func trainStep<S: TensorScalar>(_ model: Model, _ o: Options, batch: Int, as type: S.Type, name: String,
                                monitor: MonitorOptions? = nil, extra: [String: Any] = [:]) -> Timing? {
    guard o.runs(name) else { return nil }
    let (trainer, inputs, targets) = digitsTrainer(model, batch: batch, as: type, monitor: monitor)
    var loss = 0.0
    let t = measure(warmup: o.warmup(default: 3), samples: o.samples(default: 15)) {
        do {
            loss = try trainer.step(inputs: inputs, targets: targets).loss
        } catch {
            fail("training step failed: \(error)")
        }
        sink += loss
    }
    var fields: [String: Any] = [
        "model": model.name, "batch": batch, "dtype": S.self == Double.self ? "float64" : "float32",
        "optimizer": "adam", "lr": 1e-3, "loss": loss, "samples_per_s": Double(batch) / t.median,
    ]
    for (k, v) in extra { fields[k] = v }
    report(bench: name.hasPrefix("monitor") ? "monitor" : "train", name: name, t, fields)
    return t
}

func runTrain(_ o: Options) {
    let digits = loadModel(o.root + "/Benchmarks/specs/digits-mlp.json")
    for batch in [32, 128] {
        _ = trainStep(digits, o, batch: batch, as: Float.self, name: "train/digits-64-64-32-10/b\(batch)/float32/adam")
        _ = trainStep(digits, o, batch: batch, as: Double.self, name: "train/digits-64-64-32-10/b\(batch)/float64/adam")
    }
}

/// The monitor's cost: the same step bare, with the default instruments, and with every
/// instrument on every step; `overhead` is the median step time over the bare one, minus 1.
func runMonitor(_ o: Options) {
    let digits = loadModel(o.root + "/Benchmarks/specs/digits-mlp.json")
    for batch in [32, 128] {
        let base = "monitor/digits-64-64-32-10/b\(batch)/float32"
        guard o.runs(base) || o.runs(base + "/default") || o.runs(base + "/everything") else { continue }
        var bare: Timing?
        for (label, options) in [("none", nil), ("default", MonitorOptions()), ("everything", MonitorOptions.everything)]
            as [(String, MonitorOptions?)]
        {
            let name = "\(base)/\(label)"
            // The bare step is the reference of the other two: always measure it.
            let filter = label == "none" ? Options(o, filter: nil) : o
            var extra: [String: Any] = ["instruments": label]
            if let b = bare { extra["bare_median_s"] = b.median }
            let t = trainStep(digits, filter, batch: batch, as: Float.self, name: name, monitor: options, extra: extra)
            if label == "none" { bare = t }
        }
    }
}

func matmul<S: TensorScalar>(n: Int, _ o: Options, as _: S.Type, convert: (Tensor<Double>) -> Tensor<S>) {
    let dtype = S.self == Double.self ? "float64" : "float32"
    guard o.runs("matmul/n=\(n)/\(dtype)") else { return }
    var rng = SeededRNG(seed: UInt64(n), name: "matmul")
    let a = convert(Tensor(unchecked: [n, n], scalars: (0..<(n * n)).map { _ in rng.normal() }))
    let b = convert(Tensor(unchecked: [n, n], scalars: (0..<(n * n)).map { _ in rng.normal() }))
    let t = measure(warmup: o.warmup(default: 2), samples: o.samples(default: 15)) {
        let c = a.matmul(b)
        sink += Double(c.scalars[0])
    }
    let flops = 2.0 * Double(n) * Double(n) * Double(n)
    report(bench: "matmul", name: "matmul/n=\(n)/\(dtype)", t, [
        "n": n, "dtype": dtype, "flops": flops, "gflops": flops / t.median / 1e9,
    ])
}

func runMatmul(_ o: Options) {
    for n in [64, 128, 256, 512] {
        matmul(n: n, o, as: Double.self) { $0 }
        matmul(n: n, o, as: Float.self, convert: asFloat)
    }
}

/// The check's model, parameters (model order) and batch, for PyTorch to load.
func runExport(_ o: Options) {
    guard let out = o.out else { fail("export needs --out FILE") }
    let entries: [(String, Int)] = [("mlp-l2-clipnorm", 8), ("mlp-l2-clipnorm", 128), ("digits-mlp", 32), ("digits-mlp", 128)]
    var models: [[String: Any]] = []
    for (name, batch) in entries {
        let path = name == "digits-mlp" ? o.root + "/Benchmarks/specs/digits-mlp.json"
                                        : o.root + "/Fixtures/specs/\(name).json"
        let model = loadModel(path)
        let set: ParameterSet<Double> = model.initialParameters(seed: 0)
        let tensors = try! model.orderedTensors(set)
        let (x, y) = randomBatch(model, batchSize: batch, seed: 0)
        guard case let .labels(labels) = y else { fail("unreachable") }
        let params: [[String: Any]] = zip(model.parameters, tensors).map { d, t in
            var o: [String: Any] = ["name": d.name, "layer": d.layer, "shape": t.shape, "values": t.scalars]
            if let r = d.regularizer { o["regularizer"] = "\(r)" }
            return o
        }
        let tape = Tape<Double>(recording: false)
        let loss = tape.value(model.loss(
            input: tape.constant(x), parameters: tensors.map { tape.constant($0) }, targets: y, on: tape,
            context: ForwardContext(training: true, seed: 0))).scalar
        models.append([
            "model": model.name, "spec": path, "batch": batch, "input_shape": x.shape, "inputs": x.scalars,
            "labels": labels, "parameters": params, "loss": loss,
        ])
    }
    let data = try! JSONSerialization.data(withJSONObject: ["format": "gradcheck-bench.export/1", "models": models])
    do { try data.write(to: URL(fileURLWithPath: out)) } catch { fail("cannot write \(out): \(error)") }
}

// MARK: - Main

TensorMemory.keepFreedMemory()  // as the gradcheck command does
let options = Options(Array(CommandLine.arguments.dropFirst()))
switch options.command {
case "check": runCheck(options)
case "transformer": runTransformer(options)
case "fwdbwd": runFwdBwd(options)
case "train": runTrain(options)
case "monitor": runMonitor(options)
case "matmul": runMatmul(options)
case "export": runExport(options)
case "all":
    runCheck(options)
    runTransformer(options)
    runFwdBwd(options)
    runTrain(options)
    runMonitor(options)
    runMatmul(options)
default: fail("unknown command \(options.command)\n\n\(usage)")
}
if sink == .infinity { print("") }  // keep `sink` observable
