import GradCheckAutograd
import GradCheckTensor

extension Model {
    /// The separate inputs of a packed batch (`[batch] + inputShape`), each
    /// `[batch] + input.shape`. With one input, the batch itself.
    ///
    /// - Complexity: O(batch × sample size) for several inputs; none for one.
    public func splitInputs<S: TensorScalar>(_ packed: Tensor<S>) -> [Tensor<S>] {
        guard inputs.count > 1 else { return [packed] }
        let batch = packed.shape.first ?? 0
        let width = inputShape.reduce(1, *)
        return inputs.map { input in
            var out = [S]()
            out.reserveCapacity(batch * input.count)
            packed.scalars.withUnsafeBufferPointer { p in
                for b in 0..<batch { out.append(contentsOf: p[(b * width + input.offset)..<(b * width + input.offset + input.count)]) }
            }
            return Tensor(unchecked: [batch] + input.shape, scalars: out)
        }
    }

    /// The separate inputs of a packed batch on a tape (the gradient flows back into the
    /// packed variable). With one input, the variable itself.
    public func splitInputs<S: TensorScalar>(_ packed: Variable<S>, on tape: Tape<S>) -> [Variable<S>] {
        guard inputs.count > 1 else { return [packed] }
        let batch = tape.value(packed).shape.first ?? 0
        let flat = tape.reshape(packed, to: [batch, inputShape.reduce(1, *)])
        return inputs.map { tape.reshape(tape.columns(flat, $0.range), to: [batch] + $0.shape) }
    }

    /// One packed batch from one tensor per input, in input order, each `[batch] + shape`.
    ///
    /// - Precondition: the tensors fit the inputs (``packInputs(_:file:)`` checks a file's).
    public func packInputs<S: TensorScalar>(_ tensors: [Tensor<S>]) -> Tensor<S> {
        guard tensors.count > 1 else { return tensors[0] }
        let batch = tensors[0].shape.first ?? 0
        let width = inputShape.reduce(1, *)
        var out = [S](repeating: 0, count: batch * width)
        for (input, t) in zip(inputs, tensors) {
            for b in 0..<batch {
                for j in 0..<input.count { out[b * width + input.offset + j] = t.scalars[b * input.count + j] }
            }
        }
        return Tensor(unchecked: [batch] + inputShape, scalars: out)
    }

    /// The packed batch of a file's `inputs`: a plain tensor for a one-input model, tensors
    /// keyed by every input's name otherwise (a one-input model takes its name as a key too).
    ///
    /// - Throws: ``ModelError`` at `inputs` (or `inputs["name"]`) for a missing or unknown
    ///   name, a misshaped tensor, inputs of different batch sizes, or an invalid token id.
    public func packInputs(_ given: InputTensors, file: String? = nil) throws(ModelError) -> Tensor<Double> {
        var tensors: [Tensor<Double>] = []
        switch given {
        case let .single(t):
            guard inputs.count == 1 else {
                throw ModelError(file: file, path: "inputs",
                    "the model has \(inputs.count) inputs; expected an object of tensors keyed by "
                        + inputs.map { "\"\($0.name)\"" }.joined(separator: ", "))
            }
            tensors = [t]
        case let .named(list):
            for named in list where !inputs.contains(where: { $0.name == named.name }) {
                throw ModelError(file: file, path: "inputs[\"\(named.name)\"]",
                    "the model has no input of that name (it has \(inputs.map(\.name).joined(separator: ", ")))")
            }
            for input in inputs {
                guard let t = given[input.name] else {
                    throw ModelError(file: file, path: "inputs", "missing input \"\(input.name)\" of shape [batch] + \(input.shape)")
                }
                tensors.append(t)
            }
        }
        for (input, t) in zip(inputs, tensors) {
            let path = inputs.count == 1 && given.isSingle ? "inputs" : "inputs[\"\(input.name)\"]"
            guard t.rank == input.shape.count + 1, Array(t.shape.dropFirst()) == input.shape, t.shape[0] > 0 else {
                throw ModelError(file: file, path: path + ".shape",
                    "expected [batch] + \(input.shape) with batch ≥ 1, got \(t.shape)")
            }
            guard t.shape[0] == tensors[0].shape[0] else {
                throw ModelError(file: file, path: path + ".shape[0]",
                    "input \"\(input.name)\" has \(t.shape[0]) samples but \"\(inputs[0].name)\" has \(tensors[0].shape[0])")
            }
        }
        let packed = packInputs(tensors)
        try checkInputs(packed, file: file)
        return packed
    }

    /// The gradients of the float inputs, from a gradient of a packed batch: a plain tensor
    /// for a one-input model, keyed by input name otherwise; `nil` when no input is float.
    public func inputGradients(_ packed: Tensor<Double>) -> InputTensors? {
        let floats = floatInputs
        guard !floats.isEmpty else { return nil }
        if inputs.count == 1 { return .single(packed) }
        let split = splitInputs(packed)
        return .named(floats.map { NamedTensor(name: inputs[$0].name, tensor: split[$0]) })
    }

    /// Checks a packed batch against ``inputShape``, and that every value of an integer
    /// input is a token id of each `embedding` that reads it (an integer in `0..<input_dim`).
    ///
    /// - Throws: ``ModelError`` at `inputs.shape`, or at the first bad id
    ///   (`inputs.values[i]`, or `inputs["name"].values[i]` with several inputs).
    public func checkInputs<S: TensorScalar>(_ batch: Tensor<S>, file: String? = nil) throws(ModelError) {
        guard batch.rank == inputShape.count + 1, Array(batch.shape.dropFirst()) == inputShape, batch.shape[0] > 0 else {
            throw ModelError(file: file, path: "inputs.shape",
                "expected [batch] + \(inputShape) with batch ≥ 1, got \(batch.shape)")
        }
        let split = splitInputs(batch)
        for (k, input) in inputs.enumerated() where input.isInteger {
            for (i, sources) in layerInputs.enumerated() where sources.contains(.input(k)) {
                guard let embedding = layers[i] as? EmbeddingLayer,
                      let bad = embedding.firstInvalidID(in: split[k]) else { continue }
                let path = inputs.count == 1 ? "inputs" : "inputs[\"\(input.name)\"]"
                throw ModelError(file: file, path: "\(path).values[\(bad.index)]", bad.message)
            }
        }
    }

    /// The largest token id + 1 every `embedding` reading integer input `k` accepts (for
    /// random batches), or `nil` when `k` is not an integer input.
    public func idLimit(ofInput k: Int) -> Int? {
        guard inputs[k].isInteger else { return nil }
        let limits = layerInputs.indices.compactMap { i in
            layerInputs[i].contains(.input(k)) ? (layers[i] as? EmbeddingLayer)?.inputDim : nil
        }
        return limits.min()
    }
}

extension InputTensors {
    /// Whether this is the plain one-tensor form.
    var isSingle: Bool { if case .single = self { return true } else { return false } }
}
