extension RunLogEvent {
    /// The event as one compact JSON line, without the newline: what
    /// ``RunLogWriter/write(_:)`` writes and ``RunLogReader`` reads back to an equal event.
    public var jsonLine: String {
        var buffer: [UInt8] = []
        var line = encoded(reusing: &buffer)
        line.close()
        return String(decoding: line.bytes, as: UTF8.self)
    }

    /// The event's members in an open object, built in `buffer` (reused).
    func encoded(reusing buffer: inout [UInt8]) -> JSONLine {
        var line = JSONLine(reusing: &buffer)
        line.string("event", name)
        switch self {
        case let .runStart(start): start.encode(into: &line)
        case let .step(step): step.encode(into: &line)
        case let .epoch(epoch): epoch.encode(into: &line)
        case let .alert(alert): alert.encode(into: &line)
        case let .runEnd(end):
            line.string("status", end.status.rawValue)
            line.integer("step", end.step)
        }
        return line
    }
}

extension RunStart {
    func encode(into line: inout JSONLine) {
        line.string("format", RunStart.format)
        line.string("model", model)
        line.objects("parameters", parameters) { o, p in
            o.string("name", p.name)
            o.string("layer", p.layer)
            if let shape = p.shape { o.integers("shape", shape) }
        }
        if !layers.isEmpty {
            line.objects("layers", layers) { o, l in
                o.string("name", l.name)
                o.string("activation", l.activation.logName)
                if case let .saturating(lower, upper) = l.activation { o.numbers("bounds", [lower, upper]) }
                if case .attention(causal: true) = l.activation { o.bool("causal", true) }
                o.integer("units", l.units)
            }
        }
    }
}

extension RunStep {
    func encode(into line: inout JSONLine) {
        line.integer("step", step)
        line.integer("epoch", epoch)
        line.number("loss", loss)
        line.number("grad_norm", gradNorm)
        line.number("clipped_grad_norm", clippedGradNorm)
        line.number("learning_rate", learningRate)
        line.object("params") { params in
            for p in parameters {
                params.object(name: p.name) { o in
                    o.number("grad_norm", p.gradNorm)
                    o.number("grad_max", p.gradMax)
                    o.number("weight_norm", p.weightNorm)
                    o.number("update_norm", p.updateNorm)
                    o.number("grad_zero_fraction", p.gradZeroFraction)
                }
            }
        }
        if !layers.isEmpty {
            line.object("layers") { stats in
                for l in layers {
                    stats.object(name: l.name) { o in
                        o.number("mean", l.mean)
                        o.number("std", l.std)
                        o.number("dead_fraction", l.deadFraction)
                        o.number("saturated_fraction", l.saturatedFraction)
                        o.number("attention_entropy", l.attentionEntropy)
                    }
                }
            }
        }
        if !nonfinite.isEmpty {
            line.objects("nonfinite", nonfinite) { o, n in
                o.string("pass", n.pass.rawValue)
                o.string("layer", n.layer)
                o.string("op", n.op)
                o.string("parameter", n.parameter)
                o.number("value", n.value)
            }
        }
    }
}

extension RunEpoch {
    func encode(into line: inout JSONLine) {
        line.integer("epoch", epoch)
        line.integer("step", step)
        line.number("loss", loss)
        line.number("val_loss", valLoss)
        line.number("accuracy", accuracy)
        line.number("val_accuracy", valAccuracy)
    }
}

extension HealthAlert {
    func encode(into line: inout JSONLine) {
        line.string("kind", kind.rawValue)
        line.string("severity", severity.rawValue)
        line.integer("step", step)
        line.string("layer", layer)
        line.string("parameter", parameter)
        line.string("message", message)
    }
}
