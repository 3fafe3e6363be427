import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// A whole model and its loss as a function of the inputs and every trainable parameter:
/// the training loss on one batch, in float64, with the dropout masks of `context` held
/// fixed.
///
/// Perturbations use the network's structure, and every shortcut is exact:
/// - a parameter of layer `L` changes nothing before `L`: the forward pass restarts from
///   `L`'s recorded input, and `L` itself recomputes only what the element touches
///   (``Layer/perturbedOutputs(input:parameters:parameter:elements:values:beforeActivation:context:)``);
/// - an input element of sample `b` changes only sample `b`'s loss when every layer is
///   sample-independent, so one row is evaluated instead of the batch;
/// - the perturbations of a chunk are stacked along the batch axis and share one forward
///   pass through the rest of the network;
/// - parameter penalties are sums of one function per element, so a perturbation changes
///   the penalty by that element's term only.
/// Each sample's unperturbed loss is subtracted before summing, so rounding stays at
/// the size of what changed.
public struct ModelObjective: PerturbableObjective {
    /// The model.
    public let model: Model
    public let arguments: [CheckArgument]
    let parameters: [Tensor<Double>]
    let trainableIndex: [Int]            // argument k ≥ 1 is parameter trainableIndex[k - 1]
    let inputs: Tensor<Double>
    let targets: Targets<Double>
    let context: ForwardContext
    let activations: [Tensor<Double>]
    let baseRows: [Double]
    /// For each layer with parameters, each sample's objective from that layer's output on,
    /// computed by the same path as its perturbations (an unchanged element), so that
    /// the penalties of earlier layers and any rounding of the path cancel exactly.
    let layerBaseRows: [Int: [Double]]
    /// Each sample's objective computed by the input-perturbation path with nothing
    /// changed (one unchanged element per sample), for the same reason.
    let inputBaseRows: [Double]
    let batch: Int
    /// The most rows a stacked forward pass holds.
    let maxRows = 512

    /// The objective at `parameters` (model order) on a batch.
    public init(model: Model, parameters: [Tensor<Double>], inputs: Tensor<Double>, targets: Targets<Double>,
                context: ForwardContext) {
        self.model = model
        self.parameters = parameters
        self.inputs = inputs
        self.targets = targets
        self.context = context
        self.batch = inputs.shape[0]
        // Token ids (an embedding first) are not a differentiable input: no `inputs` argument.
        var args = model.takesIndices ? [] : [CheckArgument(name: "inputs", value: inputs)]
        var index: [Int] = []
        for (i, d) in model.parameters.enumerated() where d.trainable {
            args.append(CheckArgument(name: d.name, value: parameters[i]))
            index.append(i)
        }
        self.arguments = args
        self.trainableIndex = index
        self.activations = model.activations(parameters: parameters, inputs: inputs, context: context)
        let tape = Tape<Double>(recording: false)
        let rows = model.perSampleObjective(
            from: 0, input: tape.constant(inputs), parameters: parameters.map { tape.constant($0) },
            targets: targets, on: tape, context: context)
        self.baseRows = tape.value(rows).scalars
        var layerBase: [Int: [Double]] = [:]
        for (i, range) in model.parameterRanges.enumerated() {
            guard let p = range.first(where: { model.parameters[$0].trainable }) else { continue }
            layerBase[i] = Self.perturbedRows(model: model, parameters: parameters, activations: activations,
                                              targets: targets, context: context, batch: inputs.shape[0],
                                              parameter: p, elements: [0], values: [parameters[p].scalars[0]])
        }
        self.layerBaseRows = layerBase
        if model.isSampleIndependent {
            let per = inputs.count / inputs.shape[0]
            let firstElements = (0..<inputs.shape[0]).map { $0 * per }
            let tape = Tape<Double>(recording: false)
            let outputs = model.layers[0].perturbedInputOutputs(
                input: inputs, parameters: Array(parameters[model.parameterRanges[0]]), elements: firstElements,
                values: firstElements.map { inputs.scalars[$0] },
                beforeActivation: model.layers.count == 1 && model.fusesFinalActivation, context: context)
            inputBaseRows = tape.value(model.perSampleObjective(
                afterLayer: 0, output: tape.constant(outputs), parameters: parameters.map { tape.constant($0) },
                targets: targets, on: tape,
                context: context.stacked(rowSource: Array(0..<inputs.shape[0]), originalBatchSize: inputs.shape[0]))).scalars
        } else {
            inputBaseRows = baseRows
        }
    }

    public func analyticGradients() -> [Tensor<Double>] {
        let g = model.lossAndGradients(parameters: parameters, inputs: inputs, targets: targets, context: context)
        return (model.takesIndices ? [] : [g.inputs]) + trainableIndex.map { g.parameters[model.parameters[$0].name]! }
    }

