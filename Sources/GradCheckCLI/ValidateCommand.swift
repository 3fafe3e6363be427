import GradCheck

/// `gradcheck validate SPEC`: checks a spec and prints the model summary.
enum ValidateCommand {
    static let formats: [OutputFormat] = [.text, .json, .markdown]
    static let flags: [Arguments.Flag] = OutputOptions.flags(formats)

    static var help: String {
        helpText(usage: "validate SPEC [--format text|json|markdown] [--output FILE]", description: """
        Decodes and validates a gradcheck.model/1 spec (docs/FORMATS.md §1), builds the model and prints
        its summary, like Keras' summary(): each layer with its type, output shape and parameter count,
        with Keras names throughout. Unknown keys, wrong types and impossible shapes are errors naming
        the JSON path, with a suggestion for a misspelt name; every problem of the file is listed at
        once (up to 20). --format json prints gradcheck.summary/1.

        Exit status: 0 for a valid spec, 2 otherwise.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let path = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: formats)
        console.apply(output)
        let format = output.format
        let model = try Model(spec: ModelSpec.load(path: path), file: path)
        let rows: [[String]] = model.layers.enumerated().map { i, layer in
            let count = model.parameters[model.parameterRanges[i]].reduce(0) { $0 + $1.count }
            var kind = layer.typeName
            if !layer.outputActivation.isLinear, layer.typeName != "activation" { kind += " (\(layer.outputActivation.formatName))" }
            if layer.typeName == "activation" { kind = "activation (\(layer.outputActivation.formatName))" }
            return [layer.name, kind, "\([nil as Int?] .map { _ in "None" } + layer.outputShape.map(String.init))"
                        .replacingOccurrences(of: "\"", with: ""), "\(count)"]
        }
        let total = model.parameters.reduce(0) { $0 + $1.count }
        let trainable = model.trainableParameters.reduce(0) { $0 + $1.count }
        let header = ["layer", "type", "output shape", "params"]
        var text = ""
        switch format {
        case .text, .html:
            var out = "Model: \"\(model.name)\"   input shape \(model.inputShape), loss \(lossName(model))\n\n"
            out += table(header, rows, rightAligned: [3])
            out += "\nTotal params: \(total)\nTrainable params: \(trainable)\nNon-trainable params: \(total - trainable)\n"
            text = out
        case .markdown:
            text = ("## Model `\(model.name)`\n\n" + markdownTable(header, rows)
                + "\nTotal params: \(total) (trainable \(trainable)); loss \(lossName(model)).\n")
        case .json:
            let value: JSONValue = .object([
                "format": "gradcheck.summary/1", "valid": true, "model": .string(model.name),
                "input_shape": .integers(model.inputShape), "output_shape": .integers(model.outputShape),
                "loss": .string(lossName(model)),
                "layers": .array(model.layers.enumerated().map { i, layer in
                    .object(["name": .string(layer.name), "type": .string(layer.typeName),
                             "output_shape": .integers(layer.outputShape),
                             "parameters": .array(model.parameters[model.parameterRanges[i]].map { p in
                                 .object(["name": .string(p.name), "shape": .integers(p.shape), "trainable": .bool(p.trainable)])
                             })])
                }),
                "total_parameters": .integer(total), "trainable_parameters": .integer(trainable),
            ])
            text = JSONWriter.pretty.fileContents(for: value)
        }
        try console.emit(text, output, summary: "valid")
        return 0
    }

    /// The loss by its Keras name (`sparse_categorical_crossentropy`), with `huber`'s
    /// delta when it is not the default.
    static func lossName(_ model: Model) -> String {
        let l = model.loss.spec
        var name = l.kind.typeName
        if case let .huber(delta) = l.kind, delta != 1 { name += " (delta \(short(delta)))" }
        return name + (l.fromLogits ? " (from logits)" : "") + (model.fusesFinalActivation ? " (fused with the final activation)" : "")
    }
}
