import GradCheckAutograd
import GradCheckTensor
import Testing

/// The ops of issue 14's layers (dilated and causal windows, attention products, the
/// attention mask, time reversal, RMS and group normalisation): VJP and JVP against
/// central differences (tolerance of ``AG``).
let sequenceOpCases: [OpCase] = {
    var cases: [OpCase] = []
    // 1-D windows as [T, 1] images: dilation 2 with causal (left) padding, and same padding.
    let causal = Window2D(inputHeight: 7, inputWidth: 1, windowHeight: 3, windowWidth: 1, strideHeight: 1, strideWidth: 1,
                          dilationHeight: 2, dilationWidth: 1, padTop: 4, padBottom: 0, padLeft: 0, padRight: 0)
    let strided = Window2D(inputHeight: 7, inputWidth: 1, windowHeight: 2, windowWidth: 1, strideHeight: 2, strideWidth: 1,
                           dilationHeight: 1, dilationWidth: 1, padTop: 0, padBottom: 1, padLeft: 0, padRight: 0)
    for (label, w) in [("causal dilated", causal), ("strided padded", strided)] {
        let k = w.windowHeight
        cases.append(OpCase(name: "conv2D 1-D \(label)", inputs: { [AG.uniform([2, 7, 1, 3], &$0, -1, 1), AG.uniform([k, 1, 3, 4], &$0, -1, 1)] },
                            build: { t, v in t.conv2D(v[0], v[1], window: w) }))
    }
    let allowed = (0..<(4 * 5)).map { $0 % 5 <= $0 / 5 + 1 }
    cases += [
        OpCase(name: "attentionScores", inputs: { [AG.uniform([2, 4, 6], &$0, -1, 1), AG.uniform([2, 5, 6], &$0, -1, 1)] },
               build: { t, v in t.attentionScores(v[0], v[1], heads: 2, scale: 0.7) }),
        OpCase(name: "attentionCombine", inputs: { [AG.uniform([2, 3, 4, 5], &$0, 0, 1), AG.uniform([2, 5, 6], &$0, -1, 1)] },
               build: { t, v in t.attentionCombine(v[0], v[1], heads: 3) }),
        OpCase(name: "masked softmax attention", inputs: { [AG.uniform([2, 4, 6], &$0, -1, 1), AG.uniform([2, 5, 6], &$0, -1, 1),
                                                            AG.uniform([2, 5, 4], &$0, -1, 1)] },
               build: { t, v in
                   let p = t.softmax(t.attentionMask(t.attentionScores(v[0], v[1], heads: 2, scale: 0.5), allowed: allowed))
                   return t.attentionCombine(p, v[2], heads: 2)
               }),
        OpCase(name: "reverseTimeSteps", inputs: { [AG.uniform([2, 4, 3], &$0, -1, 1)] },
               build: { t, v in t.multiply(t.reverseTimeSteps(v[0]), t.reverseTimeSteps(t.apply(.tanh, v[0]))) }),
        OpCase(name: "rmsNormalization scale", inputs: { [AG.uniform([2, 3, 5], &$0, -2, 2), AG.uniform([5], &$0, 0.5, 1.5)] },
               build: { t, v in t.rmsNormalization(v[0], scale: v[1], epsilon: 1e-6) }),
        OpCase(name: "rmsNormalization no scale", inputs: { [AG.uniform([3, 4], &$0, -2, 2)] },
               build: { t, v in t.rmsNormalization(v[0], scale: nil, epsilon: 1e-3) }),
        OpCase(name: "groupNormalization 2 groups γ β", inputs: { [AG.uniform([2, 3, 6], &$0, -2, 2), AG.uniform([6], &$0, 0.5, 1.5),
                                                                 AG.uniform([6], &$0, -1, 1)] },
               build: { t, v in t.groupNormalization(v[0], groups: 2, gamma: v[1], beta: v[2], epsilon: 1e-3) }),
        OpCase(name: "groupNormalization 3 groups rank 4 no γ β", inputs: { [AG.uniform([2, 2, 3, 3], &$0, -2, 2)] },
               build: { t, v in t.groupNormalization(v[0], groups: 3, gamma: nil, beta: nil, epsilon: 1e-3) }),
    ]
    return cases
}()

@Test("VJP of each sequence and attention op matches central differences", arguments: sequenceOpCases)
func sequenceOpVJP(op: OpCase) {
    for seed in [1 as UInt64, 2] {
        var rng = SeededRNG(seed: seed, name: op.name)
        AG.checkVJP(op.name, op.inputs(&rng), seed: seed, op.build)
    }
}

