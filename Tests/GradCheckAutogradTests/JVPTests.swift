import GradCheckAutograd
import GradCheckTensor
import Testing

/// Every op's JVP (forward mode) against central differences of its forward pass along
/// the same direction: `(F(x + h·u) − F(x − h·u)) / 2h`, element by element of the output.
///
/// Tolerance `|jvp − fd| ≤ 1e-8 + 1e-6·|fd|`, as for the VJP tests (see ``AG``): the
/// truncation error is `h²/6·|D³F[u,u,u]|` ≈ 2e-13 for O(1) inputs and directions, the
/// rounding error about `ε·|F|/h` ≈ 1e-10; a wrong JVP is off by O(1).
enum JVP {
    /// Checks the JVP for a tangent on each non-constant input alone, and on all at once.
    static func check(
        _ name: String, _ inputs: [Tensor<Double>], constant: Set<Int> = [], seed: UInt64 = 1,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ build: (Tape<Double>, [Variable<Double>]) -> Variable<Double>
    ) {
        let tape = Tape<Double>()
        let vars = inputs.indices.map { constant.contains($0) ? tape.constant(inputs[$0]) : tape.variable(inputs[$0]) }
        let out = build(tape, vars)
        let free = inputs.indices.filter { !constant.contains($0) }
        var rng = SeededRNG(seed: seed, name: "jvp|\(name)")
        let directions = inputs.map { AG.uniform($0.shape, &rng, -1, 1) }
        var cases = free.map { [$0] }
        if free.count > 1 { cases.append(free) }
        for seeded in cases {
            let jvp: Tensor<Double>
            do {
                jvp = try tape.tangent(of: out, seeds: seeded.map { (vars[$0], directions[$0]) })
            } catch {
                Issue.record("\(name): \(error)", sourceLocation: sourceLocation)
                continue
            }
            var plus = inputs, minus = inputs
            for k in seeded {
                for j in 0..<inputs[k].count {
                    plus[k].scalars[j] += AG.h * directions[k].scalars[j]
                    minus[k].scalars[j] -= AG.h * directions[k].scalars[j]
                }
            }
            let fp = AG.forward(plus, build), fm = AG.forward(minus, build)
            #expect(jvp.shape == fp.shape, "\(name) \(seeded): tangent shape \(jvp.shape) vs \(fp.shape)", sourceLocation: sourceLocation)
            var worst = (index: -1, jvp: 0.0, fd: 0.0), worstRatio = 0.0, largest = 0.0
            for i in 0..<min(jvp.count, fp.count) {
                let fd = (fp.scalars[i] - fm.scalars[i]) / (2 * AG.h)
                largest = max(largest, abs(fd))
                let ratio = abs(jvp.scalars[i] - fd) / (AG.atol + AG.rtol * abs(fd))
                if !(ratio <= worstRatio) { worstRatio = ratio; worst = (i, jvp.scalars[i], fd) }
            }
            #expect(worstRatio <= 1, "\(name) \(seeded): output element \(worst.index): JVP \(worst.jvp) vs central difference \(worst.fd)",
                    sourceLocation: sourceLocation)
            #expect(largest > 1e-3, "\(name) \(seeded): the directional derivative is all zero", sourceLocation: sourceLocation)
        }
    }
}

@Test("JVP of apply(f) matches central differences", arguments: allUnaryFunctions)
func unaryFunctionJVP(f: UnaryFunction) {
    var rng = SeededRNG(seed: 3, name: "\(f)")
    for shape in [[12], [3, 2, 4]] {
        let x = Tensor<Double>(unchecked: shape, scalars: (0..<shape.reduce(1, *)).map { _ in f.samplePoint(&rng) })
        JVP.check("\(f) \(shape)", [x]) { t, v in t.apply(f, v[0]) }
    }
}

@Test("JVP of each op matches central differences", arguments: opCases + structuredOpCases)
func opJVP(op: OpCase) {
    for seed in [1 as UInt64, 2] {
        var rng = SeededRNG(seed: seed, name: op.name)
        JVP.check(op.name, op.inputs(&rng), seed: seed, op.build)
    }
}

@Test("JVP of each per-sample loss matches central differences", arguments: allLossCases)
func lossJVP(loss: LossCase) {
    var rng = SeededRNG(seed: 5, name: loss.testDescription)
    let (p, f) = loss.make(loss.shape, &rng)
    JVP.check(loss.testDescription, [p]) { t, v in f(t, v[0]) }
    JVP.check(loss.testDescription + " then mean", [p], seed: 2) { t, v in t.mean(f(t, v[0])) }
}

