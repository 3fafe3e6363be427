import GradCheckTensor

/// A reverse-mode automatic differentiation tape.
///
/// Every operation on ``Variable``s appends its result to the tape, and, when the tape
/// records and some input needs a gradient, a *pullback*: the closure that maps the
/// gradient of the result to the gradients of the inputs (the op's vector–Jacobian
/// product). ``gradients(of:withRespectTo:)`` walks the tape once, newest entry first.
///
/// A tape that does not record (`Tape(recording: false)`) runs the same forward code
/// without keeping pullbacks; the verifier uses it for its many perturbed forward passes,
/// so forward values come from one mechanism only.
///
/// A tape is not thread-safe: use one per thread.
public final class Tape<Scalar: TensorScalar> {
    /// Whether pullbacks are kept for a later backward pass.
    public let isRecording: Bool

    @usableFromInline var values: [Tensor<Scalar>] = []
    @usableFromInline var needsGradient: [Bool] = []
    @usableFromInline var pullbacks: [Pullback?] = []

    /// A recorded pullback: the tape indices of the op's inputs, and the VJP.
    @usableFromInline
    struct Pullback {
        @usableFromInline let inputs: [Int]
        @usableFromInline let vjp: (Tensor<Scalar>) -> [Tensor<Scalar>?]
        @inlinable init(inputs: [Int], vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]) {
            self.inputs = inputs
            self.vjp = vjp
        }
    }

    /// Creates an empty tape.
    ///
    /// - Parameter recording: `false` for forward-only evaluation (no pullbacks kept).
    public init(recording: Bool = true) {
        isRecording = recording
        values.reserveCapacity(64)
        needsGradient.reserveCapacity(64)
        pullbacks.reserveCapacity(64)
    }

    /// The number of entries on the tape.
    public var count: Int { values.count }

    /// Puts a tensor on the tape that gradients flow to (a parameter or an input).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func variable(_ value: Tensor<Scalar>) -> Variable<Scalar> {
        append(value, needsGradient: isRecording, pullback: nil)
    }

    /// Puts a tensor on the tape that no gradient flows to (targets, masks).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func constant(_ value: Tensor<Scalar>) -> Variable<Scalar> {
        append(value, needsGradient: false, pullback: nil)
    }

    /// The value of a variable on this tape.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func value(_ v: Variable<Scalar>) -> Tensor<Scalar> { values[v.index] }

    /// Records the result of an op.
    ///
    /// This is the one way ops enter the tape; custom ops call it through
    /// ``custom(_:value:vjp:)``. The pullback is kept only when the tape records and an
    /// input needs a gradient; it receives the gradient of the result and returns one
    /// gradient per input (or `nil` for an input that gets none), each of its input's shape.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func record(
        _ value: Tensor<Scalar>, inputs: [Variable<Scalar>],
        vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]
    ) -> Variable<Scalar> {
        var needs = false
        if isRecording {
            for input in inputs where needsGradient[input.index] { needs = true; break }
        }
        return append(value, needsGradient: needs,
                      pullback: needs ? Pullback(inputs: inputs.map(\.index), vjp: vjp) : nil)
    }

    /// Whether gradient flows to `v` (so an op may skip computing a VJP term for it).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func needsGradient(_ v: Variable<Scalar>) -> Bool { needsGradient[v.index] }

    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func append(_ value: Tensor<Scalar>, needsGradient needs: Bool, pullback: Pullback?) -> Variable<Scalar> {
        values.append(value)
        needsGradient.append(needs)
        pullbacks.append(pullback)
        return Variable(index: values.count - 1)
    }

    /// The gradients of a scalar `output` with respect to `variables`.
    ///
    /// A variable that `output` does not depend on gets zeros of its shape.
    ///
    /// - Precondition: the tape records and `output` has exactly one element.
    /// - Complexity: one VJP per recorded op between the variables and `output`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func gradients(of output: Variable<Scalar>, withRespectTo variables: [Variable<Scalar>]) -> [Tensor<Scalar>] {
        precondition(values[output.index].count == 1, "gradients(of:): the output must be a scalar")
        let seed = Tensor<Scalar>(repeating: 1, shape: values[output.index].shape)
        return gradients(of: output, seed: seed, withRespectTo: variables)
    }

    /// The vector–Jacobian product `seedᵀ · ∂output/∂variable` for each variable.
    ///
    /// - Precondition: `seed` has `output`'s shape.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func gradients(
        of output: Variable<Scalar>, seed: Tensor<Scalar>, withRespectTo variables: [Variable<Scalar>]
    ) -> [Tensor<Scalar>] {
        precondition(isRecording, "gradients(of:): the tape does not record")
        precondition(seed.count == values[output.index].count, "gradients(of:): seed shape \(seed.shape) does not match \(values[output.index].shape)")
        var grads = [Tensor<Scalar>?](repeating: nil, count: output.index + 1)
        grads[output.index] = seed
        // Only entries at or above the lowest requested variable can contribute.
        let lowest = variables.map(\.index).min() ?? 0
        let requested = Set(variables.map(\.index))
        var i = output.index
        while i >= lowest {
            if let g = grads[i], let pullback = pullbacks[i] {
                let inputGrads = pullback.vjp(g)
                for (slot, input) in pullback.inputs.enumerated() where needsGradient[input] {
                    guard slot < inputGrads.count, let ig = inputGrads[slot] else { continue }
                    if grads[input] == nil {
                        grads[input] = ig
                    } else {
                        grads[input]!.add(ig)
                    }
                }
                // Free memory early, but keep what the caller asked for (an intermediate).
                if i != output.index && !requested.contains(i) { grads[i] = nil }
            }
            i -= 1
        }
        return variables.map { v in
            (v.index < grads.count ? grads[v.index] : nil) ?? Tensor.zeros(values[v.index].shape)
        }
    }

    /// Records a user-defined op: its forward `value` and its VJP.
    ///
    /// This is how a custom layer or op enters the tape; the verifier then checks `vjp`
    /// against numerical differences of the code that computed `value`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func custom(
        _ inputs: [Variable<Scalar>], value: Tensor<Scalar>,
        vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]
    ) -> Variable<Scalar> {
        record(value, inputs: inputs, vjp: vjp)
    }
}

/// A handle to a value on a ``Tape``.
///
/// A variable is only meaningful on the tape that made it.
public struct Variable<Scalar: TensorScalar>: Sendable, Hashable {
    /// The position of the value on its tape.
    public let index: Int
    @inlinable init(index: Int) { self.index = index }
}
