import GradCheckAutograd
import GradCheckTensor

/// A loss of the model format, evaluated per sample (the model averages over the batch).
///
/// Cross-entropy on probabilities whose last activation is `softmax` (categorical) or
/// `sigmoid` (binary) is *fused*: the model hands the loss the logits and the loss uses
/// log-sum-exp or the softplus form. The value is the exact mathematical loss wherever
/// the probabilities are representable, and stays finite where they round to 0 or 1.
/// Unfused cross-entropy on probabilities is exact, without Keras' 1e-7 clipping.
public struct Loss: Sendable, Equatable {
    /// The loss as the spec gives it.
    public let spec: LossSpec

    /// Wraps a spec.
    public init(_ spec: LossSpec) { self.spec = spec }

    /// Whether the loss takes the logits of a model whose last activation is `activation`.
    public func fuses(_ activation: Activation) -> Bool {
        guard !spec.fromLogits else { return false }
        switch (spec.kind, activation) {
        case (.categoricalCrossentropy, .softmax), (.sparseCategoricalCrossentropy, .softmax): return true
        case (.binaryCrossentropy, .elementwise(.sigmoid)): return true
        default: return false
        }
    }

    /// Whether targets are class indices.
    public var takesLabels: Bool {
        if case .sparseCategoricalCrossentropy = spec.kind { return true }
        return false
    }

    /// The per-sample loss of `output` (logits when `fused` or `from_logits`): a `[batch]` variable.
    ///
    /// - Precondition: `targets` fit the output (``Model/targets(from:file:)`` checks them).
    public func perSample<S: TensorScalar>(
        _ output: Variable<S>, _ targets: Targets<S>, fused: Bool, on tape: Tape<S>
    ) -> Variable<S> {
        let logits = fused || spec.fromLogits
        switch (spec.kind, targets) {
        case (.meanSquaredError, .values(let t)): return tape.meanSquaredError(output, t)
        case (.meanAbsoluteError, .values(let t)): return tape.meanAbsoluteError(output, t)
        case (.huber(let delta), .values(let t)): return tape.huber(output, t, delta: S(delta))
        case (.binaryCrossentropy, .values(let t)):
            return logits ? tape.sigmoidCrossEntropy(logits: output, t) : tape.binaryCrossEntropy(probabilities: output, t)
        case (.categoricalCrossentropy, .values(let t)):
            return logits ? tape.softmaxCrossEntropy(logits: output, t) : tape.categoricalCrossEntropy(probabilities: output, t)
        case (.sparseCategoricalCrossentropy, .labels(let l)):
            return logits ? tape.sparseSoftmaxCrossEntropy(logits: output, labels: l)
                : tape.sparseCategoricalCrossEntropy(probabilities: output, labels: l)
        default:
            preconditionFailure("Loss.perSample: targets of the wrong kind for \(spec.kind.typeName)")
        }
    }
}
