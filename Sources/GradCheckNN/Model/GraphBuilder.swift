/// Wires a spec's layers into a graph: resolves every layer's `inputs` (or the previous
/// layer), orders the layers topologically, checks that each one lies on the way to the
/// output and that integer inputs only feed embeddings, and builds each layer for its
/// inputs' shapes.
///
/// Errors name the layer and its path in the spec.
struct GraphBuilder {
    /// A reference in spec terms: model input `k`, or the layer at spec position `j`.
    enum Ref: Hashable {
        case input(Int)
        case spec(Int)
    }

    let spec: ModelSpec
    let file: String?

    struct Graph {
        var inputs: [ModelInput]
        var layers: [any Layer]
        var layerInputs: [[GraphSource]]
    }

    func error(_ layer: LayerSpec, _ message: String, input: Int? = nil) -> ModelError {
        let path = input.map { SpecPath.index(SpecPath.member(layer.path, "inputs"), $0) } ?? layer.path
        return ModelError(file: file, path: path, "\(layer.name): \(message)")
    }

    func build() throws(ModelError) -> Graph {
        let specs = spec.layers
        for (k, input) in spec.inputs.enumerated() {
            try Model.checkSize(input.shape, path: spec.usesInputShape ? "input_shape" : "inputs[\(k)].shape", file: file)
        }
        guard !specs.isEmpty, !spec.inputs.isEmpty else {
            throw ModelError(file: file, path: "layers", "a model needs at least one input and one layer")
        }
        var lookup: [String: Ref] = [:]
        for (k, input) in spec.inputs.enumerated() { lookup[input.name] = .input(k) }
        for (j, layer) in specs.enumerated() { lookup[layer.name] = .spec(j) }

        // 1. What each layer takes.
        var sources: [[Ref]] = []
        for (j, layer) in specs.enumerated() {
            if let names = layer.inputs {
                var refs: [Ref] = []
                for (n, name) in names.enumerated() {
                    guard let ref = lookup[name] else {
                        let known = spec.inputs.map(\.name) + specs.map(\.name)
                        throw error(layer, "takes \"\(name)\", which is neither a layer nor a model input"
                            + DidYouMean.hint(for: name, among: known), input: n)
                    }
                    guard ref != .spec(j) else { throw error(layer, "takes its own output (a cycle)", input: n) }
                    refs.append(ref)
                }
                sources.append(refs)
            } else if j > 0 {
                sources.append([.spec(j - 1)])
            } else if spec.inputs.count == 1 {
                sources.append([.input(0)])
            } else {
                throw error(layer, "the model has \(spec.inputs.count) inputs (\(spec.inputs.map(\.name).joined(separator: ", "))); "
                    + "name the one this layer takes with \"inputs\"")
            }
        }

        // 2. A topological order, the spec's order wherever it is one (Kahn's algorithm,
        //    always taking the first ready layer in spec order).
        var pending = specs.indices.map { j in Set(sources[j].compactMap { if case let .spec(i) = $0 { return i } else { return nil } }).count }
        var dependents = [[Int]](repeating: [], count: specs.count)
        for j in specs.indices {
            for i in Set(sources[j].compactMap({ ref -> Int? in if case let .spec(i) = ref { return i } else { return nil } })) {
                dependents[i].append(j)
            }
        }
        var order: [Int] = []
        var done = [Bool](repeating: false, count: specs.count)
        while order.count < specs.count {
            guard let next = specs.indices.first(where: { !done[$0] && pending[$0] == 0 }) else {
                throw cycleError(sources: sources, done: done)
            }
            done[next] = true
            order.append(next)
            for d in dependents[next] { pending[d] -= 1 }
        }

        // 3. The output, and every layer and input on the way to it.
        let outputIndex: Int
        if let name = spec.output {
            guard case let .spec(j)? = lookup[name] else {
                throw ModelError(file: file, path: "outputs",
                    "\"\(name)\" is not a layer" + DidYouMean.hint(for: name, among: specs.map(\.name)))
            }
            outputIndex = j
        } else {
            outputIndex = specs.count - 1
        }
        var reaches = [Bool](repeating: false, count: specs.count)
        var inputUsed = [Bool](repeating: false, count: spec.inputs.count)
        var stack = [outputIndex]
        reaches[outputIndex] = true
        while let j = stack.popLast() {
            for ref in sources[j] {
                switch ref {
                case let .input(k): inputUsed[k] = true
                case let .spec(i): if !reaches[i] { reaches[i] = true; stack.append(i) }
                }
            }
        }
        for j in order where !reaches[j] {
            throw error(specs[j], "its output is never used on the way to the model's output \"\(specs[outputIndex].name)\"")
        }
        for (k, input) in spec.inputs.enumerated() where !inputUsed[k] {
            throw ModelError(file: file, path: spec.usesInputShape ? "input_shape" : "inputs[\(k)]",
                             "input \"\(input.name)\" is never used on the way to the model's output")
        }

        // 4. Integer inputs: declared, or (no dtype given) those that feed embeddings.
        var isInteger: [Bool] = []
        for (k, input) in spec.inputs.enumerated() {
            let readers = specs.indices.filter { sources[$0].contains(.input(k)) }
            let embedded = readers.filter { if case .embedding = specs[$0].kind { return true } else { return false } }
            switch input.dtype {
            case .int?:
                if let other = readers.first(where: { !embedded.contains($0) }) {
                    throw error(specs[other], "input \"\(input.name)\" holds integer ids (dtype int); only an embedding can take it")
                }
                isInteger.append(true)
            case .float?:
                isInteger.append(false)
            case nil:
                if !embedded.isEmpty, let other = readers.first(where: { !embedded.contains($0) }) {
                    throw error(specs[other], "input \"\(input.name)\" feeds an embedding, so it holds integer ids; "
                        + "only an embedding can take it")
                }
                isInteger.append(!embedded.isEmpty)
            }
        }
        var inputs: [ModelInput] = []
        for (k, input) in spec.inputs.enumerated() {
            inputs.append(ModelInput(name: input.name, shape: input.shape, isInteger: isInteger[k]))
        }

        // 5. Build the layers in that order.
        var position = [Int](repeating: 0, count: specs.count)
        for (i, j) in order.enumerated() { position[j] = i }
        var layers: [any Layer] = []
        var layerInputs: [[GraphSource]] = []
        var dropouts = 0
        for j in order {
            let refs = sources[j]
            var shapes: [[Int]] = []
            var graphSources: [GraphSource] = []
            for ref in refs {
                switch ref {
                case let .input(k):
                    shapes.append(inputs[k].shape)
                    graphSources.append(.input(k))
                case let .spec(i):
                    shapes.append(layers[position[i]].outputShape)
                    graphSources.append(.layer(position[i]))
                }
            }
            var takesIDs = false
            var idSource = ""
            if refs.count == 1 {
                switch refs[0] {
                case let .input(k):
                    takesIDs = isInteger[k]
                    idSource = "the float input \"\(inputs[k].name)\""
                case let .spec(i):
                    idSource = "the output \(layers[position[i]].outputShape) of layer \"\(specs[i].name)\""
                }
            }
            let layer = try Model.buildLayer(specs[j], inputShapes: shapes, takesIDs: takesIDs, idSource: idSource,
                                             dropouts: &dropouts, file: file)
            layers.append(layer)
            layerInputs.append(graphSources)
        }
        return Graph(inputs: inputs, layers: layers, layerInputs: layerInputs)
    }

    /// The error for a cycle among the layers not yet ordered: follows not-yet-ordered
    /// inputs from one of them until a layer repeats, and names the loop.
    func cycleError(sources: [[Ref]], done: [Bool]) -> ModelError {
        let specs = spec.layers
        var j = specs.indices.first { !done[$0] } ?? 0
        var path: [Int] = []
        var seen: [Int: Int] = [:]
        while seen[j] == nil {
            seen[j] = path.count
            path.append(j)
            let next = sources[j].compactMap { ref -> Int? in
                if case let .spec(i) = ref, !done[i] { return i } else { return nil }
            }.first
            guard let next else { break }
            j = next
        }
        let loop = path[(seen[j] ?? 0)...].map { specs[$0].name }
        // The loop reads backwards (each takes the next); print it in data-flow order.
        let flow = (loop.reversed() + [loop.last ?? ""]).joined(separator: " → ")
        let layer = specs[path[seen[j] ?? 0]]
        return error(layer, "the graph has a cycle: \(flow)")
    }
}
