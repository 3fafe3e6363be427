import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// Runs each layer, and the whole model with its loss, in float32 and in float64 at the
/// same point and measures how many digits of the float32 gradients agree; from the
/// float64 magnitudes of activations and gradients it says where float16 and bfloat16
/// would overflow or flush to zero.
///
/// Each layer is taken at its real float64 inputs on the batch (rounded to float32 for the
/// float32 run), against a seeded random projection of its output, as in
/// ``LayerObjective``; so a layer's digits measure its own kernels, not the rounding that
/// reached it from upstream. The `model` entry runs the whole model and loss in each
/// precision from the same parameters and batch.
///
/// - Complexity: two forward and backward passes per layer and for the model, in each precision.
public struct PrecisionAudit: Sendable {
    /// The seed of the dropout masks and of the layers' projections.
    public var seed: UInt64
    /// The narrow formats the magnitudes are held against.
    public static let formats: [LowPrecisionFormat] = [.float16, .bfloat16]

    /// An audit.
    public init(seed: UInt64 = 0) {
        self.seed = seed
    }

    /// Audits `model` at `parameters` on one batch, in training mode (dropout active, masks
    /// fixed by ``seed``).
    ///
    /// - Throws: ``ModelError`` when the parameters or batch do not fit the model.
    public func run(_ model: Model, parameters: ParameterSet<Double>, inputs: Tensor<Double>,
                    targets: Targets<Double>) throws(ModelError) -> PrecisionReport {
        let tensors = try model.orderedTensors(parameters)
        try model.checkInputs(inputs)
        let context = ForwardContext(training: true, seed: seed)
        let values = model.graphValues(parameters: tensors, inputs: inputs, context: context)

        // The loss's float64 gradients with respect to every layer's output and parameter.
        let tape = Tape<Double>()
        let xs = model.splitInputs(tape.constant(inputs), on: tape)
        let p = zip(model.parameters, tensors).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        // Each layer's output as recorded (the logits of a last layer whose activation the loss fuses).
        var recorded = [Variable<Double>?](repeating: nil, count: model.layers.count)
        let rows = model.perSampleObjective(inputs: xs, parameters: p, targets: targets, on: tape, context: context) { i, _, y in
            recorded[i] = y
        }
        let outputs = recorded.map { $0! }
        let lossGradients = tape.gradients(of: tape.mean(rows), withRespectTo: outputs + p)

        var entries: [LayerPrecision] = []
        for (i, layer) in model.layers.enumerated() {
            let range = model.parameterRanges[i]
            let layerInputs = model.layerInputs[i].map { values[model.slot($0)] }
            let names = (layer.takesIndices ? [] : ModelChecker.inputNames(model, layer: i))
                + range.filter { model.parameters[$0].trainable }.map { model.parameters[$0].name }
            var rng = SeededRNG(seed: seed, name: "projection|\(layer.name)")
            let output = values[model.inputs.count + i]
            let projection = Tensor<Double>(unchecked: output.shape, scalars: (0..<output.count).map { _ in rng.normal() })
            let g64 = Self.layerGradients(layer, inputs: layerInputs, parameters: Array(tensors[range]),
                                          projection: projection, context: context)
            let g32 = Self.layerGradients(layer, inputs: layerInputs.map { $0.converted(to: Float.self) },
                                          parameters: tensors[range].map { $0.converted(to: Float.self) },
                                          projection: projection.converted(to: Float.self), context: context)
            let gradientValues = [lossGradients[i].scalars] + range.filter { model.parameters[$0].trainable }
                .map { lossGradients[outputs.count + $0].scalars }
            entries.append(Self.entry(target: layer.name, names: names, float32: g32, float64: g64,
                                      activations: [output.scalars], gradients: gradientValues))
        }

        // The whole model with its loss, in each precision.
        let m64 = model.lossAndGradients(parameters: tensors, inputs: inputs, targets: targets, context: context)
        let m32 = model.lossAndGradients(parameters: tensors.map { $0.converted(to: Float.self) },
                                         inputs: inputs.converted(to: Float.self), targets: Self.float32(targets),
                                         context: context)
        let trainable = model.parameters.filter(\.trainable).map(\.name)
        let inputNames = model.takesIndices ? [] : ["inputs"]
        let f64 = (model.takesIndices ? [] : [m64.inputs]) + trainable.map { m64.parameters[$0]! }
        let f32 = (model.takesIndices ? [] : [m32.inputs]) + trainable.map { m32.parameters[$0]! }
        entries.append(Self.entry(target: "model", names: inputNames + trainable, float32: f32, float64: f64,
                                  activations: [inputs.scalars], gradients: f64.map(\.scalars)))
        return PrecisionReport(model: model.name, loss64: m64.loss, loss32: Double(m32.loss), targets: entries)
    }

