import GradCheckNN
import GradCheckTensor

/// Stochastic gradient descent with optional (Nesterov) momentum: Keras 3's `SGD`
/// (`keras/src/optimizers/sgd.py`, `update_step`).
///
/// Defaults: `learning_rate` 0.01, `momentum` 0, `nesterov` false. With `lr` the learning
/// rate, `μ` the momentum and `g` the gradient:
///
///     μ = 0:          w ← w − g·lr
///     μ ≠ 0:          m ← m·μ − g·lr            (m starts at 0)
///                     w ← w + m                 (plain)
///                     w ← w + (m·μ − g·lr)      (Nesterov, with the new m)
public struct SGD<Scalar: TensorScalar>: Optimizer {
    public let spec: OptimizerSpec
    public var learningRate: Double
    public private(set) var iterations = 0
    @usableFromInline var momentums = OptimizerSlots<Scalar>()

    /// An SGD optimiser from a spec (its kind is not checked; `momentum` and `nesterov` are read).
    public init(_ spec: OptimizerSpec = OptimizerSpec(kind: .sgd)) {
        self.spec = spec
        self.learningRate = spec.learningRate
    }

    /// SGD with the given settings.
    public init(learningRate: Double = 0.01, momentum: Double = 0, nesterov: Bool = false) {
        var s = OptimizerSpec(kind: .sgd, learningRate: learningRate)
        s.momentum = momentum
        s.nesterov = nesterov
        self.init(s)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                               updates: inout [Tensor<Scalar>]?) {
        ensureUpdateBuffers(&updates, like: parameters)
        let lr = Scalar(learningRate), mu = Scalar(spec.momentum)
        let useMomentum = spec.momentum != 0, nesterov = spec.nesterov
        if useMomentum { momentums.ensure(parameters) }
        for i in parameters.indices {
            if useMomentum {
                momentums.buffers[i].withUnsafeMutableBufferPointer { m in
                    withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                        sgdMomentumKernel(w, g, m.baseAddress!, u, n, lr: lr, momentum: mu, nesterov: nesterov)
                    }
                }
            } else {
                withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                    sgdKernel(w, g, u, n, lr: lr)
                }
            }
        }
        iterations += 1
    }

    public mutating func reset() {
        momentums = OptimizerSlots()
        iterations = 0
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func sgdKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ u: UnsafeMutablePointer<S>?,
                                _ n: Int, lr: S) {
    if let u {
        for i in 0..<n {
            let old = w[i]
            let new = old - g[i] * lr
            w[i] = new
            u[i] = new - old
        }
    } else {
        for i in 0..<n { w[i] = w[i] - g[i] * lr }
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func sgdMomentumKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
                                        _ u: UnsafeMutablePointer<S>?, _ n: Int, lr: S, momentum: S, nesterov: Bool) {
    for i in 0..<n {
        let mi = m[i] * momentum - g[i] * lr
        m[i] = mi
        let old = w[i]
        let new = nesterov ? old + (mi * momentum - g[i] * lr) : old + mi
        w[i] = new
        if let u { u[i] = new - old }
    }
}
