import GradCheckNN
import GradCheckTensor

/// An optimiser: it turns one step's (clipped) gradients into a parameter update, keeping
/// its own state (moments, accumulators) between steps.
///
/// The conformances reproduce Keras 3's `update_step` of each optimiser, formula for
/// formula and in the same order of operations, in the parameter's own precision
/// (`Float` or `Double`), as Keras does in the variable's dtype:
/// ``SGD``, ``RMSprop``, ``Adagrad``, ``Adam`` and ``AdamW``. Build one from a spec with
/// ``makeOptimizer(_:as:)``.
///
/// Keras' `clipnorm`, `clipvalue` and `global_clipnorm` are *not* applied here: the
/// trainer maps them to a clipping policy (``OptimizerSpec/kerasClipping``) that runs
/// before ``apply(gradients:to:updates:)``, which is where Keras applies them too
/// (`_clip_gradients`, then `_apply_weight_decay`, then `update_step`).
public protocol Optimizer<Scalar> {
    /// The element type of the parameters.
    associatedtype Scalar: TensorScalar
    /// The configuration, with Keras names and defaults.
    var spec: OptimizerSpec { get }
    /// The step size used by the next step (may be changed between steps).
    var learningRate: Double { get set }
    /// How many steps have been applied (Keras' `iterations`).
    var iterations: Int { get }

    /// Applies one step: `parameters[i]` moves against `gradients[i]`.
    ///
    /// - Parameters:
    ///   - gradients: one gradient per parameter, of its shape.
    ///   - parameters: the trainable parameters, updated in place.
    ///   - updates: when not `nil`, receives each parameter's change (new − old), reusing
    ///     its buffers when their shapes fit.
    /// - Precondition: the same number and shapes of tensors on every call.
    /// - Complexity: O(total elements), no allocation after the first step.
    mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                        updates: inout [Tensor<Scalar>]?)

    /// Forgets the state (moments, accumulators, iteration count).
    mutating func reset()
}

extension Optimizer {
    /// Applies one step without recording the updates.
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>]) {
        var none: [Tensor<Scalar>]? = nil
        apply(gradients: gradients, to: &parameters, updates: &none)
    }
}

/// The optimiser a spec describes, in `Scalar` precision.
///
/// Every key of the spec is honoured (`momentum`, `nesterov`, `rho`, `epsilon`,
/// `beta_1`, `beta_2`, `amsgrad`, `weight_decay`, `initial_accumulator_value`); the
/// Keras clipping keys are for the trainer (see ``Optimizer``).
public func makeOptimizer<S: TensorScalar>(_ spec: OptimizerSpec, as _: S.Type = S.self) -> any Optimizer<S> {
    switch spec.kind {
    case .sgd: return SGD<S>(spec)
    case .rmsprop: return RMSprop<S>(spec)
    case .adagrad: return Adagrad<S>(spec)
    case .adam: return Adam<S>(spec)
    case .adamw: return AdamW<S>(spec)
    }
}

/// Per-parameter state buffers of an optimiser: one flat array per parameter.
@usableFromInline
struct OptimizerSlots<S: TensorScalar>: Sendable {
    @usableFromInline var buffers: [[S]] = []

    @usableFromInline init() {}

    /// Makes one buffer per parameter, filled with `value`, unless they already fit.
    @inlinable
    mutating func ensure(_ parameters: [Tensor<S>], filledWith value: S = 0) {
        if buffers.count == parameters.count && zip(buffers, parameters).allSatisfy({ $0.count == $1.count }) { return }
        buffers = parameters.map { [S](repeating: value, count: $0.count) }
    }
}

/// Makes `updates` hold one tensor per parameter of its shape (reusing fitting buffers).
@usableFromInline
func ensureUpdateBuffers<S: TensorScalar>(_ updates: inout [Tensor<S>]?, like parameters: [Tensor<S>]) {
    guard var u = updates else { return }
    if u.count != parameters.count || !zip(u, parameters).allSatisfy({ $0.shape == $1.shape }) {
        u = parameters.map { Tensor<S>.zeros($0.shape) }
    }
    updates = u
}

/// Runs `body` with raw pointers to parameter `i`, its gradient and (if recorded) its
/// update buffer.
@inlinable
func withStepPointers<S: TensorScalar>(
    _ i: Int, _ parameters: inout [Tensor<S>], _ gradients: [Tensor<S>], _ updates: inout [Tensor<S>]?,
    _ body: (UnsafeMutablePointer<S>, UnsafePointer<S>, UnsafeMutablePointer<S>?, Int) -> Void
) {
    precondition(gradients[i].count == parameters[i].count,
                 "Optimizer: gradient \(i) has shape \(gradients[i].shape), parameter \(parameters[i].shape)")
    let n = parameters[i].count
    gradients[i].scalars.withUnsafeBufferPointer { g in
        parameters[i].scalars.withUnsafeMutableBufferPointer { w in
            if updates != nil {
                updates![i].scalars.withUnsafeMutableBufferPointer { u in
                    body(w.baseAddress!, g.baseAddress!, u.baseAddress!, n)
                }
            } else {
                body(w.baseAddress!, g.baseAddress!, nil, n)
            }
        }
    }
}
