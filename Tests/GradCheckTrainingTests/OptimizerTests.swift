import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

/// Two steps of every optimiser on fixed parameters and gradients, against values
/// computed by hand from Keras 3's `update_step` formulas in float64 (and checked against
/// Keras 3.15.1 itself, torch backend, float64 variables; learning rates are powers of two
/// so that Keras' float32 learning-rate variable holds them exactly).
struct OptimizerTests {
    static let start: [Tensor<Double>] = [
        Tensor(unchecked: [3], scalars: [1.0, -2.0, 0.5]),
        Tensor(unchecked: [2, 2], scalars: [0.25, -0.75, 3.0, 0.0]),
    ]
    static let gradients: [[Tensor<Double>]] = [
        [Tensor(unchecked: [3], scalars: [0.5, -1.0, 0.0]), Tensor(unchecked: [2, 2], scalars: [2.0, -0.1, 0.3, 1.5])],
        [Tensor(unchecked: [3], scalars: [0.1, 0.3, -0.2]), Tensor(unchecked: [2, 2], scalars: [-1.0, 0.4, 0.0, 0.05])],
    ]

    /// Expected parameters after step 1 and step 2 (flattened per tensor).
    static let expected: [String: [[[Double]]]] = [
        "sgd": [
            [[0.9375, -1.875, 0.5], [0.0, -0.7375, 2.9625, -0.1875]],
            [[0.925, -1.9125, 0.525], [0.125, -0.7875000000000001, 2.9625, -0.19375]],
        ],
        "sgd_momentum": [
            [[0.9375, -1.875, 0.5], [0.0, -0.7375, 2.9625, -0.1875]],
            [[0.86875, -1.8, 0.525], [-0.1, -0.77625, 2.92875, -0.36250000000000004]],
        ],
        "sgd_nesterov": [
            [[0.88125, -1.7625, 0.5], [-0.22499999999999998, -0.72625, 2.92875, -0.35625]],
            [[0.806875, -1.7325, 0.5475], [-0.19, -0.811125, 2.898375, -0.52]],
        ],
        "rmsprop": [
            [[0.9505895103807495, -1.9505894362651448, 0.5], [0.20058941773619146, -0.7005918819040168, 2.9505896860608507, -0.049410577460003824]],
            [[0.9403969059256588, -1.9654872816979447, 0.5494099708193558], [0.22362722088128523, -0.7486686627421537, 2.9505896860608507, -0.05114561746098344]],
        ],
        "rmsprop_momentum": [
            [[0.96540566853359, -1.9651484580667602, 0.5], [0.2150832540023963, -0.7214727834632726, 2.965993300776093, -0.03489980610528163]],
            [[0.9405734587039724, -1.9588020494262433, 0.5329403922934206], [0.2146630149484672, -0.7408093833555633, 2.9489899511641395, -0.05364908826542222]],
        ],
        "adagrad": [
            [[0.8943557332509724, -1.8808171817617017, 0.5], [0.12653380192448663, -0.7123110990590943, 2.913969122438241, -0.12231151109514787]],
            [[0.873522402811157, -1.9151933739558817, 0.566815286615508], [0.18188473172808642, -0.8085361261045841, 2.913969122438241, -0.12638639455003292]],
        ],
        "adam": [
            [[0.875000790564415, -1.8750003952834575, 0.5], [0.12500019764204126, -0.6250039527220792, 2.8750013176018028, -0.1249997364774172]],
            [[0.77462129108728, -1.8215194834087693, 0.5930156322395934], [0.09170811478545042, -0.6949413530656613, 2.791244919146461, -0.21181069351634518]],
        ],
        "adam_amsgrad": [
            [[0.8757856008390756, -1.8753940386479075, 0.5], [0.1251973303470864, -0.6288316787539644, 2.8763038716774787, -0.12473703124845818]],
            [[0.7806646378531992, -1.8276836318123988, 0.5942326123538745], [0.09845823054401295, -0.7027739848360793, 2.8005246066444816, -0.2043380182817799]],
        ],
        "adamw": [
            [[0.8687507905644151, -1.8625003952834576, 0.496875], [0.12343769764204127, -0.6203164527220792, 2.856251317601803, -0.1249997364774172]],
            [[0.7629415986462523, -1.7973788559382478, 0.5867851634895933], [0.08937412917518767, -0.6863768752361483, 2.75464334841145, -0.2110294451633613]],
        ],
    ]

