import GradCheckNN
import GradCheckTensor

/// Adagrad: Keras 3's `Adagrad` (`keras/src/optimizers/adagrad.py`, `update_step`).
///
/// Defaults: `learning_rate` 0.001, `initial_accumulator_value` 0.1, `epsilon` 1e-7.
/// With `a` the accumulator (starting at `initial_accumulator_value`):
///
///     a ← a + g²
///     w ← w − lr·g / √(a + ε)             (ε inside the square root, as Keras)
public struct Adagrad<Scalar: TensorScalar>: Optimizer {
    public let spec: OptimizerSpec
    public var learningRate: Double
    public private(set) var iterations = 0
    @usableFromInline var accumulators = OptimizerSlots<Scalar>()

    /// An Adagrad optimiser from a spec (`initial_accumulator_value` and `epsilon` are read).
    public init(_ spec: OptimizerSpec = OptimizerSpec(kind: .adagrad)) {
        self.spec = spec
        self.learningRate = spec.learningRate
    }

    /// Adagrad with the given settings.
    public init(learningRate: Double = 0.001, initialAccumulatorValue: Double = 0.1, epsilon: Double = 1e-7) {
        var s = OptimizerSpec(kind: .adagrad, learningRate: learningRate)
        s.initialAccumulatorValue = initialAccumulatorValue
        s.epsilon = epsilon
        self.init(s)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                               updates: inout [Tensor<Scalar>]?) {
        ensureUpdateBuffers(&updates, like: parameters)
        accumulators.ensure(parameters, filledWith: Scalar(spec.initialAccumulatorValue))
        let lr = Scalar(learningRate), eps = Scalar(spec.epsilon)
        for i in parameters.indices {
            accumulators.buffers[i].withUnsafeMutableBufferPointer { a in
                withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                    adagradKernel(w, g, a.baseAddress!, u, n, lr: lr, epsilon: eps)
                }
            }
        }
        iterations += 1
    }

    public mutating func reset() {
        accumulators = OptimizerSlots()
        iterations = 0
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func adagradKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ a: UnsafeMutablePointer<S>,
                                    _ u: UnsafeMutablePointer<S>?, _ n: Int, lr: S, epsilon: S) {
    for i in 0..<n {
        let gi = g[i]
        let ai = a[i] + gi * gi
        a[i] = ai
        let old = w[i]
        let new = old - (lr * gi) / (ai + epsilon).squareRoot()
        w[i] = new
        if let u { u[i] = new - old }
    }
}
