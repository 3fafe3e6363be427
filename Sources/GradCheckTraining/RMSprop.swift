import GradCheckNN
import GradCheckTensor

/// RMSprop: Keras 3's `RMSprop` (`keras/src/optimizers/rmsprop.py`, `update_step`,
/// `centered=False`).
///
/// Defaults: `learning_rate` 0.001, `rho` 0.9, `momentum` 0, `epsilon` 1e-7. With `ρ`,
/// `μ`, `ε` and `g` the gradient (`v` starts at 0):
///
///     v ← ρ·v + (1 − ρ)·g²
///     Δ ← lr·g / √(v + ε)                 (ε inside the square root, as Keras)
///     μ = 0:  w ← w − Δ
///     μ > 0:  p ← μ·p + Δ;  w ← w − p     (p starts at 0)
public struct RMSprop<Scalar: TensorScalar>: Optimizer {
    public let spec: OptimizerSpec
    public var learningRate: Double
    public private(set) var iterations = 0
    @usableFromInline var velocities = OptimizerSlots<Scalar>()
    @usableFromInline var momentums = OptimizerSlots<Scalar>()

    /// An RMSprop optimiser from a spec (`rho`, `momentum` and `epsilon` are read).
    public init(_ spec: OptimizerSpec = OptimizerSpec(kind: .rmsprop)) {
        self.spec = spec
        self.learningRate = spec.learningRate
    }

    /// RMSprop with the given settings.
    public init(learningRate: Double = 0.001, rho: Double = 0.9, momentum: Double = 0, epsilon: Double = 1e-7) {
        var s = OptimizerSpec(kind: .rmsprop, learningRate: learningRate)
        s.rho = rho
        s.momentum = momentum
        s.epsilon = epsilon
        self.init(s)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                               updates: inout [Tensor<Scalar>]?) {
        ensureUpdateBuffers(&updates, like: parameters)
        velocities.ensure(parameters)
        let useMomentum = spec.momentum > 0
        if useMomentum { momentums.ensure(parameters) }
        let c = RMSpropConstants(lr: Scalar(learningRate), rho: Scalar(spec.rho), oneMinusRho: Scalar(1 - spec.rho),
                                 epsilon: Scalar(spec.epsilon), momentum: Scalar(spec.momentum))
        for i in parameters.indices {
            velocities.buffers[i].withUnsafeMutableBufferPointer { v in
                if useMomentum {
                    momentums.buffers[i].withUnsafeMutableBufferPointer { p in
                        withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                            rmspropKernel(w, g, v.baseAddress!, p.baseAddress!, u, n, c)
                        }
                    }
                } else {
                    withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                        rmspropKernel(w, g, v.baseAddress!, nil, u, n, c)
                    }
                }
            }
        }
        iterations += 1
    }

    public mutating func reset() {
        velocities = OptimizerSlots()
        momentums = OptimizerSlots()
        iterations = 0
    }
}

@usableFromInline
struct RMSpropConstants<S: TensorScalar> {
    @usableFromInline var lr, rho, oneMinusRho, epsilon, momentum: S
    @inlinable init(lr: S, rho: S, oneMinusRho: S, epsilon: S, momentum: S) {
        self.lr = lr; self.rho = rho; self.oneMinusRho = oneMinusRho; self.epsilon = epsilon; self.momentum = momentum
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func rmspropKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ v: UnsafeMutablePointer<S>,
                                    _ p: UnsafeMutablePointer<S>?, _ u: UnsafeMutablePointer<S>?, _ n: Int,
                                    _ c: RMSpropConstants<S>) {
    for i in 0..<n {
        let gi = g[i]
        let vi = c.rho * v[i] + c.oneMinusRho * (gi * gi)
        v[i] = vi
        let increment = (c.lr * gi) / (vi + c.epsilon).squareRoot()
        let old = w[i]
        let new: S
        if let p {
            let pi = c.momentum * p[i] + increment
            p[i] = pi
            new = old - pi
        } else {
            new = old - increment
        }
        w[i] = new
        if let u { u[i] = new - old }
    }
}