    static func spec(_ name: String) -> OptimizerSpec {
        switch name {
        case "sgd": return OptimizerSpec(kind: .sgd, learningRate: 0.125)
        case "sgd_momentum":
            var s = OptimizerSpec(kind: .sgd, learningRate: 0.125); s.momentum = 0.9; return s
        case "sgd_nesterov":
            var s = OptimizerSpec(kind: .sgd, learningRate: 0.125); s.momentum = 0.9; s.nesterov = true; return s
        case "rmsprop": return OptimizerSpec(kind: .rmsprop, learningRate: 0.015625)
        case "rmsprop_momentum":
            var s = OptimizerSpec(kind: .rmsprop, learningRate: 0.015625); s.momentum = 0.5; s.rho = 0.8; s.epsilon = 1e-3; return s
        case "adagrad": return OptimizerSpec(kind: .adagrad, learningRate: 0.125)
        case "adam": return OptimizerSpec(kind: .adam, learningRate: 0.125)
        case "adam_amsgrad":
            var s = OptimizerSpec(kind: .adam, learningRate: 0.125)
            s.amsgrad = true; s.beta1 = 0.8; s.beta2 = 0.9; s.epsilon = 1e-3; return s
        case "adamw":
            var s = OptimizerSpec(kind: .adamw, learningRate: 0.125); s.weightDecay = 0.05; return s
        default: fatalError(name)
        }
    }

    @Test(arguments: ["sgd", "sgd_momentum", "sgd_nesterov", "rmsprop", "rmsprop_momentum", "adagrad", "adam",
                      "adam_amsgrad", "adamw"])
    func twoStepsInDouble(_ name: String) {
        var optimizer = makeOptimizer(Self.spec(name), as: Double.self)
        var parameters = Self.start
        for (t, g) in Self.gradients.enumerated() {
            var updates: [Tensor<Double>]? = []
            let before = parameters
            optimizer.apply(gradients: g, to: &parameters, updates: &updates)
            for (i, p) in parameters.enumerated() {
                let want = Self.expected[name]![t][i]
                for (j, v) in p.scalars.enumerated() {
                    #expect(abs(v - want[j]) <= 4e-16 * max(1, abs(want[j])), "\(name) step \(t + 1) tensor \(i)[\(j)]: \(v) vs \(want[j])")
                    #expect(updates![i].scalars[j] == v - before[i].scalars[j], "\(name) update \(i)[\(j)]")
                }
            }
            #expect(optimizer.iterations == t + 1)
        }
    }

    @Test(arguments: ["sgd", "sgd_nesterov", "rmsprop_momentum", "adagrad", "adam", "adam_amsgrad", "adamw"])
    func twoStepsInFloat(_ name: String) {
        var optimizer = makeOptimizer(Self.spec(name), as: Float.self)
        var parameters = Self.start.map { $0.converted(to: Float.self) }
        for (t, g) in Self.gradients.enumerated() {
            optimizer.apply(gradients: g.map { $0.converted(to: Float.self) }, to: &parameters)
            for (i, p) in parameters.enumerated() {
                for (j, v) in p.scalars.enumerated() {
                    let want = Self.expected[name]![t][i][j]
                    #expect(abs(Double(v) - want) <= 1e-5 * max(1, abs(want)), "\(name) step \(t + 1) tensor \(i)[\(j)]")
                }
            }
        }
    }

    @Test func factoryBuildsEachKindWithItsSpec() {
        #expect(makeOptimizer(OptimizerSpec(kind: .sgd), as: Float.self) is SGD<Float>)
        #expect(makeOptimizer(OptimizerSpec(kind: .rmsprop), as: Float.self) is RMSprop<Float>)
        #expect(makeOptimizer(OptimizerSpec(kind: .adagrad), as: Float.self) is Adagrad<Float>)
        #expect(makeOptimizer(OptimizerSpec(kind: .adam), as: Double.self) is Adam<Double>)
        #expect(makeOptimizer(OptimizerSpec(kind: .adamw), as: Double.self) is AdamW<Double>)
        // Keras defaults.
        #expect(SGD<Float>().learningRate == 0.01)
        #expect(Adam<Float>().spec.epsilon == 1e-7)
        #expect(AdamW<Float>().spec.weightDecay == 0.004)
        #expect(Adagrad<Float>().spec.initialAccumulatorValue == 0.1)
        #expect(RMSprop<Float>().spec.rho == 0.9)
    }

    @Test func convenienceInitialisersMatchSpecs() {
        var a = Adam<Double>(learningRate: 0.125, beta1: 0.8, beta2: 0.9, epsilon: 1e-3, amsgrad: true)
        var b = makeOptimizer(Self.spec("adam_amsgrad"), as: Double.self)
        var pa = Self.start, pb = Self.start
        for g in Self.gradients {
            a.apply(gradients: g, to: &pa)
            b.apply(gradients: g, to: &pb)
        }
        #expect(pa == pb)
    }

    @Test func resetForgetsState() {
        var adam = Adam<Double>(learningRate: 0.125)
        var p1 = Self.start
        adam.apply(gradients: Self.gradients[0], to: &p1)
        adam.reset()
        #expect(adam.iterations == 0)
        var p2 = Self.start
        adam.apply(gradients: Self.gradients[0], to: &p2)
        #expect(p1 == p2)
    }

    @Test func learningRateCanChangeBetweenSteps() {
        var sgd = SGD<Double>(learningRate: 0.125)
        var p = Self.start
        sgd.apply(gradients: Self.gradients[0], to: &p)
        sgd.learningRate = 0
        let before = p
        sgd.apply(gradients: Self.gradients[1], to: &p)
        #expect(p == before)
    }
}
