import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// A whole model and its loss as a function of its float inputs and every trainable
/// parameter: the training loss on one batch, in float64, with the dropout masks of
/// `context` held fixed.
///
/// Perturbations use the graph's structure, and every shortcut is exact:
/// - a parameter of layer `L` changes only what depends on `L`: `L` recomputes only what
///   the element touches
///   (``Layer/perturbedOutputs(inputs:parameters:parameter:elements:values:beforeActivation:context:)``),
///   then only the layers downstream of `L` run again, in topological order, reading every
///   other value from the recorded forward pass;
/// - an input element of sample `b` changes only sample `b`'s loss when every layer is
///   sample-independent, so one row is evaluated instead of the batch (and when the input
///   feeds one single-input layer, that layer recomputes just the changed sample with
///   ``Layer/perturbedInputOutputs(input:parameters:elements:values:beforeActivation:context:)``);
/// - the perturbations of a chunk are stacked along the batch axis and share one forward
///   pass through the rest of the graph;
/// - parameter penalties are sums of one function per element, so a perturbation changes
///   the penalty by that element's term only.
/// Each sample's unperturbed loss, computed by the same path with nothing changed, is
/// subtracted before summing, so rounding stays at the size of what changed.
public struct ModelObjective: PerturbableObjective {
    /// The model.
    public let model: Model
    public let arguments: [CheckArgument]
    let parameters: [Tensor<Double>]
    /// The model input of each input argument (the float inputs, in order).
    let inputArguments: [Int]
    let trainableIndex: [Int]            // argument inputArguments.count + j is parameter trainableIndex[j]
    /// The packed batch.
    let inputs: Tensor<Double>
    let targets: Targets<Double>
    let context: ForwardContext
    /// Every slot's value on the batch (model inputs, then layer outputs).
    let values: [Tensor<Double>]
    let baseRows: [Double]
    /// For each layer with trainable parameters, each sample's objective computed by the
    /// same path as its perturbations (an unchanged element), so that the penalties of
    /// other layers and any rounding of the path cancel exactly.
    private(set) var layerBaseRows: [Int: [Double]] = [:]
    /// For each float input, each sample's objective computed by its perturbation path
    /// with nothing changed, for the same reason.
    private(set) var inputBaseRows: [Int: [Double]] = [:]
    let batch: Int
    /// The most rows a stacked forward pass holds: at most 512, and at most 65536 scalars
    /// (half a megabyte) in the widest layer output, so that intermediates stay in cache
    /// (the transformer fixture, widest 16 × 64: 64 rows, 10% less CPU than 512).
    let maxRows: Int

    /// The name of model input `k` as a checked argument: `inputs` for a model with one
    /// input, `inputs["name"]` with several.
    public static func argumentName(model: Model, input k: Int) -> String {
        model.inputs.count == 1 ? "inputs" : "inputs[\"\(model.inputs[k].name)\"]"
    }

    /// The objective at `parameters` (model order) on a batch.
    ///
    /// - Parameter inputs: the packed batch (``Model/inputShape``).
    public init(model: Model, parameters: [Tensor<Double>], inputs: Tensor<Double>, targets: Targets<Double>,
                context: ForwardContext) {
        self.model = model
        self.parameters = parameters
        self.inputs = inputs
        self.targets = targets
        self.context = context
        self.batch = inputs.shape[0]
        let widest = model.layers.map { $0.outputShape.reduce(1, *) }.max() ?? 1
        self.maxRows = Swift.min(512, Swift.max(1, 65536 / Swift.max(widest, 1)))
        let values = model.graphValues(parameters: parameters, inputs: inputs, context: context)
        self.values = values
        // Token ids (integer inputs) are not differentiable: no argument for them.
        let floats = model.floatInputs
        var args = floats.map { CheckArgument(name: Self.argumentName(model: model, input: $0), value: values[$0]) }
        var index: [Int] = []
        for (i, d) in model.parameters.enumerated() where d.trainable {
            args.append(CheckArgument(name: d.name, value: parameters[i]))
            index.append(i)
        }
        self.arguments = args
        self.inputArguments = floats
        self.trainableIndex = index
        let tape = Tape<Double>(recording: false)
        self.baseRows = tape.value(model.perSampleObjective(
            input: tape.constant(inputs), parameters: parameters.map { tape.constant($0) },
            targets: targets, on: tape, context: context)).scalars
        var layerBase: [Int: [Double]] = [:]
        for (i, range) in model.parameterRanges.enumerated() {
            guard let p = range.first(where: { model.parameters[$0].trainable }) else { continue }
            layerBase[i] = parameterRows(parameter: p, elements: [0], values: [parameters[p].scalars[0]])
        }
        var inputBase: [Int: [Double]] = [:]
        for k in floats {
            let per = model.inputs[k].count
            if model.isSampleIndependent {
                // One unchanged element per sample: one row per sample, in order.
                let firstElements = (0..<batch).map { $0 * per }
                inputBase[k] = inputRows(input: k, elements: firstElements, values: firstElements.map { values[k].scalars[$0] })
            } else {
                inputBase[k] = inputRows(input: k, elements: [0], values: [values[k].scalars[0]])
            }
        }
        self.layerBaseRows = layerBase
        self.inputBaseRows = inputBase
    }

