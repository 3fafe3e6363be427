import GradCheck

/// `gradcheck validate SPEC`: checks a spec and prints the model summary.
enum ValidateCommand {
    static let flags: [Arguments.Flag] = [OutputFormat.flag]

    static var help: String {
        helpText(usage: "validate SPEC [--format text|json|markdown]", description: """
        Decodes and validates a gradcheck.model/1 spec (unknown keys, wrong types and impossible shapes
        are errors naming the JSON path), builds the model and prints its summary, like Keras'
        summary(): each layer with its type, output shape and parameter count, and for a graph
        model (named inputs, branches, merges) what each layer takes ("connected to").

        Exit status: 0 for a valid spec, 2 otherwise.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let path = try args.requirePositionals(["spec"])[0]
        let format = try OutputFormat.from(args)
        let model = try Model(spec: ModelSpec.load(path: path), file: path)
        let rows: [[String]] = model.layers.enumerated().map { i, layer in
            let count = model.parameters[model.parameterRanges[i]].reduce(0) { $0 + $1.count }
            var kind = layer.typeName
            if !layer.outputActivation.isLinear, layer.typeName != "activation" { kind += " (\(activationName(layer.outputActivation)))" }
            if layer.typeName == "activation" { kind = "activation (\(activationName(layer.outputActivation)))" }
            let row = [layer.name, kind, "\([nil as Int?] .map { _ in "None" } + layer.outputShape.map(String.init))"
                        .replacingOccurrences(of: "\"", with: ""), "\(count)"]
            return model.isChain ? row : row + [sourceNames(model, layer: i).joined(separator: ", ")]
        }
        let total = model.parameters.reduce(0) { $0 + $1.count }
        let trainable = model.trainableParameters.reduce(0) { $0 + $1.count }
        let header = ["layer", "type", "output shape", "params"] + (model.isChain ? [] : ["connected to"])
        switch format {
        case .text:
            let inputs = model.inputs.count == 1 && model.isChain ? "input shape \(model.inputShape)"
                : "inputs " + model.inputs.map { "\($0.name) \($0.shape)\($0.isInteger ? " int" : "")" }.joined(separator: ", ")
            var out = "Model: \"\(model.name)\"   \(inputs), loss \(lossName(model))\n\n"
            out += table(header, rows, rightAligned: [3])
            out += "\nTotal params: \(total)\nTrainable params: \(trainable)\nNon-trainable params: \(total - trainable)\n"
            console.out(out)
        case .markdown:
            console.out("## Model `\(model.name)`\n\n" + markdownTable(header, rows)
                + "\nTotal params: \(total) (trainable \(trainable)); loss \(lossName(model)).\n")
        case .json:
            var value: JSONObject = [
                "format": "gradcheck.summary/1", "valid": true, "model": .string(model.name),
                "inputs": .array(model.inputs.map { input in
                    .object(["name": .string(input.name), "shape": .integers(input.shape),
                             "dtype": .string(input.isInteger ? "int" : "float")])
                }),
                "output_shape": .integers(model.outputShape),
                "loss": .string(lossName(model)),
                "layers": .array(model.layers.enumerated().map { i, layer in
                    .object(["name": .string(layer.name), "type": .string(layer.typeName),
                             "inputs": .array(sourceNames(model, layer: i).map { .string($0) }),
                             "output_shape": .integers(layer.outputShape),
                             "parameters": .array(model.parameters[model.parameterRanges[i]].map { p in
                                 .object(["name": .string(p.name), "shape": .integers(p.shape), "trainable": .bool(p.trainable)])
                             })])
                }),
                "total_parameters": .integer(total), "trainable_parameters": .integer(trainable),
            ]
            if model.inputs.count == 1 { value["input_shape"] = .integers(model.inputShape) }
            console.out(JSONWriter.pretty.fileContents(for: .object(value)))
        }
        return 0
    }

    /// What layer `i` takes, by name (model inputs and layers), as Keras' "Connected to".
    static func sourceNames(_ model: Model, layer i: Int) -> [String] {
        model.layerInputs[i].map { source in
            switch source {
            case let .input(k): return model.inputs[k].name
            case let .layer(j): return model.layers[j].name
            }
        }
    }

    static func lossName(_ model: Model) -> String {
        let l = model.loss.spec
        return "\(l.kind)" + (l.fromLogits ? " (from logits)" : "") + (model.fusesFinalActivation ? " (fused with the final activation)" : "")
    }

    static func activationName(_ a: Activation) -> String {
        switch a {
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        case let .elementwise(f): return "\(f)"
        }
    }
}