    /// The VJP of `Σ layer(inputs) ⊙ projection` with respect to the float inputs and the
    /// trainable parameters, in the precision `S`.
    static func layerGradients<S: TensorScalar>(_ layer: any Layer, inputs: [Tensor<S>], parameters: [Tensor<S>],
                                                projection: Tensor<S>, context: ForwardContext) -> [Tensor<S>] {
        let tape = Tape<S>()
        let xs = inputs.map { layer.takesIndices ? tape.constant($0) : tape.variable($0) }
        let p = zip(layer.parameters, parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        let y = layer.forward(inputs: xs, p, on: tape, context: context)
        let trainable = layer.parameters.indices.filter { layer.parameters[$0].trainable }
        let grads = tape.gradients(of: y, seed: projection, withRespectTo: xs + trainable.map { p[$0] })
        return Array(grads[(layer.takesIndices ? xs.count : 0)...])
    }

    /// Targets in float32 (labels stay as they are).
    static func float32(_ targets: Targets<Double>) -> Targets<Float> {
        switch targets {
        case let .values(t): .values(t.converted(to: Float.self))
        case let .labels(l): .labels(l)
        }
    }

    /// The digits of `float32` that agree with `float64`, element by element (see
    /// ``LayerPrecision/medianDigits``).
    static func digits(_ float32: Tensor<Float>, _ float64: Tensor<Double>) -> [Double] {
        let scale = float64.scalars.reduce(0) { Swift.max($0, abs($1)) }
        let floor = scale * 1e-6
        return zip(float32.scalars, float64.scalars).map { a, b in
            let error = abs(Double(a) - b)
            if error == 0 { return 16 }
            let relative = error / Swift.max(abs(b), floor)
            guard relative.isFinite else { return 0 }
            return Swift.min(16, Swift.max(0, -Double.log(relative) / Double.log(10)))
        }
    }

    static func entry(target: String, names: [String], float32: [Tensor<Float>], float64: [Tensor<Double>],
                      activations: [[Double]], gradients: [[Double]]) -> LayerPrecision {
        var all: [Double] = []
        var worst: PrecisionElement?
        for (k, (a, b)) in zip(float32, float64).enumerated() {
            let d = digits(a, b)
            all += d
            if let j = d.indices.min(by: { d[$0] < d[$1] }), worst == nil || d[j] < worst!.digits {
                worst = PrecisionElement(tensor: names[k], index: b.index(ofFlat: j), float32: Double(a.scalars[j]),
                                         float64: b.scalars[j], digits: d[j])
            }
        }
        all.sort()
        let median = all.isEmpty ? 16 : (all.count % 2 == 1 ? all[all.count / 2] : (all[all.count / 2 - 1] + all[all.count / 2]) / 2)
        var activationUse: [String: RangeUse] = [:], gradientUse: [String: RangeUse] = [:]
        for format in formats {
            activationUse[format.name] = format.rangeUse(of: activations.joined())
            gradientUse[format.name] = format.rangeUse(of: gradients.joined())
        }
        return LayerPrecision(target: target, elements: all.count, medianDigits: median, worstDigits: worst?.digits ?? 16,
                              worst: worst, activations: activationUse, gradients: gradientUse)
    }
}
