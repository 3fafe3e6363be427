import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// One layer on its own, as a function of its inputs and parameters: `Σ y ⊙ R`, where `y`
/// is the layer's output and `R` a fixed random tensor (seeded), so that the check covers
/// the VJP for a generic upstream gradient rather than for one loss.
///
/// The inputs are the layer's real inputs on a batch (the operating point), captured from
/// a forward pass of the model. A layer with several inputs (a merge, cross-attention) is
/// checked with respect to each of them.
public struct LayerObjective: PerturbableObjective {
    /// The layer.
    public let layer: any Layer
    public let arguments: [CheckArgument]
    let parameters: [Tensor<Double>]
    let inputValues: [Tensor<Double>]
    /// The number of input arguments (0 when the layer takes token ids).
    let inputArgumentCount: Int
    /// The positions of the trainable parameters in ``parameters``.
    let trainable: [Int]
    let projection: Tensor<Double>
    let output: Tensor<Double>
    let context: ForwardContext
    let maxRows = 512

    /// The objective of a single-input `layer` at `input`, with its `parameters` in order.
    public init(layer: any Layer, parameters: [Tensor<Double>], input: Tensor<Double>, context: ForwardContext, seed: UInt64) {
        self.init(layer: layer, parameters: parameters, inputs: [input], context: context, seed: seed)
    }

    /// The objective of `layer` at `inputs` (one per entry of its ``Layer/inputShapes``).
    ///
    /// - Parameter inputNames: how each input argument is named in findings (default:
    ///   `inputs` for one input, `inputs[k]` for several).
    public init(layer: any Layer, parameters: [Tensor<Double>], inputs: [Tensor<Double>], inputNames: [String]? = nil,
                context: ForwardContext, seed: UInt64) {
        let names = inputNames ?? (inputs.count == 1 ? ["inputs"] : inputs.indices.map { "inputs[\($0)]" })
        // Token ids (an embedding) are not a differentiable input: no `inputs` argument.
        let inputArguments = layer.takesIndices ? [] : zip(names, inputs).map { CheckArgument(name: $0.0, value: $0.1) }
        let descriptors = layer.parameters
        let trainable = descriptors.indices.filter { descriptors[$0].trainable }
        let tape = Tape<Double>(recording: false)
        let y = tape.value(layer.forward(inputs: inputs.map { tape.constant($0) }, parameters.map { tape.constant($0) },
                                         on: tape, context: context))
        var rng = SeededRNG(seed: seed, name: "projection|\(layer.name)")
        self.layer = layer
        self.parameters = parameters
        self.inputValues = inputs
        self.context = context
        self.inputArgumentCount = inputArguments.count
        self.trainable = trainable
        self.arguments = inputArguments + trainable.map { CheckArgument(name: descriptors[$0].name, value: parameters[$0]) }
        self.output = y
        self.projection = Tensor(unchecked: y.shape, scalars: (0..<y.count).map { _ in rng.normal() })
    }

    /// The only input (single-input layers).
    var input: Tensor<Double> { inputValues[0] }

    public func analyticGradients() -> [Tensor<Double>] {
        let tape = Tape<Double>()
        let xs = inputValues.map { layer.takesIndices ? tape.constant($0) : tape.variable($0) }
        let p = zip(layer.parameters, parameters).map { $0.0.trainable ? tape.variable($0.1) : tape.constant($0.1) }
        let y = layer.forward(inputs: xs, p, on: tape, context: context)
        let grads = tape.gradients(of: y, seed: projection, withRespectTo: xs + p)
        return Array(grads[0..<inputArgumentCount]) + trainable.map { grads[inputValues.count + $0] }
    }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        argument < inputArgumentCount
            ? inputDeltas(input: argument, elements: elements, values: values)
            : parameterDeltas(parameter: trainable[argument - inputArgumentCount], elements: elements, values: values)
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        directions.map { d in
            var p = parameters, xs = inputValues
            if argument < inputArgumentCount { xs[argument].add(d) } else { p[trainable[argument - inputArgumentCount]].add(d) }
            let tape = Tape<Double>(recording: false)
            let y = tape.value(layer.forward(inputs: xs.map { tape.constant($0) }, p.map { tape.constant($0) },
                                             on: tape, context: context))
            var s = 0.0
            for j in 0..<y.count { s += (y.scalars[j] - output.scalars[j]) * projection.scalars[j] }
            return s
        }
    }

    func inputDeltas(input k: Int, elements: [Int], values: [Double]) -> [Double] {
        let x = inputValues[k]
        let batch = x.shape[0]
        let perIn = x.count / batch, perOut = output.count / batch
        let independent = layer.isSampleIndependent
        let rowsPerChange = independent ? 1 : batch
        let changesPerPass = Swift.max(1, maxRows / rowsPerChange)
        var out: [Double] = []
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            var rowSource: [Int] = []
            let y: [Double]
            if independent && inputValues.count == 1 {
                let chunk = Array(elements[start..<end])
                rowSource = chunk.map { $0 / perIn }
                y = layer.perturbedInputOutputs(input: x, parameters: parameters, elements: chunk,
                                                values: Array(values[start..<end]), beforeActivation: false,
                                                context: context).scalars
            } else {
                // The changed samples (or whole batches) of input k stacked; the other inputValues'
                // rows gathered to match.
                var scalars: [Double] = []
                for c in start..<end {
                    if independent {
                        let b = elements[c] / perIn
                        let offset = scalars.count
                        scalars.append(contentsOf: x.scalars[(b * perIn)..<((b + 1) * perIn)])
                        scalars[offset + elements[c] - b * perIn] = values[c]
                        rowSource.append(b)
                    } else {
                        var copy = x.scalars
                        copy[elements[c]] = values[c]
                        scalars.append(contentsOf: copy)
                        rowSource.append(contentsOf: 0..<batch)
                    }
                }
                let tape = Tape<Double>(recording: false)
                let xs = inputValues.indices.map { i in
                    i == k ? tape.constant(Tensor(unchecked: [rowSource.count] + Array(x.shape.dropFirst()), scalars: scalars))
                           : tape.constant(inputValues[i].gatherRows(rowSource))
                }
                y = tape.value(layer.forward(
                    inputs: xs, parameters.map { tape.constant($0) }, on: tape,
                    context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
            }
            for c in 0..<(end - start) {
                var s = 0.0
                for r in (c * rowsPerChange)..<((c + 1) * rowsPerChange) {
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

    func parameterDeltas(parameter: Int, elements: [Int], values: [Double]) -> [Double] {
        // One call for all the changes: the layer computes its unperturbed output once.
        let y = layer.perturbedOutputs(
            inputs: inputValues, parameters: parameters, parameter: parameter,
            elements: elements, values: values, beforeActivation: false, context: context).scalars
        let n = output.count
        return (0..<elements.count).map { k in
            var s = 0.0
            for j in 0..<n { s += (y[k * n + j] - output.scalars[j]) * projection.scalars[j] }
            return s
        }
    }
}
