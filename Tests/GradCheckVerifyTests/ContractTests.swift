import GradCheckAutograd
import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckVerify

/// Every backward contract fails on a layer planted to break it (and only the contracts it
/// breaks fail, on the layer and on the model), and all pass on correct layers.
@Suite struct ContractTests {
    static let loss = LossSpec(kind: .sparseCategoricalCrossentropy, fromLogits: true)

    /// dense → violator → dense: the violator sits between two correct layers.
    func model(_ violation: ContractViolation) throws -> Model {
        try Model(name: "contracts", inputShape: [5], layers: [
            DenseLayer(name: "d", spec: DenseSpec(units: 4, activation: .tanh), inputShape: [5]),
            ContractViolator(name: "v", features: 4, violation: violation),
            DenseLayer(name: "out", spec: DenseSpec(units: 3), inputShape: [4]),
        ], loss: Self.loss)
    }

    func batch() -> (Tensor<Double>, Targets<Double>) {
        var rng = SeededRNG(seed: 1)
        return (Tensor(unchecked: [4, 5], scalars: (0..<20).map { _ in rng.normal() }), .labels([0, 2, 1, 2]))
    }

    /// The contracts of layer `v` on its own and of the whole model, run directly.
    func contracts(_ violation: ContractViolation) throws -> (layer: [ContractResult], model: [ContractResult]) {
        let m = try model(violation)
        let (x, y) = batch()
        let tensors = try m.orderedTensors(m.initialParameters(seed: 3) as ParameterSet<Double>)
        let context = ForwardContext(training: true, seed: 0)
        let objective = ModelObjective(model: m, parameters: tensors, inputs: x, targets: y, context: context)
        let layer = LayerObjective(layer: m.layers[1], parameters: Array(tensors[m.parameterRanges[1]]),
                                   input: objective.values[m.slot(.layer(0))], context: context, seed: 0)
        let checker = ContractChecker(seed: 0)
        return (checker.check(layer, target: "v"), checker.check(objective, target: "model"))
    }

    func status(_ results: [ContractResult], _ contract: BackwardContract) -> CheckStatus? {
        results.first { $0.contract == contract }?.status
    }

    @Test func correctLayersKeepEveryContract() throws {
        let (layer, model) = try contracts(.none)
        #expect(layer.map(\.contract) == BackwardContract.allCases)
        #expect(model.map(\.contract) == BackwardContract.allCases)
        for c in layer + model {
            #expect(c.status == .pass, "\(c)")
            #expect(c.worst == nil)
        }
        // Rounding only: far below the tolerance.
        #expect(layer[0].deviation < 1e-13 && model[0].deviation < 1e-13, "\(layer[0]) \(model[0])")
    }

    /// The contract each violation must break; the others must hold.
    static let broken: [(ContractViolation, BackwardContract)] = [
        (.squaresCotangent, .linearity), (.addsConstant, .zeroCotangent), (.counts, .determinism),
        (.writesInput, .immutability), (.writesParameter, .immutability),
    ]

