import GradCheck

/// `gradcheck gradients SPEC`: the analytic loss and gradients as `gradcheck.gradients/1`
/// (the default, `--format json`), or a table of their norms (`text`, `markdown`).
enum GradientsCommand {
    static let formats: [OutputFormat] = [.json, .text, .markdown]

    static let flags: [Arguments.Flag] = ModelSession.flags + OutputOptions.flags(formats, default: .json)

    static var help: String {
        helpText(usage: "gradients SPEC [--weights FILE] [--batch FILE] [--format json|text|markdown] [--output FILE]", description: """
        Prints the loss (regularisation included) and its gradient with respect to every trainable
        parameter and the inputs, as a gradcheck.gradients/1 file (docs/FORMATS.md §2), in training mode:
        dropout is active with the mask of --seed. The inputs' gradient is left out when the first
        layer is an embedding. --format text or markdown prints each gradient's shape, norm and
        largest magnitude instead; --output FILE writes the file whole (a temporary file, then renamed).

        Exit status: 0 success, 2 bad input.
        """, flags: flags)
    }

    /// The loss and gradients of a session, as a file value.
    static func gradients(_ session: ModelSession) throws -> GradientsFile {
        let tensors = try session.model.orderedTensors(session.parameters)
        let g = session.model.lossAndGradients(parameters: tensors, inputs: session.inputs, targets: session.targets,
                                               context: ForwardContext(training: true, seed: session.seed))
        // Token ids (integer inputs) have no gradient: they are left out, and so is `inputs`
        // when no input is float; several inputs are keyed by name.
        return GradientsFile(loss: g.loss, parameters: g.parameters.namedTensors,
                             namedInputs: session.model.inputGradients(g.inputs))
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let spec = try args.requirePositionals(["spec"])[0]
        let output = try OutputOptions(args, formats: formats, default: .json)
        console.apply(output)
        let session = try ModelSession(args, specPath: spec)
        let file = try gradients(session)
        let text: String
        switch output.format {
        case .text, .markdown: text = summary(file, model: session.model.name, batch: session.batchDescription,
                                              markdown: output.format == .markdown)
        default: text = JSONWriter.pretty.fileContents(for: file.jsonValue())
        }
        try console.emit(text, output)
        return 0
    }

    /// Each gradient's shape, L2 norm and largest magnitude.
    static func summary(_ file: GradientsFile, model: String, batch: String, markdown: Bool) -> String {
        var named = file.parameters.map { ($0.name, $0.tensor) }
        if let inputs = file.inputs { named.append(("inputs", inputs)) }
        let rows = named.map { name, t -> [String] in
            let scalars = t.scalars
            // Scaled before squaring so that large gradients do not overflow.
            let largest = scalars.reduce(0.0) { Swift.max($0, Swift.abs($1)) }
            let norm = largest == 0 || !largest.isFinite ? largest
                : largest * scalars.reduce(0.0) { $0 + ($1 / largest) * ($1 / largest) }.squareRoot()
            return [name, "\(t.shape)", sci(norm), sci(largest)]
        }
        let header = ["tensor", "shape", "gradient norm", "max |gradient|"]
        if markdown {
            return "## gradcheck gradients: `\(model)`\n\nLoss \(short(file.loss)) on \(batch).\n\n" + markdownTable(header, rows)
        }
        return "gradcheck gradients \(model): loss \(short(file.loss)) on \(batch)\n\n" + table(header, rows, rightAligned: [2, 3])
    }
}