    public func analyticGradients() -> [Tensor<Double>] {
        let g = model.lossAndGradients(parameters: parameters, inputs: inputs, targets: targets, context: context)
        let split = model.splitInputs(g.inputs)
        return inputArguments.map { split[$0] } + trainableIndex.map { g.parameters[model.parameters[$0].name]! }
    }

    /// The loss at the unperturbed point.
    public var loss: Double {
        let tape = Tape<Double>(recording: false)
        let p = parameters.map { tape.constant($0) }
        let l = model.loss(input: tape.constant(inputs), parameters: p, targets: targets, on: tape, context: context)
        return tape.value(l).scalar
    }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        argument < inputArguments.count
            ? inputDeltas(input: inputArguments[argument], elements: elements, values: values)
            : parameterDeltas(parameter: trainableIndex[argument - inputArguments.count], elements: elements, values: values)
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        directions.map { d in
            var p = parameters
            var xs = Array(values[0..<model.inputs.count])
            if argument < inputArguments.count { xs[inputArguments[argument]].add(d) } else {
                p[trainableIndex[argument - inputArguments.count]].add(d)
            }
            let tape = Tape<Double>(recording: false)
            let rows = tape.value(model.perSampleObjective(
                inputs: xs.map { tape.constant($0) }, parameters: p.map { tape.constant($0) }, targets: targets,
                on: tape, context: context)).scalars
            var delta = zip(rows, baseRows).reduce(0) { $0 + ($1.0 - $1.1) } / Double(batch)
            if argument >= inputArguments.count {
                let i = trainableIndex[argument - inputArguments.count]
                if let r = model.parameters[i].regularizer {
                    for (o, n) in zip(parameters[i].scalars, p[i].scalars) { delta += r.elementPenalty(n) - r.elementPenalty(o) }
                }
            }
            return delta
        }
    }

    /// Each sample's objective with `stacked` in place of `source`'s value: only what
    /// depends on `source` runs again. Row `r` of `stacked` copies original row `rowSource[r]`.
    func rows(replacing source: GraphSource, with stacked: Tensor<Double>, rowSource: [Int]) -> [Double] {
        let tape = Tape<Double>(recording: false)
        return tape.value(model.perSampleObjective(
            replacing: source, with: tape.constant(stacked), unchanged: values, rowSource: rowSource,
            parameters: parameters.map { tape.constant($0) },
            targets: targets.gatherSamples(rowSource, batchSize: batch), on: tape,
            context: context.stacked(rowSource: rowSource, originalBatchSize: batch))).scalars
    }

    /// The one layer that reads input `k`, when it reads nothing else.
    func soleReader(ofInput k: Int) -> Int? {
        let readers = model.layerInputs.indices.filter { model.layerInputs[$0].contains(.input(k)) }
        guard readers.count == 1, model.layerInputs[readers[0]] == [.input(k)] else { return nil }
        return readers[0]
    }

    /// Each perturbed sample's objective (sample-independent models: one row per change)
    /// or each perturbed batch's (`batch` rows per change), in change order.
    func inputRows(input k: Int, elements: [Int], values changes: [Double]) -> [Double] {
        let x = values[k]
        let per = model.inputs[k].count
        if model.isSampleIndependent {
            let rowSource = elements.map { $0 / per }
            if let reader = soleReader(ofInput: k) {
                // The reader recomputes just the changed samples; the rest runs on them.
                let outputs = model.layers[reader].perturbedInputOutputs(
                    input: x, parameters: Array(parameters[model.parameterRanges[reader]]), elements: elements,
                    values: changes, beforeActivation: reader == model.layers.count - 1 && model.fusesFinalActivation,
                    context: context)
                return rows(replacing: .layer(reader), with: outputs, rowSource: rowSource)
            }
            var scalars: [Double] = []
            scalars.reserveCapacity(elements.count * per)
            for (e, v) in zip(elements, changes) {
                let b = e / per
                let start = scalars.count
                scalars.append(contentsOf: x.scalars[(b * per)..<((b + 1) * per)])
                scalars[start + e - b * per] = v
            }
            return rows(replacing: .input(k), with: Tensor(unchecked: [elements.count] + model.inputs[k].shape, scalars: scalars),
                        rowSource: rowSource)
        }
        var scalars: [Double] = []
        scalars.reserveCapacity(elements.count * x.count)
        var rowSource: [Int] = []
        for (e, v) in zip(elements, changes) {
            var copy = x.scalars
            copy[e] = v
            scalars.append(contentsOf: copy)
            rowSource.append(contentsOf: 0..<batch)
        }
        return rows(replacing: .input(k), with: Tensor(unchecked: [rowSource.count] + model.inputs[k].shape, scalars: scalars),
                    rowSource: rowSource)
    }

    func inputDeltas(input k: Int, elements: [Int], values changes: [Double]) -> [Double] {
        let per = model.inputs[k].count
        let independent = model.isSampleIndependent
        let rowsPerChange = independent ? 1 : batch
        let changesPerPass = Swift.max(1, maxRows / rowsPerChange)
        let base = inputBaseRows[k]!
        var out: [Double] = []
        out.reserveCapacity(elements.count)
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            let chunk = Array(elements[start..<end])
            let rows = inputRows(input: k, elements: chunk, values: Array(changes[start..<end]))
            for c in 0..<(end - start) {
                var s = 0.0
                if independent {
                    s = rows[c] - base[chunk[c] / per]
                } else {
                    for b in 0..<batch { s += rows[c * batch + b] - base[b] }
                }
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
        let rows = parameterRows(parameter: p, elements: elements, values: values)
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

    /// Each sample's objective for each change of parameter `p`, stacked: its layer
    /// recomputes what the change touches (all changes at once, its unperturbed output once),
    /// and the layers downstream of it run on at most `maxRows` rows at a time.
    func parameterRows(parameter p: Int, elements: [Int], values: [Double]) -> [Double] {
        let layerIndex = model.parameterRanges.firstIndex { $0.contains(p) }!
        let range = model.parameterRanges[layerIndex]
        let outputs = model.layers[layerIndex].perturbedOutputs(
            inputs: model.layerInputs[layerIndex].map { self.values[model.slot($0)] },
            parameters: Array(parameters[range]), parameter: p - range.lowerBound,
            elements: elements, values: values,
            beforeActivation: layerIndex == model.layers.count - 1 && model.fusesFinalActivation, context: context)
        let perChange = outputs.count / Swift.max(elements.count, 1)
        let changesPerPass = Swift.max(1, maxRows / batch)
        var rows: [Double] = []
        rows.reserveCapacity(elements.count * batch)
        var start = 0
        while start < elements.count {
            let end = Swift.min(start + changesPerPass, elements.count)
            let slice = Tensor(unchecked: [(end - start) * batch] + Array(outputs.shape.dropFirst()),
                               scalars: Array(outputs.scalars[(start * perChange)..<(end * perChange)]))
            rows += self.rows(replacing: .layer(layerIndex), with: slice, rowSource: (start..<end).flatMap { _ in 0..<batch })
            start = end
        }
        return rows
    }
}
