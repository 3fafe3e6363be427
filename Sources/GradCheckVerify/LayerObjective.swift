import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// One layer on its own, as a function of its input and parameters: `Σ y ⊙ R`, where `y`
/// is the layer's output and `R` a fixed random tensor (seeded), so that the check covers
/// the VJP for a generic upstream gradient rather than for one loss.
///
/// The input is the layer's real input on a batch (the operating point), captured from
/// a forward pass of the model.
public struct LayerObjective: PerturbableObjective {
    /// The layer.
    public let layer: any Layer
    public let arguments: [CheckArgument]
    let parameters: [Tensor<Double>]
    let input: Tensor<Double>
    let projection: Tensor<Double>
    let output: Tensor<Double>
    let context: ForwardContext
    let maxRows = 512

    /// The objective of `layer` at `input`, with its `parameters` in order.
    public init(layer: any Layer, parameters: [Tensor<Double>], input: Tensor<Double>, context: ForwardContext, seed: UInt64) {
        self.layer = layer
        self.parameters = parameters
        self.input = input
        self.context = context
        // Token ids (an embedding) are not a differentiable input: no `inputs` argument.
        self.arguments = (layer.takesIndices ? [] : [CheckArgument(name: "inputs", value: input)])
            + zip(layer.parameters, parameters).filter { $0.0.trainable }.map { CheckArgument(name: $0.0.name, value: $0.1) }
        let tape = Tape<Double>(recording: false)
        let y = tape.value(layer.forward(tape.constant(input), parameters.map { tape.constant($0) }, on: tape, context: context))
        self.output = y
        var rng = SeededRNG(seed: seed, name: "projection|\(layer.name)")
        self.projection = Tensor(unchecked: y.shape, scalars: (0..<y.count).map { _ in rng.normal() })
    }

    public func analyticGradients() -> [Tensor<Double>] {
        let tape = Tape<Double>()
        let x = tape.variable(input)
        let p = zip(layer.parameters, parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        let y = layer.forward(x, p, on: tape, context: context)
        let grads = tape.gradients(of: y, seed: projection, withRespectTo: [x] + p)
        return (layer.takesIndices ? [] : [grads[0]]) + zip(layer.parameters, grads.dropFirst()).filter { $0.0.trainable }.map(\.1)
    }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        if layer.takesIndices { return parameterDeltas(argument: argument + 1, elements: elements, values: values) }
        return argument == 0 ? inputDeltas(elements: elements, values: values)
                      : parameterDeltas(argument: argument, elements: elements, values: values)
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        let trainable = layer.parameters.indices.filter { layer.parameters[$0].trainable }
        // Arguments are numbered as in `arguments`: with token ids there is no `inputs` first.
        let argument = layer.takesIndices ? argument + 1 : argument
        return directions.map { d in
            var p = parameters, x = input
            if argument == 0 { x.add(d) } else { p[trainable[argument - 1]].add(d) }
            let tape = Tape<Double>(recording: false)
            let y = tape.value(layer.forward(tape.constant(x), p.map { tape.constant($0) }, on: tape, context: context))
            var s = 0.0
            for j in 0..<y.count { s += (y.scalars[j] - output.scalars[j]) * projection.scalars[j] }
            return s
        }
    }

    func inputDeltas(elements: [Int], values: [Double]) -> [Double] {
        let batch = input.shape[0]
        let perIn = input.count / batch, perOut = output.count / batch
        let independent = layer.isSampleIndependent
        let rowsPerChange = independent ? 1 : batch
        let changesPerPass = Swift.max(1, maxRows / rowsPerChange)
        var out: [Double] = []
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            var rowSource: [Int] = []
            let y: [Double]
            if independent {
                let chunk = Array(elements[start..<end])
                rowSource = chunk.map { $0 / perIn }
                y = layer.perturbedInputOutputs(input: input, parameters: parameters, elements: chunk,
                                                values: Array(values[start..<end]), beforeActivation: false,
                                                context: context).scalars
            } else {
                var scalars: [Double] = []
                for k in start..<end {
                    var copy = input.scalars
                    copy[elements[k]] = values[k]
                    scalars.append(contentsOf: copy)
                    rowSource.append(contentsOf: 0..<batch)
                }
                let stacked = Tensor(unchecked: [rowSource.count] + layer.inputShape, scalars: scalars)
                let tape = Tape<Double>(recording: false)
                y = tape.value(layer.forward(
                    tape.constant(stacked), parameters.map { tape.constant($0) }, on: tape,
                    context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
            }
            for k in 0..<(end - start) {
                var s = 0.0
                for r in (k * rowsPerChange)..<((k + 1) * rowsPerChange) {
                    let b = rowSource[r]
                    for j in 0..<perOut {
                        s += (y[r * perOut + j] - output.scalars[b * perOut + j]) * projection.scalars[b * perOut + j]
                    }
                }
                out.append(s)
            }
            start = end
        }
        return out
    }

    func parameterDeltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        let trainable = layer.parameters.indices.filter { layer.parameters[$0].trainable }
        // One call for all the changes: the layer computes its unperturbed output once.
        let y = layer.perturbedOutputs(
            input: input, parameters: parameters, parameter: trainable[argument - 1],
            elements: elements, values: values, beforeActivation: false, context: context).scalars
        let n = output.count
        return (0..<elements.count).map { k in
            var s = 0.0
            for j in 0..<n { s += (y[k * n + j] - output.scalars[j]) * projection.scalars[j] }
            return s
        }
    }
}
