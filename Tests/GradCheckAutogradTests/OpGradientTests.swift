import GradCheckAutograd
import GradCheckTensor
import Testing

/// Every op's VJP against central differences (see ``AG`` for the tolerance).

@Test("VJP of apply(f) matches central differences", arguments: allUnaryFunctions)
func unaryFunctionVJP(f: UnaryFunction) {
    var rng = SeededRNG(seed: 3, name: "\(f)")
    for shape in [[12], [3, 2, 4]] {
        let x = Tensor<Double>(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in f.samplePoint(&rng) })
        AG.checkVJP("\(f) \(shape)", [x]) { t, v in t.apply(f, v[0]) }
    }
}

/// A named op on random inputs.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: @Sendable (inout SeededRNG) -> [Tensor<Double>]
    let build: @Sendable (Tape<Double>, [Variable<Double>]) -> Variable<Double>
    var testDescription: String { name }
}

let opCases: [OpCase] = [
    OpCase(name: "add", inputs: { [AG.uniform([2, 3], &$0, -2, 2), AG.uniform([2, 3], &$0, -2, 2)] },
           build: { t, v in t.add(v[0], v[1]) }),
    OpCase(name: "subtract", inputs: { [AG.uniform([2, 3], &$0, -2, 2), AG.uniform([2, 3], &$0, -2, 2)] },
           build: { t, v in t.subtract(v[0], v[1]) }),
    OpCase(name: "multiply", inputs: { [AG.uniform([2, 3, 2], &$0, -2, 2), AG.uniform([2, 3, 2], &$0, -2, 2)] },
           build: { t, v in t.multiply(v[0], v[1]) }),
    OpCase(name: "multiply(x, x)", inputs: { [AG.uniform([5], &$0, -2, 2)] },
           build: { t, v in t.multiply(v[0], v[0]) }),
    OpCase(name: "scale", inputs: { [AG.uniform([2, 3], &$0, -2, 2)] },
           build: { t, v in t.scale(v[0], by: -1.7) }),
    OpCase(name: "reshape", inputs: { [AG.uniform([2, 3, 4], &$0, -2, 2)] },
           build: { t, v in t.reshape(v[0], to: [6, 4]) }),
    OpCase(name: "reshape then matmul", inputs: { [AG.uniform([2, 6], &$0, -1, 1), AG.uniform([3, 2], &$0, -1, 1)] },
           build: { t, v in t.matmul(t.reshape(v[0], to: [2, 2, 3]), v[1]) }),
    OpCase(name: "matmul [3,4]x[4,5]", inputs: { [AG.uniform([3, 4], &$0, -1, 1), AG.uniform([4, 5], &$0, -1, 1)] },
           build: { t, v in t.matmul(v[0], v[1]) }),
    OpCase(name: "matmul [2,3,4]x[4,5]", inputs: { [AG.uniform([2, 3, 4], &$0, -1, 1), AG.uniform([4, 5], &$0, -1, 1)] },
           build: { t, v in t.matmul(v[0], v[1]) }),
    OpCase(name: "matmul [5,9]x[9,11] (edge tiles)", inputs: { [AG.uniform([5, 9], &$0, -1, 1), AG.uniform([9, 11], &$0, -1, 1)] },
           build: { t, v in t.matmul(v[0], v[1]) }),
    OpCase(name: "addBias [3,4]+[4]", inputs: { [AG.uniform([3, 4], &$0, -1, 1), AG.uniform([4], &$0, -1, 1)] },
           build: { t, v in t.addBias(v[0], v[1]) }),
    OpCase(name: "addBias [2,3,4]+[4]", inputs: { [AG.uniform([2, 3, 4], &$0, -1, 1), AG.uniform([4], &$0, -1, 1)] },
           build: { t, v in t.addBias(v[0], v[1]) }),
    OpCase(name: "sum", inputs: { [AG.uniform([2, 3], &$0, -1, 1)] }, build: { t, v in t.sum(v[0]) }),
    OpCase(name: "mean", inputs: { [AG.uniform([2, 3, 2], &$0, -1, 1)] }, build: { t, v in t.mean(v[0]) }),
    OpCase(name: "sumPerSample", inputs: { [AG.uniform([3, 2, 2], &$0, -1, 1)] }, build: { t, v in t.sumPerSample(v[0]) }),
    OpCase(name: "softmax [3,5]", inputs: { [AG.uniform([3, 5], &$0, -3, 3)] }, build: { t, v in t.softmax(v[0]) }),
    OpCase(name: "softmax [2,2,4]", inputs: { [AG.uniform([2, 2, 4], &$0, -3, 3)] }, build: { t, v in t.softmax(v[0]) }),
    OpCase(name: "logSoftmax [3,5]", inputs: { [AG.uniform([3, 5], &$0, -3, 3)] }, build: { t, v in t.logSoftmax(v[0]) }),
    OpCase(name: "logSoftmax [2,2,4]", inputs: { [AG.uniform([2, 2, 4], &$0, -3, 3)] }, build: { t, v in t.logSoftmax(v[0]) }),
    OpCase(name: "dense tanh layer then softmax cross-entropy, mean",
           inputs: { rng in [AG.uniform([4, 3], &rng, -1, 1), AG.uniform([3, 5], &rng, -1, 1), AG.uniform([5], &rng, -1, 1)] },
           build: { t, v in
               let h = t.apply(.tanh, t.addBias(t.matmul(v[0], v[1]), v[2]))
               var r = SeededRNG(seed: 8)
               let targets = AG.distribution([4, 5], &r)
               return t.mean(t.softmaxCrossEntropy(logits: h, targets))
           }),
    OpCase(name: "two-layer chain with reuse",
           inputs: { rng in [AG.uniform([3, 4], &rng, -1, 1), AG.uniform([4, 4], &rng, -1, 1)] },
           build: { t, v in
               // The same weight twice, and x reaching the output by two paths.
               let h = t.apply(.gelu, t.matmul(v[0], v[1]))
               let y = t.matmul(h, v[1])
               return t.sum(t.multiply(t.add(y, v[0]), t.apply(.sigmoid, v[0])))
           }),
]

