import GradCheckNN
import GradCheckTensor

/// Adam (optionally AMSGrad): Keras 3's `Adam` (`keras/src/optimizers/adam.py`, `update_step`).
///
/// Defaults: `learning_rate` 0.001, `beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7,
/// `amsgrad` false. At step `t` (from 1), with `m` and `v` starting at 0:
///
///     α ← lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
///     m ← m + (g − m)·(1 − β₁)
///     v ← v + (g² − v)·(1 − β₂)
///     v̂ ← max(v̂, v)                        (AMSGrad only; v̂ starts at 0)
///     w ← w − (m·α) / (√v + ε)             (√v̂ with AMSGrad)
///
/// Note where ε sits: Keras adds it to `√v` *after* folding the bias corrections into
/// `α`, so its effective size is `ε·√(1 − β₂ᵗ)` in PyTorch's form
/// (`m̂ / (√v̂ + ε)`); early steps therefore differ slightly from `torch.optim.Adam`.
/// `β₁ᵗ` and `β₂ᵗ` are computed in the parameter's precision, as Keras does.
public struct Adam<Scalar: TensorScalar>: Optimizer {
    public let spec: OptimizerSpec
    public var learningRate: Double
    public private(set) var iterations = 0
    @usableFromInline var momentums = OptimizerSlots<Scalar>()
    @usableFromInline var velocities = OptimizerSlots<Scalar>()
    @usableFromInline var velocityHats = OptimizerSlots<Scalar>()

    /// An Adam optimiser from a spec (`beta_1`, `beta_2`, `epsilon` and `amsgrad` are read).
    public init(_ spec: OptimizerSpec = OptimizerSpec(kind: .adam)) {
        self.spec = spec
        self.learningRate = spec.learningRate
    }

    /// Adam with the given settings.
    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7,
                amsgrad: Bool = false) {
        var s = OptimizerSpec(kind: .adam, learningRate: learningRate)
        s.beta1 = beta1
        s.beta2 = beta2
        s.epsilon = epsilon
        s.amsgrad = amsgrad
        self.init(s)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                               updates: inout [Tensor<Scalar>]?) {
        ensureUpdateBuffers(&updates, like: parameters)
        momentums.ensure(parameters)
        velocities.ensure(parameters)
        if spec.amsgrad { velocityHats.ensure(parameters) }
        let lr = Scalar(learningRate)
        let t = Scalar(iterations + 1)
        let beta1Power = Scalar.pow(Scalar(spec.beta1), t)
        let beta2Power = Scalar.pow(Scalar(spec.beta2), t)
        let alpha = lr * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let c = AdamConstants(alpha: alpha, oneMinusBeta1: Scalar(1 - spec.beta1), oneMinusBeta2: Scalar(1 - spec.beta2),
                              epsilon: Scalar(spec.epsilon))
        let amsgrad = spec.amsgrad
        for i in parameters.indices {
            momentums.buffers[i].withUnsafeMutableBufferPointer { m in
                velocities.buffers[i].withUnsafeMutableBufferPointer { v in
                    if amsgrad {
                        velocityHats.buffers[i].withUnsafeMutableBufferPointer { vh in
                            withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                                adamKernel(w, g, m.baseAddress!, v.baseAddress!, vh.baseAddress!, u, n, c)
                            }
                        }
                    } else {
                        withStepPointers(i, &parameters, gradients, &updates) { w, g, u, n in
                            adamKernel(w, g, m.baseAddress!, v.baseAddress!, nil, u, n, c)
                        }
                    }
                }
            }
        }
        iterations += 1
    }

    public mutating func reset() {
        momentums = OptimizerSlots()
        velocities = OptimizerSlots()
        velocityHats = OptimizerSlots()
        iterations = 0
    }
}

/// Adam with decoupled weight decay: Keras 3's `AdamW` (`keras/src/optimizers/adamw.py`),
/// whose decay the base optimiser applies (`_apply_weight_decay`) after clipping and
/// before ``Adam``'s update step, to every trainable variable:
///
///     w ← w − w·wd·lr
///     then the Adam step of ``Adam`` (with the same gradient)
///
/// Defaults: as ``Adam``, plus `weight_decay` 0.004.
public struct AdamW<Scalar: TensorScalar>: Optimizer {
    @usableFromInline var adam: Adam<Scalar>
    public var spec: OptimizerSpec { adam.spec }
    public var learningRate: Double {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }
    public var iterations: Int { adam.iterations }

    /// An AdamW optimiser from a spec (`weight_decay` and Adam's keys are read).
    public init(_ spec: OptimizerSpec = OptimizerSpec(kind: .adamw)) {
        adam = Adam(spec)
    }

