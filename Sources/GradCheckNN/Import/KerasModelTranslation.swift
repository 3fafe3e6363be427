/// The model part of a Keras translation: name, inputs, layers in topological order and
/// the output, as the spec writes them.
struct KerasModelTranslation {
    var name: String
    /// `input_shape` (a chain from one input), or `inputs`.
    var inputKeys: JSONObject
    /// The spec's layer objects.
    var layers: [JSONValue]
    /// The output layer when it is not the last one.
    var output: String?

    /// One model input.
    struct Input {
        var name: String
        var shape: [Int]
        var isInt: Bool
    }

    /// One translated layer and what it takes.
    struct Node {
        var name: String
        var layer: TranslatedLayer
        /// Names of the layers or inputs it takes, in order (empty in a Sequential model).
        var inputs: [String]
        var path: String
    }

    // MARK: Sequential

    /// Translates the `config` of a Keras `Sequential` model.
    static func sequential(_ config: JSONValue, path: String, file: String?) throws(SpecError) -> KerasModelTranslation {
        var c = try KerasConfig(config, path: path, file: file, what: "Keras Sequential")
        let name = try c.layerCommon() ?? "sequential"
        let buildShape = c.take("build_input_shape")
        let layerValues = try Read.array(try c.require("layers"), c.path("layers"), file)
        try c.finish()

        var input: Input?
        var nodes: [Node] = []
        for (k, value) in layerValues.enumerated() {
            let lp = SpecPath.index(c.path("layers"), k)
            var entry = try KerasConfig(value, path: lp, file: file, what: "Keras layer")
            let className = try entry.string("class_name") ?? ""
            try checkModule(&entry, className: className)
            entry.ignore("registered_name", "build_config", "name")
            let layerConfig = try entry.require("config")
            try entry.finish()
            if className == "InputLayer" {
                guard k == 0 else { throw entry.error("class_name", "an InputLayer after the first layer") }
                input = try readInput(layerConfig, path: SpecPath.member(lp, "config"), file: file)
                continue
            }
            let rank = value["build_config"]?["input_shape"]?.arrayValue?.count
            let (layerName, layer) = try KerasLayers.translate(className: className, config: layerConfig, path: lp,
                                                                file: file, inputRank: rank)
            nodes.append(Node(name: try checkName(layerName, path: lp, file: file), layer: layer, inputs: [], path: lp))
        }
        if input == nil {
            // A Sequential model without an InputLayer knows its input from being built.
            let shape = buildShape ?? layerValues.first?["build_config"]?["input_shape"]
            guard let shape else {
                throw c.error("layers", "the model has no InputLayer and was never built, so its input shape is unknown; "
                    + "add keras.Input(shape) or build the model before to_json()")
            }
            input = Input(name: "input", shape: try sampleShape(shape, path: c.path("build_input_shape"), file: file), isInt: false)
        }
        guard let input else { throw c.error("layers", "no input") }
        guard !nodes.isEmpty else { throw c.error("layers", "the model has no layers besides its input") }
        return assemble(name: name, inputs: [input], nodes: nodes, output: nodes[nodes.count - 1].name, path: path, file: file)
    }

    // MARK: Functional