@Test("VJP of each op matches central differences", arguments: opCases)
func opVJP(op: OpCase) {
    for seed in [1 as UInt64, 2] {
        var rng = SeededRNG(seed: seed, name: op.name)
        AG.checkVJP(op.name, op.inputs(&rng), seed: seed, op.build)
    }
}

/// A loss on random predictions away from its kinks, with its targets.
struct LossCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shape: [Int]
    let make: @Sendable ([Int], inout SeededRNG) -> (prediction: Tensor<Double>, loss: @Sendable (Tape<Double>, Variable<Double>) -> Variable<Double>)
    var testDescription: String { "\(name) \(shape)" }
}

private func lossCases(_ shape: [Int]) -> [LossCase] {
    let n = shape.last!
    let rows = shape.dropLast().reduce(1, *)
    return [
        LossCase(name: "meanSquaredError", shape: shape) { s, rng in
            let t = AG.uniform(s, &rng, -1, 1)
            return (AG.uniform(s, &rng, -2, 2), { tape, p in tape.meanSquaredError(p, t) })
        },
        LossCase(name: "meanAbsoluteError", shape: shape) { s, rng in
            let t = AG.uniform(s, &rng, -1, 1)
            // Residuals at least 0.1 from the kink at p = t.
            let p = t.zipMap(AG.awayFromZero(s, &rng, 0.1, 1), +)
            return (p, { tape, p in tape.meanAbsoluteError(p, t) })
        },
        LossCase(name: "huber(delta: 0.7)", shape: shape) { s, rng in
            let t = AG.uniform(s, &rng, -1, 1)
            // Residuals on both sides of δ = 0.7 but 0.1 away from it (and from 0).
            let r = Tensor(unchecked: s, scalars: (0..<t.count).map { i -> Double in
                let m = i % 2 == 0 ? rng.uniform(0.1, 0.6) : rng.uniform(0.8, 1.5)
                return rng.uniform() < 0.5 ? -m : m
            })
            return (t.zipMap(r, +), { tape, p in tape.huber(p, t, delta: 0.7) })
        },
        LossCase(name: "sigmoidCrossEntropy (soft targets)", shape: shape) { s, rng in
            let t = AG.uniform(s, &rng, 0, 1)
            return (AG.uniform(s, &rng, -4, 4), { tape, z in tape.sigmoidCrossEntropy(logits: z, t) })
        },
        LossCase(name: "sigmoidCrossEntropy (0/1 targets)", shape: shape) { s, rng in
            let t = Tensor(unchecked: s, scalars: (0..<s.reduce(1, *)).map { _ in rng.uniform() < 0.5 ? 0.0 : 1.0 })
            return (AG.uniform(s, &rng, -4, 4), { tape, z in tape.sigmoidCrossEntropy(logits: z, t) })
        },
        LossCase(name: "binaryCrossEntropy(probabilities:) (soft targets)", shape: shape) { s, rng in
            let t = AG.uniform(s, &rng, 0, 1)
            return (AG.uniform(s, &rng, 0.05, 0.95), { tape, p in tape.binaryCrossEntropy(probabilities: p, t) })
        },
        LossCase(name: "binaryCrossEntropy(probabilities:) (0/1 targets)", shape: shape) { s, rng in
            let t = Tensor(unchecked: s, scalars: (0..<s.reduce(1, *)).map { _ in rng.uniform() < 0.5 ? 0.0 : 1.0 })
            return (AG.uniform(s, &rng, 0.05, 0.95), { tape, p in tape.binaryCrossEntropy(probabilities: p, t) })
        },
        LossCase(name: "softmaxCrossEntropy (one-hot)", shape: shape) { s, rng in
            let t = AG.oneHot(AG.labels(rows, classes: n, &rng), classes: n, shape: s)
            return (AG.uniform(s, &rng, -3, 3), { tape, z in tape.softmaxCrossEntropy(logits: z, t) })
        },
        LossCase(name: "softmaxCrossEntropy (soft)", shape: shape) { s, rng in
            let t = AG.distribution(s, &rng)
            return (AG.uniform(s, &rng, -3, 3), { tape, z in tape.softmaxCrossEntropy(logits: z, t) })
        },
        LossCase(name: "softmaxCrossEntropy (mass 0.8)", shape: shape) { s, rng in
            let t = AG.distribution(s, &rng, mass: 0.8)
            return (AG.uniform(s, &rng, -3, 3), { tape, z in tape.softmaxCrossEntropy(logits: z, t) })
        },
        LossCase(name: "sparseSoftmaxCrossEntropy", shape: shape) { s, rng in
            let labels = AG.labels(rows, classes: n, &rng)
            return (AG.uniform(s, &rng, -3, 3), { tape, z in tape.sparseSoftmaxCrossEntropy(logits: z, labels: labels) })
        },
        LossCase(name: "categoricalCrossEntropy(probabilities:)", shape: shape) { s, rng in
            let t = AG.distribution(s, &rng)
            return (AG.uniform(s, &rng, 0.05, 1), { tape, p in tape.categoricalCrossEntropy(probabilities: p, t) })
        },
        LossCase(name: "sparseCategoricalCrossEntropy(probabilities:)", shape: shape) { s, rng in
            let labels = AG.labels(rows, classes: n, &rng)
            return (AG.uniform(s, &rng, 0.05, 1), { tape, p in tape.sparseCategoricalCrossEntropy(probabilities: p, labels: labels) })
        },
    ]
}

let allLossCases: [LossCase] = lossCases([3, 4]) + lossCases([2, 3, 4])

@Test("VJP of each per-sample loss matches central differences", arguments: allLossCases)
func lossVJP(loss: LossCase) {
    var rng = SeededRNG(seed: 5, name: loss.testDescription)
    let (p, f) = loss.make(loss.shape, &rng)
    AG.checkVJP(loss.testDescription, [p]) { t, v in
        let l = f(t, v[0])
        #expect(t.value(l).shape == [loss.shape[0]])
        return l
    }
    // Through mean, as a model's objective is used.
    AG.checkVJP(loss.testDescription + " then mean", [p], seed: 2) { t, v in t.mean(f(t, v[0])) }
}