    /// AdamW with the given settings.
    public init(learningRate: Double = 0.001, weightDecay: Double = 0.004, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7, amsgrad: Bool = false) {
        var s = OptimizerSpec(kind: .adamw, learningRate: learningRate)
        s.weightDecay = weightDecay
        s.beta1 = beta1
        s.beta2 = beta2
        s.epsilon = epsilon
        s.amsgrad = amsgrad
        self.init(s)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func apply(gradients: [Tensor<Scalar>], to parameters: inout [Tensor<Scalar>],
                               updates: inout [Tensor<Scalar>]?) {
        let wd = Scalar(spec.weightDecay), lr = Scalar(learningRate)
        if updates == nil {
            for i in parameters.indices {
                parameters[i].scalars.withUnsafeMutableBufferPointer { w in
                    weightDecayKernel(w.baseAddress!, w.count, weightDecay: wd, lr: lr)
                }
            }
            adam.apply(gradients: gradients, to: &parameters, updates: &updates)
            return
        }
        // Record the whole change (decay + Adam step) against the parameters before decay.
        let before = parameters
        for i in parameters.indices {
            parameters[i].scalars.withUnsafeMutableBufferPointer { w in
                weightDecayKernel(w.baseAddress!, w.count, weightDecay: wd, lr: lr)
            }
        }
        adam.apply(gradients: gradients, to: &parameters, updates: &updates)
        for i in parameters.indices {
            updates![i].scalars.withUnsafeMutableBufferPointer { u in
                parameters[i].scalars.withUnsafeBufferPointer { w in
                    before[i].scalars.withUnsafeBufferPointer { b in
                        for j in 0..<u.count { u[j] = w[j] - b[j] }
                    }
                }
            }
        }
    }

    public mutating func reset() { adam.reset() }
}

@usableFromInline
struct AdamConstants<S: TensorScalar> {
    @usableFromInline var alpha, oneMinusBeta1, oneMinusBeta2, epsilon: S
    @inlinable init(alpha: S, oneMinusBeta1: S, oneMinusBeta2: S, epsilon: S) {
        self.alpha = alpha; self.oneMinusBeta1 = oneMinusBeta1; self.oneMinusBeta2 = oneMinusBeta2; self.epsilon = epsilon
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func adamKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
                                 _ v: UnsafeMutablePointer<S>, _ vHat: UnsafeMutablePointer<S>?,
                                 _ u: UnsafeMutablePointer<S>?, _ n: Int, _ c: AdamConstants<S>) {
    var i = 0
    if vHat == nil {
        // Eight lanes at a time (the same IEEE operations in the same order as the scalar
        // tail, so the result does not depend on the split).
        let b1 = SIMD8<S>(repeating: c.oneMinusBeta1), b2 = SIMD8<S>(repeating: c.oneMinusBeta2)
        let alpha = SIMD8<S>(repeating: c.alpha), eps = SIMD8<S>(repeating: c.epsilon)
        while i + 8 <= n {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<S>.self)
            let m0 = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD8<S>.self)
            let v0 = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<S>.self)
            let old = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<S>.self)
            let mi = m0 + (gi - m0) * b1
            let vi = v0 + (gi * gi - v0) * b2
            let new = old - (mi * alpha) / (vi.squareRoot() + eps)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: SIMD8<S>.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: SIMD8<S>.self)
            UnsafeMutableRawPointer(w + i).storeBytes(of: new, as: SIMD8<S>.self)
            if let u { UnsafeMutableRawPointer(u + i).storeBytes(of: new - old, as: SIMD8<S>.self) }
            i += 8
        }
    }
    while i < n {
        let gi = g[i]
        let mi = m[i] + (gi - m[i]) * c.oneMinusBeta1
        let vi = v[i] + (gi * gi - v[i]) * c.oneMinusBeta2
        m[i] = mi
        v[i] = vi
        var d = vi
        if let vHat {
            d = Swift.max(vHat[i], vi)
            vHat[i] = d
        }
        let old = w[i]
        let new = old - (mi * c.alpha) / (d.squareRoot() + c.epsilon)
        w[i] = new
        if let u { u[i] = new - old }
        i += 1
    }
}

/// `w ← w − w·wd·lr`, in Keras' order of operations.
@_specialize(where S == Float)
@_specialize(where S == Double)
@usableFromInline
func weightDecayKernel<S: TensorScalar>(_ w: UnsafeMutablePointer<S>, _ n: Int, weightDecay: S, lr: S) {
    for i in 0..<n { w[i] = w[i] - w[i] * weightDecay * lr }
}