@Test("JVP of each sequence and attention op matches central differences", arguments: sequenceOpCases)
func sequenceOpJVP(op: OpCase) {
    for seed in [1 as UInt64, 2] {
        var rng = SeededRNG(seed: seed, name: op.name)
        JVP.check(op.name, op.inputs(&rng), seed: seed, op.build)
    }
}

@Test func attentionScoresAreScaledPerHeadDotProducts() {
    // One sample, 2 heads of 2 features: head 0 uses columns 0–1, head 1 columns 2–3.
    let q = Tensor<Double>(unchecked: [1, 1, 4], scalars: [1, 2, 3, 4])
    let k = Tensor<Double>(unchecked: [1, 2, 4], scalars: [1, 0, 0, 1, 2, 1, 1, 0])
    let tape = Tape<Double>(recording: false)
    let s = tape.value(tape.attentionScores(tape.constant(q), tape.constant(k), heads: 2, scale: 0.5))
    #expect(s.shape == [1, 2, 1, 2])
    let expected: [Double] = [0.5, 2, 2, 1.5]
    #expect(s.scalars == expected)
}

@Test func maskedPositionsGetProbabilityZeroAndNoGradient() {
    let tape = Tape<Double>()
    let x = tape.variable(Tensor(unchecked: [1, 2, 2], scalars: [0.3, 50, -1, 2]))
    let p = tape.softmax(tape.attentionMask(x, allowed: [true, false, true, true]))
    let pv = tape.value(p)
    let (kept, masked) = (pv.scalars[0], pv.scalars[1])
    #expect(kept == 1)
    #expect(masked == 0)
    let g = tape.gradients(of: tape.sum(tape.multiply(p, tape.constant(Tensor(unchecked: [1, 2, 2], scalars: [1, 2, 3, 4])))),
                           withRespectTo: [x])[0]
    #expect(g.scalars[1] == 0)
    #expect(g.isFinite)
}

@Test func rmsNormalizationMatchesItsDefinitionInFloatAndDouble() {
    let x: [Double] = [1, -2, 3, 0.5]
    let ms = x.map { $0 * $0 }.reduce(0, +) / 4
    let expected = x.map { $0 / (ms + 1e-6).squareRoot() * 2 }
    let t64 = Tape<Double>(recording: false)
    let y64 = t64.value(t64.rmsNormalization(t64.constant(Tensor(unchecked: [1, 4], scalars: x)),
                                              scale: t64.constant(Tensor(repeating: 2, shape: [4])), epsilon: 1e-6))
    let t32 = Tape<Float>(recording: false)
    let y32 = t32.value(t32.rmsNormalization(t32.constant(Tensor(unchecked: [1, 4], scalars: x.map(Float.init))),
                                              scale: t32.constant(Tensor(repeating: 2, shape: [4])), epsilon: 1e-6))
    for i in 0..<4 {
        let e = expected[i], d64 = abs(y64.scalars[i] - e), d32 = abs(Double(y32.scalars[i]) - e)
        #expect(d64 <= 1e-15 * abs(e))
        #expect(d32 <= 1e-6 * abs(e))   // float32 rounding, ~1e-7 relative
    }
}

@Test func groupNormalizationNormalisesEachGroupOfEachSample() {
    var rng = SeededRNG(seed: 9)
    let x = AG.uniform([2, 3, 4], &rng, -3, 3)
    let tape = Tape<Double>(recording: false)
    let y = tape.value(tape.groupNormalization(tape.constant(x), groups: 2, gamma: nil, beta: nil, epsilon: 0))
    for b in 0..<2 {
        for g in 0..<2 {
            var values: [Double] = []
            for p in 0..<3 { for c in 0..<2 { values.append(y.scalars[(b * 3 + p) * 4 + g * 2 + c]) } }
            let mean = values.reduce(0, +) / 6
            var variance = 0.0
            for v in values { variance += (v - mean) * (v - mean) / 6 }
            #expect(abs(mean) < 1e-14)
            #expect(abs(variance - 1) < 1e-12)
        }
    }
}

@Test func reversingTimeStepsTwiceIsTheIdentity() {
    let x = Tensor<Double>(unchecked: [2, 3, 2], scalars: (0..<12).map(Double.init))
    let tape = Tape<Double>(recording: false)
    let r = tape.value(tape.reverseTimeSteps(tape.constant(x)))
    let first: [Double] = Array(r.scalars[0..<6])
    #expect(first == [4, 5, 2, 3, 0, 1])
    #expect(tape.value(tape.reverseTimeSteps(tape.constant(r))) == x)
}