    /// Translates the `config` of a Keras functional model.
    static func functional(_ config: JSONValue, path: String, file: String?) throws(SpecError) -> KerasModelTranslation {
        var c = try KerasConfig(config, path: path, file: file, what: "Keras Functional")
        let name = try c.layerCommon() ?? "functional"
        let layerValues = try Read.array(try c.require("layers"), c.path("layers"), file)
        let inputNames = try endpointNames(try c.require("input_layers"), path: c.path("input_layers"), file: file)
        let outputNames = try endpointNames(try c.require("output_layers"), path: c.path("output_layers"), file: file)
        try c.finish()
        guard outputNames.count == 1 else {
            throw c.error("output_layers", "the model has \(outputNames.count) outputs; gradcheck models have one, "
                + "on which the loss is computed")
        }

        var inputsByName: [String: Input] = [:]
        var nodes: [Node] = []
        var seen: Set<String> = []
        for (k, value) in layerValues.enumerated() {
            let lp = SpecPath.index(c.path("layers"), k)
            var entry = try KerasConfig(value, path: lp, file: file, what: "Keras layer")
            let className = try entry.string("class_name") ?? ""
            let isOp = try checkModule(&entry, className: className)
            entry.ignore("registered_name", "build_config")
            let entryName = try entry.string("name")
            let layerConfig = entry.take("config") ?? .object([:])
            let inbound = try Read.array(entry.take("inbound_nodes") ?? .array([]), entry.path("inbound_nodes"), file)
            try entry.finish()

            if className == "InputLayer" {
                var input = try readInput(layerConfig, path: SpecPath.member(lp, "config"), file: file)
                if let entryName { input.name = entryName }
                input.name = try checkName(input.name, path: lp, file: file)
                guard seen.insert(input.name).inserted else { throw entry.error("name", "the name \"\(input.name)\" is used twice") }
                inputsByName[input.name] = input
                continue
            }
            guard inbound.count == 1 else {
                throw entry.error("inbound_nodes", inbound.isEmpty ? "the layer is never called"
                    : "the layer is called \(inbound.count) times (a shared layer): not supported, each gradcheck layer "
                        + "has its own parameters")
            }
            let nodePath = SpecPath.index(entry.path("inbound_nodes"), 0)
            var call = try readCall(inbound[0], path: nodePath, file: file)
            let rank = call.inputs.first?.shape?.count
            var layerName: String?
            var layer: TranslatedLayer
            if isOp {
                // `x + y` on Keras tensors: an operation of keras.ops, kept when it is a plain merge.
                layer = try opMerge(className, config: layerConfig, call: call, path: lp, file: file)
                layerName = entryName
            } else {
                (layerName, layer) = try KerasLayers.translate(className: className, config: layerConfig, path: lp,
                                                               file: file, inputRank: rank)
            }
            let inputs = try callInputs(className: className, &call, into: &layer, path: nodePath, file: file)
            try call.kwargs.finish()
            let resolved = try checkName(entryName ?? layerName, path: lp, file: file)
            guard seen.insert(resolved).inserted else { throw entry.error("name", "the name \"\(resolved)\" is used twice") }
            nodes.append(Node(name: resolved, layer: layer, inputs: inputs.map(\.layer), path: lp))
        }

        var inputs: [Input] = []
        for (k, inputName) in inputNames.enumerated() {
            guard let input = inputsByName[inputName] else {
                throw SpecError(file: file, path: SpecPath.index(c.path("input_layers"), k),
                                message: "\"\(inputName)\" is not an InputLayer of the model")
            }
            inputs.append(input)
        }
        guard !inputs.isEmpty else { throw c.error("input_layers", "the model has no inputs") }
        guard !nodes.isEmpty else { throw c.error("layers", "the model has no layers besides its inputs") }
        let sorted = try topologicalOrder(nodes, inputs: Set(inputs.map(\.name)), file: file)
        guard sorted.contains(where: { $0.name == outputNames[0] }) else {
            throw c.error("output_layers", "the output \"\(outputNames[0])\" is not a layer of the model")
        }
        return assemble(name: name, inputs: inputs, nodes: sorted, output: outputNames[0], path: path, file: file)
    }

