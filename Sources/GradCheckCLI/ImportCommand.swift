import GradCheck

/// `gradcheck import keras MODEL`: a Keras 3 model (`to_json()`, `config.json` or a
/// `.keras` archive) as a `gradcheck.model/1` spec.
enum ImportCommand {
    static let flags: [Arguments.Flag] = [
        .init(name: "loss", valueName: "LOSS", help: "the loss: a Keras name (mse, sparse_categorical_crossentropy, ...) or "
            + "the spec's loss as JSON ('{\"type\": \"categorical_crossentropy\", \"from_logits\": true}'); "
            + "overrides the model's compile_config"),
    ] + OutputOptions.flags([.json], default: .json)

    static var help: String {
        helpText(usage: "import keras MODEL [--loss LOSS] [--output FILE]", description: """
        Translates a Keras 3 model into a gradcheck.model/1 spec: the JSON of model.to_json(), the
        config.json of a .keras archive, or the .keras archive itself. Sequential and functional
        models are translated layer by layer with their Keras names (so parameters are named as
        Keras names its weights: dense/kernel, mha/query/kernel), the functional wiring as layer
        inputs, and call arguments such as use_causal_mask. A layer, argument or call the format
        cannot express is an error naming its JSON path in the Keras file; nothing is dropped
        unless it equals what the format means anyway (seeds, implementation choices).

        to_json() carries no loss unless the model was compiled: give --loss, or add "loss" to the
        spec before `gradcheck check` or `compare`. A compiled model's optimizer becomes
        training.optimizer.

        Exit status: 0 translated, 2 bad input or something that cannot be translated.
        """, flags: flags)
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let positionals = try args.requirePositionals(["framework", "model"])
        guard positionals[0] == "keras" else {
            throw CLIError("cannot import from \"\(positionals[0])\"; the one framework is keras "
                + "(usage: gradcheck import keras MODEL)")
        }
        let path = positionals[1]
        let output = try OutputOptions(args, formats: [.json], default: .json)
        console.apply(output)
        let loss = try args.string("loss").map { text throws(SpecError) in try KerasImporter.loss(argument: text) }
        let result = try KerasImporter(loss: loss).translate(path: path)

        // The decoder of this build must accept what was written; a spec without a loss is
        // checked with a stand-in so that everything else is still validated.
        var probe = result.spec
        if !result.hasLoss, case var .object(o) = probe {
            o["loss"] = "mean_squared_error"
            probe = .object(o)
        }
        let name = result.spec["name"]?.stringValue ?? "model"
        do {
            _ = try Model(spec: ModelSpec.decode(probe, file: args.string("output") ?? "the imported spec"))
        } catch let error as SpecError {
            console.err("warning: this build of gradcheck cannot run the imported spec yet: \(error)")
        } catch {
            console.err("warning: this build of gradcheck cannot run the imported spec yet: \(error)")
        }
        if let target = output.outputPath {
            try result.write(to: target)
            console.note("imported \(name) from \(path): wrote \(target)")
        } else {
            console.out(result.fileContents)
        }
        if !result.hasLoss {
            console.err("note: the spec has no \"loss\" (the Keras model was not compiled): add one, e.g. "
                + "\"loss\": {\"type\": \"sparse_categorical_crossentropy\", \"from_logits\": true}, or import again "
                + "with --loss, before gradcheck check or compare")
        }
        return 0
    }
}