    /// The loss at the unperturbed point.
    public var loss: Double {
        let tape = Tape<Double>(recording: false)
        let p = parameters.map { tape.constant($0) }
        let l = model.loss(input: tape.constant(inputs), parameters: p, targets: targets, on: tape, context: context)
        return tape.value(l).scalar
    }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        if model.takesIndices {
            return parameterDeltas(parameter: trainableIndex[argument], elements: elements, values: values)
        }
        return argument == 0
            ? inputDeltas(elements: elements, values: values)
            : parameterDeltas(parameter: trainableIndex[argument - 1], elements: elements, values: values)
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        // Arguments are numbered as in `arguments`: with token ids there is no `inputs` first.
        let argument = model.takesIndices ? argument + 1 : argument
        return directions.map { d in
            var p = parameters, x = inputs
            if argument == 0 { x.add(d) } else { p[trainableIndex[argument - 1]].add(d) }
            let tape = Tape<Double>(recording: false)
            let rows = tape.value(model.perSampleObjective(
                from: 0, input: tape.constant(x), parameters: p.map { tape.constant($0) }, targets: targets,
                on: tape, context: context)).scalars
            var delta = zip(rows, baseRows).reduce(0) { $0 + ($1.0 - $1.1) } / Double(batch)
            if argument > 0, let r = model.parameters[trainableIndex[argument - 1]].regularizer {
                let old = parameters[trainableIndex[argument - 1]].scalars
                for (o, n) in zip(old, p[trainableIndex[argument - 1]].scalars) { delta += r.elementPenalty(n) - r.elementPenalty(o) }
            }
            return delta
        }
    }

    func inputDeltas(elements: [Int], values: [Double]) -> [Double] {
        let perSample = inputs.count / batch
        let independent = model.isSampleIndependent
        let rowsPerChange = independent ? 1 : batch
        let changesPerPass = Swift.max(1, maxRows / rowsPerChange)
        let first = model.layers[0]
        let firstIsLast = model.layers.count == 1
        var out: [Double] = []
        out.reserveCapacity(elements.count)
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            let tape = Tape<Double>(recording: false)
            let constants = parameters.map { tape.constant($0) }
            var rowSource: [Int] = []
            let rows: [Double]
            if independent {
                // Only the changed sample's loss changes: the first layer recomputes just
                // that sample, and the rest of the network runs on the stacked samples.
                let chunk = Array(elements[start..<end])
                rowSource = chunk.map { $0 / perSample }
                let outputs = first.perturbedInputOutputs(
                    input: inputs, parameters: Array(parameters[model.parameterRanges[0]]),
                    elements: chunk, values: Array(values[start..<end]),
                    beforeActivation: firstIsLast && model.fusesFinalActivation, context: context)
                rows = tape.value(model.perSampleObjective(
                    afterLayer: 0, output: tape.constant(outputs), parameters: constants,
                    targets: targets.gatherSamples(rowSource, batchSize: batch),
                    on: tape, context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
            } else {
                var scalars: [Double] = []
                for k in start..<end {
                    var copy = inputs.scalars
                    copy[elements[k]] = values[k]
                    scalars.append(contentsOf: copy)
                    rowSource.append(contentsOf: 0..<batch)
                }
                let stacked = Tensor(unchecked: [rowSource.count] + model.inputShape, scalars: scalars)
                rows = tape.value(model.perSampleObjective(
                    from: 0, input: tape.constant(stacked), parameters: constants,
                    targets: targets.gatherSamples(rowSource, batchSize: batch),
                    on: tape, context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
            }
            for k in 0..<(end - start) {
                var s = 0.0
                for r in (k * rowsPerChange)..<((k + 1) * rowsPerChange) { s += rows[r] - inputBaseRows[rowSource[r]] }
                out.append(s / Double(batch))
            }
            start = end
        }
        return out
    }

    func parameterDeltas(parameter p: Int, elements: [Int], values: [Double]) -> [Double] {
        let layerIndex = model.parameterRanges.firstIndex { $0.contains(p) }!
        let base = layerBaseRows[layerIndex]!
        let regularizer = model.parameters[p].regularizer
        let rows = Self.perturbedRows(model: model, parameters: parameters, activations: activations,
                                      targets: targets, context: context, batch: batch, parameter: p,
                                      elements: elements, values: values, maxRows: maxRows)
        var out: [Double] = []
        out.reserveCapacity(elements.count)
        for k in 0..<elements.count {
            var s = 0.0
            for b in 0..<batch { s += rows[k * batch + b] - base[b] }
            var delta = s / Double(batch)
            if let regularizer {
                let old = parameters[p].scalars[elements[k]]
                delta += regularizer.elementPenalty(values[k]) - regularizer.elementPenalty(old)
            }
            out.append(delta)
        }
        return out
    }

    /// Each sample's objective from parameter `p`'s layer on, for each change, stacked:
    /// the layer recomputes what the change touches, and the rest of the network runs once
    /// on all the changes' batches stacked.
    static func perturbedRows(
        model: Model, parameters: [Tensor<Double>], activations: [Tensor<Double>], targets: Targets<Double>,
        context: ForwardContext, batch: Int, parameter p: Int, elements: [Int], values: [Double], maxRows: Int = 512
    ) -> [Double] {
        let layerIndex = model.parameterRanges.firstIndex { $0.contains(p) }!
        let range = model.parameterRanges[layerIndex]
        // The layer computes all the changes at once (its unperturbed output once per
        // call); the rest of the network runs on at most `maxRows` rows at a time.
        let outputs = model.layers[layerIndex].perturbedOutputs(
            input: activations[layerIndex], parameters: Array(parameters[range]), parameter: p - range.lowerBound,
            elements: elements, values: values,
            beforeActivation: layerIndex == model.layers.count - 1 && model.fusesFinalActivation, context: context)
        let perChange = outputs.count / Swift.max(elements.count, 1)
        let changesPerPass = Swift.max(1, maxRows / batch)
        let constants = parameters
        var rows: [Double] = []
        rows.reserveCapacity(elements.count * batch)
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            let slice = Tensor(unchecked: [(end - start) * batch] + Array(outputs.shape.dropFirst()),
                               scalars: Array(outputs.scalars[(start * perChange)..<(end * perChange)]))
            let rowSource = (start..<end).flatMap { _ in 0..<batch }
            let tape = Tape<Double>(recording: false)
            rows += tape.value(model.perSampleObjective(
                afterLayer: layerIndex, output: tape.constant(slice), parameters: constants.map { tape.constant($0) },
                targets: targets.gatherSamples(rowSource, batchSize: batch),
                on: tape, context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
            start = end
        }
        return rows
    }
}