    @Test(arguments: broken.map(\.0))
    func eachViolationBreaksItsContract(violation: ContractViolation) throws {
        let contract = try #require(Self.broken.first { $0.0 == violation }?.1)
        let (layer, model) = try contracts(violation)
        // The model's contracts guard the model's own inputs and parameters: a write into
        // an intermediate activation (the violator reads layer d's output) is the layer's
        // finding only (see aLayerThatWritesIntoTheBatchBreaksTheModelsImmutability).
        for results in violation == .writesInput ? [layer] : [layer, model] {
            #expect(status(results, contract) == .fail, "\(violation): \(results)")
            let failed = try #require(results.first { $0.contract == contract })
            #expect(failed.worst != nil, "a failure says where")
        }
        switch violation {
        case .squaresCotangent:
            // g ⊙ g is not linear, but it is exact at zero, repeatable and pure.
            #expect(status(layer, .zeroCotangent) == .pass && status(layer, .determinism) == .pass
                    && status(layer, .immutability) == .pass, "\(layer)")
            #expect(layer[0].deviation > 1e-3)
        case .addsConstant:
            #expect(layer.first { $0.contract == .zeroCotangent }?.worst?.actual == 0.01)
            #expect(layer.first { $0.contract == .zeroCotangent }?.worst?.tensor == "inputs")
            // A constant is affine, not linear: the linearity check sees it too (a + b ≠ 1).
            #expect(status(layer, .linearity) == .fail)
            #expect(status(layer, .determinism) == .pass && status(layer, .immutability) == .pass)
        case .counts:
            // The counter is added whatever the cotangent, so a zero cotangent sees it too.
            #expect(status(layer, .zeroCotangent) == .fail)
            let worst = try #require(layer.first { $0.contract == .determinism }?.worst)
            #expect(worst.tensor == "inputs" && worst.index == [0, 0], "\(worst)")
            #expect(status(layer, .immutability) == .pass)
        case .writesInput:
            let worst = try #require(layer.first { $0.contract == .immutability }?.worst)
            #expect(worst.tensor == "inputs" && worst.index == [0, 0] && worst.note == "during the forward pass", "\(worst)")
            #expect(worst.actual == worst.expected + 1)
        case .writesParameter:
            let worst = try #require(layer.first { $0.contract == .immutability }?.worst)
            #expect(worst.tensor == "v/scale" && worst.index == [0] && worst.note == "during the backward passes", "\(worst)")
        case .none:
            Issue.record("not a violation")
        }
    }

    @Test func aLayerThatWritesIntoTheBatchBreaksTheModelsImmutability() throws {
        let m = try Model(name: "first", inputShape: [5], layers: [
            ContractViolator(name: "v", features: 5, violation: .writesInput),
            DenseLayer(name: "out", spec: DenseSpec(units: 3), inputShape: [5]),
        ], loss: Self.loss)
        let (x, y) = batch()
        let tensors = try m.orderedTensors(m.initialParameters(seed: 3) as ParameterSet<Double>)
        let objective = ModelObjective(model: m, parameters: tensors, inputs: x.scalars.map { $0 }.withShape(x.shape),
                                       targets: y, context: ForwardContext(training: true, seed: 0))
        let results = ContractChecker().check(objective, target: "model")
        let immutability = try #require(results.first { $0.contract == .immutability })
        #expect(immutability.status == .fail)
        #expect(immutability.worst?.note == "during the forward pass", "\(immutability)")
    }

    @Test func aBrokenContractFailsTheCheck() throws {
        let m = try model(.squaresCotangent)
        let (x, y) = batch()
        let report = try ModelChecker(checker: GradientChecker(mode: .fast(probes: 2)))
            .check(m, parameters: m.initialParameters(seed: 3), inputs: x, targets: y)
        #expect(report.contracts.count == 4 * 4)   // three layers and the model
        #expect(!report.passed)
        #expect(report.contracts.filter { $0.status == .fail }.map(\.target).contains("v"))
        // The same model without contracts has nothing else to fail on... except the
        // element check at the loss's cotangent, which a squared cotangent may fool or not;
        // only the contracts' verdict is asserted here.
        let off = try ModelChecker(checker: GradientChecker(mode: .fast(probes: 2)), checkContracts: false)
            .check(m, parameters: m.initialParameters(seed: 3), inputs: x, targets: y)
        #expect(off.contracts.isEmpty)
    }

    /// The matrix products split their output among threads, never a reduction, so the
    /// thread count cannot change a gradient: bit-identical with 1 and 4 threads on a
    /// product large enough to be split.
    @Test func threadCountDoesNotChangeGradients() throws {
        let layer = DenseLayer(name: "wide", spec: DenseSpec(units: 128), inputShape: [128])
        var rng = SeededRNG(seed: 5)
        let x = Tensor<Double>(unchecked: [64, 128], scalars: (0..<(64 * 128)).map { _ in rng.normal() })
        let kernel = Tensor<Double>(unchecked: [128, 128], scalars: (0..<(128 * 128)).map { _ in rng.normal() })
        let bias = Tensor<Double>.zeros([128])
        #expect(64 * 128 * 128 >= Kernels.parallelThreshold)
        func gradients() -> [Tensor<Double>] {
            LayerObjective(layer: layer, parameters: [kernel, bias], input: x, context: ForwardContext(training: true, seed: 0),
                           seed: 0).analyticGradients()
        }
        let saved = Kernels.threads
        defer { Kernels.threads = saved }
        Kernels.threads = 1
        let one = gradients()
        Kernels.threads = 4
        let four = gradients()
        for (a, b) in zip(one, four) {
            #expect(zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }
}

extension Array where Element == Double {
    /// A tensor of these scalars (a fresh buffer, not shared with any other tensor).
    func withShape(_ shape: [Int]) -> Tensor<Double> { Tensor(unchecked: shape, scalars: self) }
}