/// Convolution, pooling, normalisation, slicing and stacking.
let structuredOpCases: [OpCase] = {
    func window(_ n: Int, _ k: Int, _ s: Int, same: Bool) -> Window2D {
        Window2D(inputHeight: n, inputWidth: n + 1, windowHeight: k, windowWidth: k, strideHeight: s, strideWidth: s, same: same)
    }
    var cases: [OpCase] = []
    for (k, s, same) in [(3, 1, false), (3, 2, true), (2, 2, false)] {
        let w = window(5, k, s, same: same)
        cases.append(OpCase(name: "conv2D \(k)x\(k) stride \(s) \(same ? "same" : "valid")",
                            inputs: { [AG.uniform([2, 5, 6, 3], &$0, -1, 1), AG.uniform([k, k, 3, 4], &$0, -1, 1)] },
                            build: { t, v in t.conv2D(v[0], v[1], window: w) }))
        cases.append(OpCase(name: "maxPool2D \(k)x\(k) stride \(s) \(same ? "same" : "valid")",
                            inputs: { [AG.uniform([2, 5, 6, 3], &$0, -1, 1)] },
                            build: { t, v in t.maxPool2D(v[0], window: w) }))
        cases.append(OpCase(name: "averagePool2D \(k)x\(k) stride \(s) \(same ? "same" : "valid")",
                            inputs: { [AG.uniform([2, 5, 6, 3], &$0, -1, 1)] },
                            build: { t, v in t.averagePool2D(v[0], window: w) }))
    }
    cases += [
        OpCase(name: "globalAveragePool2D", inputs: { [AG.uniform([2, 3, 4, 5], &$0, -1, 1)] },
               build: { t, v in t.globalAveragePool2D(v[0]) }),
        OpCase(name: "batchNormalization γ β", inputs: { [AG.uniform([6, 4], &$0, -2, 2), AG.uniform([4], &$0, 0.5, 1.5), AG.uniform([4], &$0, -1, 1)] },
               build: { t, v in t.batchNormalization(v[0], gamma: v[1], beta: v[2], epsilon: 1e-3) }),
        OpCase(name: "batchNormalization 2 groups, rank 3", inputs: { [AG.uniform([4, 3, 4], &$0, -2, 2), AG.uniform([4], &$0, 0.5, 1.5), AG.uniform([4], &$0, -1, 1)] },
               build: { t, v in t.batchNormalization(v[0], gamma: v[1], beta: v[2], epsilon: 1e-3, groups: 2) }),
        OpCase(name: "batchNormalization no γ β", inputs: { [AG.uniform([5, 3], &$0, -2, 2)] },
               build: { t, v in t.batchNormalization(v[0], gamma: nil, beta: nil, epsilon: 1e-3) }),
        OpCase(name: "batchNormalization β only", inputs: { [AG.uniform([5, 3], &$0, -2, 2), AG.uniform([3], &$0, -1, 1)] },
               build: { t, v in t.batchNormalization(v[0], gamma: nil, beta: v[1], epsilon: 1e-3) }),
        OpCase(name: "normalize γ β", inputs: { [AG.uniform([4, 3], &$0, -2, 2), AG.uniform([3], &$0, -1, 1), AG.uniform([3], &$0, 0.5, 2),
                                                 AG.uniform([3], &$0, 0.5, 1.5), AG.uniform([3], &$0, -1, 1)] },
               build: { t, v in t.normalize(v[0], mean: v[1], variance: v[2], gamma: v[3], beta: v[4], epsilon: 1e-3) }),
        OpCase(name: "normalize β only", inputs: { [AG.uniform([4, 3], &$0, -2, 2), AG.uniform([3], &$0, -1, 1), AG.uniform([3], &$0, 0.5, 2),
                                                    AG.uniform([3], &$0, -1, 1)] },
               build: { t, v in t.normalize(v[0], mean: v[1], variance: v[2], gamma: nil, beta: v[3], epsilon: 1e-3) }),
        OpCase(name: "layerNormalization γ β", inputs: { [AG.uniform([2, 3, 5], &$0, -2, 2), AG.uniform([5], &$0, 0.5, 1.5), AG.uniform([5], &$0, -1, 1)] },
               build: { t, v in t.layerNormalization(v[0], gamma: v[1], beta: v[2], epsilon: 1e-3) }),
        OpCase(name: "layerNormalization no γ β", inputs: { [AG.uniform([3, 4], &$0, -2, 2)] },
               build: { t, v in t.layerNormalization(v[0], gamma: nil, beta: nil, epsilon: 1e-3) }),
        OpCase(name: "columns", inputs: { [AG.uniform([2, 3, 7], &$0, -1, 1)] },
               build: { t, v in t.columns(v[0], 2..<5) }),
        OpCase(name: "concatenateColumns", inputs: { [AG.uniform([3, 2], &$0, -1, 1), AG.uniform([3, 4], &$0, -1, 1), AG.uniform([3, 1], &$0, -1, 1)] },
               build: { t, v in t.concatenateColumns(v) }),
        OpCase(name: "timeStep", inputs: { [AG.uniform([2, 4, 3], &$0, -1, 1)] },
               build: { t, v in t.timeStep(v[0], 2) }),
        OpCase(name: "stackTimeSteps", inputs: { [AG.uniform([2, 3], &$0, -1, 1), AG.uniform([2, 3], &$0, -1, 1), AG.uniform([2, 3], &$0, -1, 1)] },
               build: { t, v in t.stackTimeSteps(v) }),
        OpCase(name: "gates of a recurrent step", inputs: { [AG.uniform([2, 3, 4], &$0, -1, 1), AG.uniform([4, 8], &$0, -1, 1)] },
               build: { t, v in
                   let z = t.matmul(t.timeStep(v[0], 1), v[1])
                   let gate = t.apply(.sigmoid, t.columns(z, 0..<4)), cand = t.apply(.tanh, t.columns(z, 4..<8))
                   return t.stackTimeSteps([t.multiply(gate, cand), cand])
               }),
    ]
    return cases
}()

