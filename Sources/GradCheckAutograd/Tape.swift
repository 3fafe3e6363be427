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

    /// A recorded pullback: the tape indices of the op's inputs, the VJP, and the JVP
    /// (forward mode) when the op has one, with the name of the function that recorded it.
    @usableFromInline
    struct Pullback {
        @usableFromInline let inputs: [Int]
        @usableFromInline let vjp: (Tensor<Scalar>) -> [Tensor<Scalar>?]
        @usableFromInline let jvp: (([Tensor<Scalar>?]) -> Tensor<Scalar>)?
        @usableFromInline let op: StaticString
        @inlinable init(inputs: [Int], vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?],
                        jvp: (([Tensor<Scalar>?]) -> Tensor<Scalar>)? = nil, op: StaticString = "op") {
            self.inputs = inputs
            self.vjp = vjp
            self.jvp = jvp
            self.op = op
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
    /// ``custom(_:value:vjp:jvp:op:)``. The pullback is kept only when the tape records and an
    /// input needs a gradient; it receives the gradient of the result and returns one
    /// gradient per input (or `nil` for an input that gets none), each of its input's shape.
    ///
    /// `jvp`, the op's forward mode (Jacobian–vector product), maps one tangent per input
    /// (`nil` for a zero tangent; at least one is not `nil`) to the tangent of the result,
    /// of the result's shape. It is kept beside the pullback; an op without one (`nil`)
    /// makes ``tangent(of:seeds:)`` throw ``MissingJVP`` naming `op` (by default the
    /// function that called `record`).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func record(
        _ value: Tensor<Scalar>, inputs: [Variable<Scalar>],
        vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?],
        jvp: (([Tensor<Scalar>?]) -> Tensor<Scalar>)? = nil,
        op: StaticString = #function
    ) -> Variable<Scalar> {
        var needs = false
        if isRecording {
            for input in inputs where needsGradient[input.index] { needs = true; break }
        }
        return append(value, needsGradient: needs,
                      pullback: needs ? Pullback(inputs: inputs.map(\.index), vjp: vjp, jvp: jvp, op: op) : nil)
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
        let lowest = variables.lazy.map { $0.index }.min() ?? 0
        let requested = Set(variables.lazy.map { $0.index })
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

    /// Records a user-defined op: its forward `value`, its VJP, and optionally its JVP.
    ///
    /// This is how a custom layer or op enters the tape; the verifier then checks `vjp`
    /// against numerical differences of the code that computed `value`, and, in the
    /// dot-product test, against `jvp`. Without a `jvp` (the default) the op has no forward
    /// mode and the dot-product test reports it (as `op`, by default the calling function).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func custom(
        _ inputs: [Variable<Scalar>], value: Tensor<Scalar>,
        vjp: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?],
        jvp: (([Tensor<Scalar>?]) -> Tensor<Scalar>)? = nil,
        op: StaticString = #function
    ) -> Variable<Scalar> {
        record(value, inputs: inputs, vjp: vjp, jvp: jvp, op: op)
    }

    /// Forward mode: the Jacobian–vector product `J · t`, the tangent of `output` when each
    /// seeded variable moves along its tangent (every other variable stays fixed).
    ///
    /// One sweep over the tape, oldest entry first, from the lowest seeded variable to
    /// `output`: each recorded op that some input tangent reaches maps its input tangents
    /// to its output's tangent with its JVP. `output` gets zeros when no seed reaches it.
    /// An op without a JVP matters only when `output` depends on it.
    ///
    /// - Parameter seeds: variables (of this tape, needing a gradient) and their tangents,
    ///   each of its variable's shape.
    /// - Throws: ``MissingJVP`` for the first op (oldest on the tape) without a JVP that
    ///   lies between a seed and `output`.
    /// - Precondition: the tape records.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func tangent(
        of output: Variable<Scalar>, seeds: [(Variable<Scalar>, Tensor<Scalar>)]
    ) throws(MissingJVP) -> Tensor<Scalar> {
        precondition(isRecording, "tangent(of:): the tape does not record")
        var tangents = [Tensor<Scalar>?](repeating: nil, count: output.index + 1)
        var seeded = Set<Int>()
        for (v, t) in seeds where v.index <= output.index {
            precondition(t.count == values[v.index].count, "tangent(of:): seed shape \(t.shape) does not match \(values[v.index].shape)")
            tangents[v.index] = t
            seeded.insert(v.index)
        }
        guard let lowest = seeded.min() else { return Tensor.zeros(values[output.index].shape) }
        // An op without a JVP blocks the entries downstream of it (the tape index of the
        // first such op upstream, -1 for none); only a blocked output is an error.
        var blocked = [Int](repeating: -1, count: output.index + 1)
        var i = lowest + 1
        while i <= output.index {
            defer { i += 1 }
            guard !seeded.contains(i), let pullback = pullbacks[i] else { continue }
            var inputTangents: [Tensor<Scalar>?] = []
            inputTangents.reserveCapacity(pullback.inputs.count)
            var any = false
            var origin = -1
            for input in pullback.inputs {
                let t = tangents[input]
                if t != nil { any = true }
                if blocked[input] >= 0 { origin = origin < 0 ? blocked[input] : Swift.min(origin, blocked[input]) }
                inputTangents.append(t)
            }
            if origin >= 0 { blocked[i] = origin; continue }
            guard any else { continue }
            guard let jvp = pullback.jvp else { blocked[i] = i; continue }
            tangents[i] = jvp(inputTangents)
        }
        if blocked[output.index] >= 0 {
            let op = pullbacks[blocked[output.index]]!.op
            throw MissingJVP(index: blocked[output.index], op: "\(op)")
        }
        return tangents[output.index] ?? Tensor.zeros(values[output.index].shape)
    }

    /// `Σ terms`, the tangents of an op's terms that are not `nil` (zeros of `shape` when all are).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func sumTangents(_ terms: [Tensor<Scalar>?], shape: [Int]) -> Tensor<Scalar> {
        var out: Tensor<Scalar>?
        for case let t? in terms {
            if out == nil { out = t } else { out!.add(t) }
        }
        return out.map { $0.reshaped(unchecked: shape) } ?? Tensor.zeros(shape)
    }
}

/// A forward-mode sweep reached an op that has no JVP.
public struct MissingJVP: Error, Sendable, Equatable, CustomStringConvertible {
    /// The op's position on the tape.
    public let index: Int
    /// The function that recorded the op (`custom(_:value:vjp:jvp:op:)`'s `op`).
    public let op: String

    /// An error for the op at `index`.
    public init(index: Int, op: String) {
        self.index = index
        self.op = op
    }

    public var description: String {
        "tape entry \(index) (recorded by \(op)) has no JVP (forward mode)"
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
