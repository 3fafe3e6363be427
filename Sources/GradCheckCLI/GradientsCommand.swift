import GradCheck

/// `gradcheck gradients SPEC`: the analytic loss and gradients as `gradcheck.gradients/1`.
enum GradientsCommand {
    static let flags: [Arguments.Flag] = ModelSession.flags + [
        .init(name: "output", valueName: "FILE", help: "write the file here (whole, via a temporary file) instead of standard output"),
    ]

    static var help: String {
        helpText(usage: "gradients SPEC [--weights FILE] [--batch FILE] [options]", description: """
        Prints the loss (regularisation included) and its gradient with respect to every trainable
        parameter and the inputs, as a gradcheck.gradients/1 file (FORMATS.md §2), in training mode:
        dropout is active with the mask of --seed. The inputs' gradient is left out when the first
        layer is an embedding.
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
        let session = try ModelSession(args, specPath: spec)
        let file = try gradients(session)
        if let path = args.string("output") {
            try file.write(to: path)
            console.err("wrote \(path)")
        } else {
            console.out(JSONWriter.pretty.fileContents(for: file.jsonValue()))
        }
        return 0
    }
}