@Test func embeddingLookupJVPIsTheLookupOfTheTableTangent() {
    var rng = SeededRNG(seed: 4)
    let ids = Tensor<Double>(unchecked: [2, 3], scalars: [0, 4, 2, 2, 1, 4])
    JVP.check("embeddingLookup", [ids, AG.uniform([5, 3], &rng, -1, 1)], constant: [0]) { t, v in t.embeddingLookup(v[0], v[1]) }
}

@Test func tangentOfAnUnreachedOutputIsZeroAndSeedsMayBeIntermediates() throws {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [3], scalars: [1, 2, 3]))
    let c = tape.constant(Tensor(unchecked: [3], scalars: [4, 5, 6]))
    let y = tape.apply(.square, x)
    let unreached = tape.apply(.exp, c)
    #expect(try tape.tangent(of: unreached, seeds: [(x, Tensor(unchecked: [3], scalars: [1, 1, 1]))]).scalars == [0, 0, 0])
    // Seeding y directly: z = 3y, so dz = 3·dy.
    let z = tape.scale(y, by: 3)
    #expect(try tape.tangent(of: z, seeds: [(y, Tensor(unchecked: [3], scalars: [1, -1, 2]))]).scalars == [3, -3, 6])
    #expect(try tape.tangent(of: z, seeds: [(x, Tensor(unchecked: [3], scalars: [1, 1, 1]))]).scalars == [6, 12, 18])
}

@Test func customOpWithoutJVPIsNamedNotCrashed() throws {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [2], scalars: [1, 2]))
    let h = tape.scale(x, by: 2)
    let y = tape.custom([h], value: tape.value(h).map { $0 * $0 }, vjp: { g in [g] }, op: "mySquare")
    let z = tape.sum(y)
    #expect(throws: MissingJVP(index: y.index, op: "mySquare")) {
        try tape.tangent(of: z, seeds: [(x, Tensor(unchecked: [2], scalars: [1, 0]))])
    }
    // Without an explicit name, the function that recorded it is named.
    let w = tape.custom([x], value: tape.value(x)) { g in [g] }
    do {
        _ = try tape.tangent(of: w, seeds: [(x, Tensor(unchecked: [2], scalars: [1, 0]))])
        Issue.record("expected MissingJVP")
    } catch {
        #expect(error.index == w.index)
        #expect(error.op.contains("customOpWithoutJVPIsNamedNotCrashed"))
        #expect(error.description.contains("has no JVP"))
    }
    // With a JVP the sweep goes through.
    let v = tape.custom([x], value: tape.value(x).map { 3 * $0 }, vjp: { g in [g.map { 3 * $0 }] }, jvp: { t in t[0]!.map { 3 * $0 } })
    #expect(try tape.tangent(of: tape.sum(v), seeds: [(x, Tensor(unchecked: [2], scalars: [1, 2]))]).scalar == 9)
}