    /// The names in `input_layers` / `output_layers`: `[name, 0, 0]` or a list of those.
    static func endpointNames(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> [String] {
        guard case let .array(elements) = v else { throw Read.fail("a list of [layer, node, tensor]", v, path, file) }
        if elements.first?.stringValue != nil { return [try endpoint(v, path: path, file: file)] }
        var names: [String] = []
        for (k, e) in elements.enumerated() { names.append(try endpoint(e, path: SpecPath.index(path, k), file: file)) }
        return names
    }

    private static func endpoint(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> String {
        guard let a = v.arrayValue, a.count == 3, let name = a[0].stringValue, a[1].intValue == 0, a[2].intValue == 0 else {
            throw Read.fail("[layer name, 0, 0]", v, path, file)
        }
        return name
    }

    // MARK: Calls

    /// Reads `inbound_nodes[0]`: positional tensors (a merge layer's list flattened) and
    /// keyword arguments, which the caller then consumes.
    static func readCall(_ node: JSONValue, path: String, file: String?) throws(SpecError) -> KerasCall {
        if node.arrayValue != nil {
            throw SpecError(file: file, path: path, message: "this inbound node is in the Keras 2 format; "
                + "save the model with Keras 3")
        }
        var c = try KerasConfig(node, path: path, file: file, what: "Keras call")
        let args = try Read.array(c.take("args") ?? .array([]), c.path("args"), file)
        let kwargs = c.take("kwargs") ?? .object([:])
        try c.finish()
        var tensors: [KerasTensorRef] = []
        for (k, arg) in args.enumerated() {
            let ap = SpecPath.index(c.path("args"), k)
            if case let .array(list) = arg {
                for (j, e) in list.enumerated() {
                    tensors.append(try KerasTensorRef.read(e, path: SpecPath.index(ap, j), file: file))
                }
            } else if KerasTensorRef.isTensor(arg) {
                tensors.append(try KerasTensorRef.read(arg, path: ap, file: file))
            } else {
                throw SpecError(file: file, path: ap, message: "a call argument \(arg.shortDescription) that is not a tensor "
                    + "is not supported")
            }
        }
        return KerasCall(inputs: tensors, kwargs: try KerasConfig(kwargs, path: c.path("kwargs"), file: file, what: "call"))
    }

    /// The tensors a layer's call takes, checked against what the layer type accepts,
    /// with the call's keyword arguments consumed (`use_causal_mask` goes into `layer`).
    static func callInputs(className: String, _ call: inout KerasCall, into layer: inout TranslatedLayer,
                           path: String, file: String?) throws(SpecError) -> [KerasTensorRef] {
        var kw = call.kwargs
        defer { call.kwargs = kw }
        try kw.requireNull("training", because: "gradcheck sets training mode itself (dropout active in checks)")
        try kw.requireNull("mask", because: "masking is not supported")
        var inputs = call.inputs
        switch layer.type {
        case "multi_head_attention":
            if let key = kw.take("key") {
                guard inputs.count == 2 else { throw kw.error("key", "key given twice") }
                inputs.append(try KerasTensorRef.read(key, path: kw.path("key"), file: file))
            }
            if let value = kw.take("value") {
                inputs.insert(try KerasTensorRef.read(value, path: kw.path("value"), file: file), at: min(1, inputs.count))
            }
            for mask in ["query_mask", "value_mask", "key_mask", "attention_mask"] {
                try kw.requireNull(mask, because: "only the causal mask (use_causal_mask) is supported")
            }
            try kw.requireDefault("return_attention_scores", false, because: "a layer has one output")
            if try kw.bool("use_causal_mask") == true { layer.keys["use_causal_mask"] = true }
            guard (2...3).contains(inputs.count) else {
                throw SpecError(file: file, path: path, message: "MultiHeadAttention takes query, value and optionally key; "
                    + "got \(inputs.count) tensors")
            }
            // Self-attention is written with one name.
            if inputs[0] == inputs[1], inputs.count == 2 || inputs[2] == inputs[1] { inputs = [inputs[0]] }
            else if inputs.count == 3, inputs[2] == inputs[1] { inputs.removeLast() }
        case "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate":
            let needed = layer.type == "subtract" ? "exactly 2" : "at least 2"
            guard layer.type == "subtract" ? inputs.count == 2 : inputs.count >= 2 else {
                throw SpecError(file: file, path: path, message: "Keras \(className) takes \(needed) tensors; got \(inputs.count)")
            }
        case "simple_rnn", "lstm", "gru", "bidirectional":
            try kw.requireNull("initial_state", because: "recurrent layers start from a zero state")
            fallthrough
        default:
            guard inputs.count == 1 else {
                throw SpecError(file: file, path: path, message: "Keras \(className) takes one tensor; got \(inputs.count)")
            }
        }
        return inputs
    }

    /// `keras.ops` additions, subtractions and products of two tensors of the same shape,
    /// as the merge layers they equal.
    static func opMerge(_ className: String, config: JSONValue, call: KerasCall, path: String,
                        file: String?) throws(SpecError) -> TranslatedLayer {
        let ops = ["Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Maximum": "maximum", "Minimum": "minimum"]
        guard let type = ops[className] else {
            throw SpecError(file: file, path: SpecPath.member(path, "class_name"), message: "the operation \"\(className)\" "
                + "(keras.ops) is not supported; only +, -, * (and maximum, minimum) of two tensors of one shape are")
        }
        var c = try KerasConfig(config, path: SpecPath.member(path, "config"), file: file, what: "keras.ops \(className)")
        c.ignore("name")
        try c.finish()
        guard call.inputs.count == 2 else {
            throw SpecError(file: file, path: SpecPath.member(path, "inbound_nodes"), message: "keras.ops \(className) of "
                + "\(call.inputs.count) tensors is not supported; only of two tensors")
        }
        if let a = call.inputs[0].shape, let b = call.inputs[1].shape, a != b {
            throw SpecError(file: file, path: SpecPath.member(path, "inbound_nodes"), message: "keras.ops \(className) of shapes "
                + "\(a) and \(b) broadcasts, which the format's merge layers do not")
        }
        return TranslatedLayer(type: type, keys: JSONObject())
    }

    // MARK: Pieces

    /// Checks that a layer entry is a Keras layer (not a nested model or a custom class);
    /// returns whether it is a `keras.ops` operation.
    @discardableResult
    static func checkModule(_ entry: inout KerasConfig, className: String) throws(SpecError) -> Bool {
        let module = try entry.string("module") ?? "keras.layers"
        if ["Sequential", "Functional", "Model"].contains(className) {
            throw entry.error("class_name", "a nested Keras model is not supported; build one model from its layers")
        }
        if module.hasPrefix("keras.src.ops") { return true }
        guard module == "keras.layers" || module.hasPrefix("keras.src.layers") else {
            throw entry.error("module", "\"\(className)\" from module \"\(module)\" is not a Keras layer (custom layers "
                + "cannot be translated)")
        }
        return false
    }

    /// A model input from an InputLayer config.
    static func readInput(_ config: JSONValue, path: String, file: String?) throws(SpecError) -> Input {
        var c = try KerasConfig(config, path: path, file: file, what: "Keras InputLayer")
        let name = try c.string("name") ?? "input"
        guard let batchShape = c.take("batch_shape") ?? c.take("batch_input_shape") else {
            throw c.error(nil, "InputLayer has no \"batch_shape\"")
        }
        let shape = try sampleShape(batchShape, path: c.path("batch_shape"), file: file)
        let dtype = try c.string("dtype") ?? "float32"
        let isInt: Bool
        if dtype.hasPrefix("float") || dtype == "bfloat16" { isInt = false }
        else if dtype.hasPrefix("int") || dtype.hasPrefix("uint") { isInt = true }
        else { throw c.error("dtype", "input dtype \"\(dtype)\" is not supported (float and int types are)") }
        try c.requireDefault("sparse", false, because: "inputs are dense")
        try c.requireDefault("ragged", false, because: "inputs have a fixed shape")
        try c.requireDefault("optional", false, because: "every input is given")
        c.ignore("input_tensor")
        try c.finish()
        return Input(name: name, shape: shape, isInt: isInt)
    }

    /// A batch shape `[null, d1, ...]` without its batch axis; every other axis fixed.
    static func sampleShape(_ v: JSONValue, path: String, file: String?) throws(SpecError) -> [Int] {
        guard case let .array(elements) = v, elements.count >= 2 else {
            throw Read.fail("a batch shape [null, d1, ...]", v, path, file)
        }
        var shape: [Int] = []
        for (k, e) in elements.enumerated().dropFirst() {
            guard let n = e.intValue, n >= 1 else {
                throw SpecError(file: file, path: SpecPath.index(path, k), message: "axis \(k) of the input is "
                    + "\(e.shortDescription); gradcheck needs every axis but the batch fixed (give keras.Input a full shape)")
            }
            shape.append(n)
        }
        return shape
    }

    /// A layer name usable in the format (non-empty, no `/`).
    static func checkName(_ name: String?, path: String, file: String?) throws(SpecError) -> String {
        guard let name, !name.isEmpty else { throw SpecError(file: file, path: path, message: "the layer has no name") }
        guard !name.contains("/") else {
            throw SpecError(file: file, path: SpecPath.member(path, "name"), message: "the layer name \"\(name)\" contains \"/\", "
                + "which parameter names use as separator; rename the layer")
        }
        return name
    }

    /// The nodes in an order where every layer comes after what it takes: Keras' own
    /// order when it already is one (it normally is), else a stable topological sort.
    static func topologicalOrder(_ nodes: [Node], inputs: Set<String>, file: String?) throws(SpecError) -> [Node] {
        let names = Set(nodes.map(\.name)).union(inputs)
        for node in nodes {
            for name in node.inputs where !names.contains(name) {
                throw SpecError(file: file, path: node.path, message: "the layer takes \"\(name)\", which is not a layer "
                    + "or input of the model")
            }
        }
        var placed = inputs
        var out: [Node] = []
        var pending = nodes
        while !pending.isEmpty {
            guard let next = pending.firstIndex(where: { $0.inputs.allSatisfy(placed.contains) }) else {
                throw SpecError(file: file, path: pending[0].path, message: "the layers form a cycle")
            }
            let node = pending.remove(at: next)
            placed.insert(node.name)
            out.append(node)
        }
        return out
    }

    /// The spec's model part. A layer's `inputs` are left out where it takes just the
    /// previous layer's output (the first layer: the only input), so a chain reads as a
    /// plain sequence; a chain from one input is written with `input_shape` (when the
    /// input is float, or integer ids into a first `embedding`).
    static func assemble(name: String, inputs: [Input], nodes: [Node], output: String, path: String,
                         file: String?) -> KerasModelTranslation {
        var layers: [JSONValue] = []
        var chain = true
        var previous: String? = inputs.count == 1 ? inputs[0].name : nil
        for node in nodes {
            var o: JSONObject = ["type": .string(node.layer.type), "name": .string(node.name)]
            if !node.inputs.isEmpty, node.inputs != previous.map({ [$0] }) {
                o["inputs"] = .array(node.inputs.map { .string($0) })
                chain = false
            }
            for member in node.layer.keys { o[member.key] = member.value }
            layers.append(.object(o))
            previous = node.name
        }
        var inputKeys = JSONObject()
        let only = inputs[0]
        if inputs.count == 1, chain, !only.isInt || nodes[0].layer.type == "embedding" {
            inputKeys["input_shape"] = .integers(only.shape)
        } else {
            inputKeys["inputs"] = .array(inputs.map { input in
                var o: JSONObject = ["name": .string(input.name), "shape": .integers(input.shape)]
                if input.isInt { o["dtype"] = "int" }
                return .object(o)
            })
        }
        let last = nodes[nodes.count - 1].name
        return KerasModelTranslation(name: name, inputKeys: inputKeys, layers: layers, output: output == last ? nil : output)
    }
}
