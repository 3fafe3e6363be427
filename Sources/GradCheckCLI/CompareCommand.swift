import GradCheck

/// `gradcheck compare SPEC --reference REF`: our gradients against another framework's.
enum CompareCommand {
    static let flags: [Arguments.Flag] = ModelSession.flags + [
        .init(name: "reference", valueName: "FILE", help: "the reference gradcheck.gradients/1 file (required)"),
        .init(name: "atol", valueName: "A", help: "absolute tolerance (default: 1e-12)"),
        .init(name: "rtol", valueName: "R", help: "relative tolerance (default: 1e-9); an element matches when |ours - reference| <= atol + rtol * max(|ours|, |reference|)"),
        OutputFormat.flag,
    ]

    static var help: String {
        helpText(usage: "compare SPEC --weights FILE --batch FILE --reference FILE [options]", description: """
        Computes the loss and gradients as `gradcheck gradients` does and compares them, parameter by
        parameter and element by element, with a reference file written by another framework (PyTorch,
        Keras, JAX) for the same weights and batch. Both sides in float64 should agree to about 1e-12;
        the default tolerance, 1e-9 relative, leaves room for a different order of summation.

        Exit status: 0 when everything matches, 1 on a mismatch, 2 on bad input (a reference naming a
        parameter the model does not have, or of the wrong shape).
        """, flags: flags)
    }

    struct Row {
        var name: String
        var shape: [Int]
        var maxAbs: Double
        var maxRel: Double
        var worst: [Int]?
        var ours: Double
        var reference: Double
        var matches: Bool
        var note: String?
    }

    static func run(_ argv: [String], console: Console) throws -> Int32 {
        let args = try Arguments(argv, flags: flags)
        let spec = try args.requirePositionals(["spec"])[0]
        let format = try OutputFormat.from(args)
        guard let refPath = args.string("reference") else { throw CLIError("missing --reference FILE") }
        let rtol = try args.double("rtol") ?? 1e-9
        let atol = try args.double("atol") ?? 1e-12
        guard rtol >= 0, atol >= 0 else { throw CLIError("--atol and --rtol must be non-negative") }
        let session = try ModelSession(args, specPath: spec)
        let reference = try GradientsFile.load(path: refPath)
        let ours = try GradientsCommand.gradients(session)
        let oursByName = ParameterSet(ours.parameters)
        let refByName = ParameterSet(reference.parameters)
        for name in refByName.names where oursByName[name] == nil {
            throw ModelError(file: refPath, path: "parameters[\"\(name)\"]",
                "the model has no trainable parameter of that name (it has \(oursByName.names.joined(separator: ", ")))")
        }
        var rows: [Row] = []
        func compare(_ name: String, _ a: Tensor<Double>, _ r: Tensor<Double>?, path: String) throws {
            guard let r else {
                rows.append(Row(name: name, shape: a.shape, maxAbs: .nan, maxRel: .nan, worst: nil, ours: .nan,
                                reference: .nan, matches: false, note: "missing from the reference"))
                return
            }
            guard r.shape == a.shape else {
                throw ModelError(file: refPath, path: path, "expected shape \(a.shape), got \(r.shape)")
            }
            var row = Row(name: name, shape: a.shape, maxAbs: 0, maxRel: 0, worst: nil, ours: 0, reference: 0, matches: true)
            var worstRatio = -1.0
            for i in 0..<a.count {
                let x = a.scalars[i], y = r.scalars[i]
                let err = Swift.abs(x - y)
                let scale = Swift.max(Swift.abs(x), Swift.abs(y))
                let allowed = atol + rtol * scale
                let rel = scale == 0 ? (err == 0 ? 0 : Double.infinity) : err / scale
                let bothNaN = x.isNaN && y.isNaN
                let bothSameInf = x.isInfinite && x == y
                let ok = bothNaN || bothSameInf || err <= allowed
                if !ok { row.matches = false }
                if !bothNaN && !bothSameInf {
                    row.maxAbs = Swift.max(row.maxAbs, err.isNaN ? .infinity : err)
                    if err > atol { row.maxRel = Swift.max(row.maxRel, rel.isNaN ? .infinity : rel) }
                }
                // How far outside (or inside) the tolerance: the worst element is the one
                // furthest outside, not the first that fails. A one-sided NaN/inf is worst.
                let scaled = err / Swift.max(allowed, .leastNormalMagnitude)
                let ratio = bothNaN || bothSameInf ? 0 : (scaled.isNaN ? .infinity : scaled)
                if ratio > worstRatio {
                    worstRatio = ratio
                    row.worst = Tensor<Double>.index(ofFlat: i, shape: a.shape)
                    row.ours = x
                    row.reference = y
                }
            }
            rows.append(row)
        }
        try compare("loss", Tensor(scalar: ours.loss), Tensor(scalar: reference.loss), path: "loss")
        for (name, tensor) in oursByName.pairs {
            try compare(name, tensor, refByName[name], path: "parameters[\"\(name)\"]")
        }
        if let oursInputs = ours.namedInputs {
            if let refInputs = reference.namedInputs {
                switch oursInputs {
                case let .single(t):
                    guard case let .single(r) = refInputs else {
                        throw ModelError(file: refPath, path: "inputs", "expected one tensor (the model has one input), got an object")
                    }
                    try compare("inputs", t, r, path: "inputs")
                case let .named(list):
                    for named in list {
                        let path = "inputs[\"\(named.name)\"]"
                        guard let r = refInputs[named.name] else {
                            throw ModelError(file: refPath, path: "inputs", "missing the gradient of input \"\(named.name)\"")
                        }
                        try compare(path, named.tensor, r, path: path)
                    }
                }
            } else {
                console.err("note: the reference has no input gradient; inputs not compared")
            }
        }
        let matched = rows.allSatisfy(\.matches)
        let header = ["tensor", "shape", "max abs diff", "max rel diff", "worst index", "ours", "reference", "status"]
        let tableRows = rows.map { r in
            [r.name, "\(r.shape)", sci(r.maxAbs), sci(r.maxRel), r.worst.map { "\($0)" } ?? "-",
             short(r.ours), short(r.reference), r.note ?? (r.matches ? "match" : "MISMATCH")]
        }
        let summary = (matched ? "MATCH" : "MISMATCH") + ": \(rows.filter(\.matches).count) of \(rows.count) tensors within atol \(sci(atol)), rtol \(sci(rtol)) of \(refPath)"
        switch format {
        case .text:
            console.out("gradcheck compare \(session.model.name) against \(refPath)\n\n" + table(header, tableRows, rightAligned: [2, 3]) + "\n\(summary)\n")
        case .markdown:
            console.out("## gradcheck compare: `\(session.model.name)`\n\n" + markdownTable(header, tableRows) + "\n**\(summary)**\n")
        case .json:
            let value: JSONValue = .object([
                "format": "gradcheck.compare/1", "matched": .bool(matched), "reference": .string(refPath),
                "atol": .number(atol), "rtol": .number(rtol),
                "tensors": .array(rows.map { r in
                    var o: JSONObject = ["name": .string(r.name), "shape": .integers(r.shape),
                                         "max_abs_diff": .number(r.maxAbs), "max_rel_diff": .number(r.maxRel),
                                         "status": .string(r.matches ? "match" : "mismatch")]
                    if let w = r.worst { o["index"] = .integers(w); o["ours"] = .number(r.ours); o["reference"] = .number(r.reference) }
                    if let n = r.note { o["note"] = .string(n) }
                    return .object(o)
                }),
            ])
            console.out(JSONWriter.pretty.fileContents(for: value))
        }
        return matched ? 0 : 1
    }
}
