import GradCheckNN

extension RunLogEvent {
    /// The event names this reader knows.
    static let knownNames = ["run_start", "step", "epoch", "alert", "run_end"]

    /// Decodes one parsed line.
    ///
    /// - Returns: `nil` for an event kind this reader does not know (the caller skips it).
    /// - Throws: ``RunLogError`` naming the line and the JSON path of a missing required
    ///   member or a member of the wrong type.
    static func decode(_ value: JSONValue, file: String?, line: Int) throws(RunLogError) -> RunLogEvent? {
        let f = try LogFields(value, path: "", file: file, line: line)
        let name = try f.requiredString("event")
        switch name {
        case "run_start": return .runStart(try RunStart(f))
        case "step": return .step(try RunStep(f))
        case "epoch": return .epoch(try RunEpoch(f))
        case "alert": return try HealthAlert(f).map(RunLogEvent.alert)
        case "run_end":
            guard let status = try f.choice("status", RunStatus.self) else {
                throw f.error(nil, "missing required key \"status\"")
            }
            return .runEnd(RunEnd(status: status, step: try f.count("step")))
        default: return nil
        }
    }
}

extension RunStart {
    init(_ f: LogFields) throws(RunLogError) {
        if let format = try f.string("format"), format != RunStart.format {
            throw f.error("format", "expected \"\(RunStart.format)\", got \"\(format)\"")
        }
        var parameters: [RunParameter] = []
        for p in try f.objects("parameters") {
            let name = try p.requiredString("name")
            let layer = try p.string("layer") ?? RunParameter.layer(ofName: name)
            parameters.append(RunParameter(name: name, layer: layer, shape: try p.integers("shape")))
        }
        var layers: [RunLayer] = []
        for l in try f.objects("layers") {
            let name = try l.requiredString("name")
            let kind: ActivationKind
            switch try l.string("activation") ?? "other" {
            case "relu_family": kind = .reluFamily
            case "saturating":
                guard let bounds = try l.array("bounds"), bounds.count == 2,
                      let lower = bounds[0].doubleValue, let upper = bounds[1].doubleValue,
                      lower.isFinite, upper.isFinite, lower < upper else {
                    throw l.error("bounds", "expected [lower, upper] with lower < upper for a saturating activation")
                }
                kind = .saturating(lower: lower, upper: upper)
            case "sigmoid": kind = .sigmoid
            case "hard_sigmoid": kind = .hardSigmoid
            case "tanh": kind = .tanh
            case "softsign": kind = .softsign
            case "attention": kind = .attention(causal: try l.bool("causal") ?? false)
            case "other": kind = .other
            case let other:
                let names = ["relu_family", "sigmoid", "tanh", "hard_sigmoid", "softsign", "saturating", "attention",
                             "other"]
                throw l.error("activation", "expected one of \(names.map { "\"\($0)\"" }.joined(separator: ", ")), "
                              + "got \"\(other)\"" + DidYouMean.hint(for: other, among: names))
            }
            layers.append(RunLayer(name: name, activation: kind, units: try l.count("units")))
        }
        self.init(model: try f.string("model"), parameters: parameters, layers: layers)
    }
}

extension RunStep {
    init(_ f: LogFields) throws(RunLogError) {
        let step = try f.requiredCount("step")
        let loss = try f.requiredNumber("loss")
        var parameters: [ParameterStats] = []
        for (name, p) in try f.namedObjects("params") {
            parameters.append(ParameterStats(name: name, gradNorm: try p.requiredNumber("grad_norm"),
                                             gradMax: try p.number("grad_max"), weightNorm: try p.number("weight_norm"),
                                             updateNorm: try p.number("update_norm"),
                                             gradZeroFraction: try p.fraction("grad_zero_fraction")))
        }
        var layers: [LayerStats] = []
        for (name, l) in try f.namedObjects("layers") {
            layers.append(LayerStats(name: name, mean: try l.number("mean"), std: try l.number("std"),
                                     deadFraction: try l.number("dead_fraction"),
                                     saturatedFraction: try l.number("saturated_fraction"),
                                     attentionEntropy: try l.number("attention_entropy")))
        }
        var nonfinite: [NonfiniteOrigin] = []
        for n in try f.objects("nonfinite") {
            nonfinite.append(NonfiniteOrigin(pass: try n.choice("pass", NonfiniteOrigin.Pass.self) ?? .forward,
                                             layer: try n.string("layer"), op: try n.string("op"),
                                             parameter: try n.string("parameter"), value: try n.number("value")))
        }
        self.init(step: step, epoch: try f.count("epoch"), loss: loss, gradNorm: try f.number("grad_norm"),
                  clippedGradNorm: try f.number("clipped_grad_norm"), learningRate: try f.number("learning_rate"),
                  parameters: parameters, layers: layers, nonfinite: nonfinite)
    }
}

extension RunEpoch {
    init(_ f: LogFields) throws(RunLogError) {
        self.init(epoch: try f.requiredCount("epoch"), step: try f.count("step"), loss: try f.number("loss"),
                  valLoss: try f.number("val_loss"), accuracy: try f.number("accuracy"),
                  valAccuracy: try f.number("val_accuracy"))
    }
}

extension HealthAlert {
    /// `nil` when the kind is one this reader does not know (a newer writer's).
    init?(_ f: LogFields) throws(RunLogError) {
        let kindName = try f.requiredString("kind")
        let severity = try f.choice("severity", Severity.self) ?? .warning
        let step = try f.requiredCount("step")
        let layer = try f.string("layer")
        let parameter = try f.string("parameter")
        let message = try f.string("message") ?? ""
        guard let kind = FindingKind(rawValue: kindName) else { return nil }
        self.init(kind: kind, severity: severity, step: step, layer: layer, parameter: parameter, message: message)
    }
}
