import GradCheckTensor

/// Per-sample losses, each fused with its VJP.
///
/// Every op here maps a prediction `[B, …, C]` and its targets to a `[B]` tensor: the loss
/// of each sample, averaged over the sample's positions (all axes between the batch
/// axis and the last). Per-position losses follow Keras: the mean over the last axis for
/// squared, absolute, Huber and binary cross-entropy losses, the sum over classes for
/// categorical ones. Cross-entropies take logits and use log-sum-exp or the softplus form,
/// so they are finite wherever the probabilities are representable.
extension Tape {
    /// The kind of a per-position loss on the last axis.
    @usableFromInline
    enum RowLoss {
        case squared, absolute, huber(Scalar), sigmoidCrossEntropy, probabilityBinaryCrossEntropy
    }

    /// Mean squared error per sample.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func meanSquaredError(_ prediction: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        elementwiseLoss(prediction, targets, .squared)
    }

    /// Mean absolute error per sample (subgradient 0 where prediction equals target).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func meanAbsoluteError(_ prediction: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        elementwiseLoss(prediction, targets, .absolute)
    }

    /// Huber loss per sample: `r²/2` for `|r| ≤ δ`, else `δ·|r| − δ²/2`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func huber(_ prediction: Variable<Scalar>, _ targets: Tensor<Scalar>, delta: Scalar) -> Variable<Scalar> {
        elementwiseLoss(prediction, targets, .huber(delta))
    }

    /// Binary cross-entropy from logits per sample: `max(z, 0) − z·t + log(1 + e^{−|z|})`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sigmoidCrossEntropy(logits: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        elementwiseLoss(logits, targets, .sigmoidCrossEntropy)
    }

    /// Binary cross-entropy on probabilities per sample: `−t·log p − (1 − t)·log(1 − p)`,
    /// exact (no clipping): infinite where a probability is exactly 0 or 1 against its target.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func binaryCrossEntropy(probabilities: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        elementwiseLoss(probabilities, targets, .probabilityBinaryCrossEntropy)
    }

    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func elementwiseLoss(_ prediction: Variable<Scalar>, _ targets: Tensor<Scalar>, _ kind: RowLoss) -> Variable<Scalar> {
        let p = values[prediction.index]
        precondition(p.count == targets.count, "loss: prediction \(p.shape) vs targets \(targets.shape)")
        let batch = p.shape.first ?? 1
        let perSample = batch == 0 ? 0 : p.count / batch
        // Each sample's loss is the mean of its per-element losses: the mean over the last
        // axis, averaged over the sample's positions.
        let weight = perSample == 0 ? 0 : 1 / Scalar(perSample)
        var losses = [Scalar](repeating: 0, count: batch)
        var elementLoss = [Scalar](repeating: 0, count: perSample)
        p.scalars.withUnsafeBufferPointer { ps in
            targets.scalars.withUnsafeBufferPointer { ts in
                for b in 0..<batch {
                    for e in 0..<perSample {
                        let i = b * perSample + e
                        elementLoss[e] = Self.rowLossValue(kind, ps[i], ts[i])
                    }
                    losses[b] = elementLoss.withUnsafeBufferPointer { _pairwiseSum($0) } * weight
                }
            }
        }
        return record(Tensor(unchecked: [batch], scalars: losses), inputs: [prediction]) { g in
            var out = p
            out.scalars.withUnsafeMutableBufferPointer { o in
                targets.scalars.withUnsafeBufferPointer { ts in
                    for b in 0..<batch {
                        let gb = g.scalars[b] * weight
                        for e in 0..<perSample {
                            let i = b * perSample + e
                            o[i] = gb * Self.rowLossDerivative(kind, o[i], ts[i])
                        }
                    }
                }
            }
            return [out]
        } jvp: { t in
            let dp = t[0]!
            var out = [Scalar](repeating: 0, count: batch)
            for b in 0..<batch {
                var s: Scalar = 0
                for e in 0..<perSample {
                    let i = b * perSample + e
                    s += Self.rowLossDerivative(kind, p.scalars[i], targets.scalars[i]) * dp.scalars[i]
                }
                out[b] = s * weight
            }
            return Tensor(unchecked: [batch], scalars: out)
        }
    }

    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func rowLossValue(_ kind: RowLoss, _ p: Scalar, _ t: Scalar) -> Scalar {
        switch kind {
        case .squared: return (p - t) * (p - t)
        case .absolute: return Swift.abs(p - t)
        case let .huber(delta):
            let r = Swift.abs(p - t)
            return r <= delta ? r * r / 2 : delta * r - delta * delta / 2
        case .sigmoidCrossEntropy:
            return Swift.max(p, 0) - p * t + Scalar.log1p(Scalar.exp(-Swift.abs(p)))
        case .probabilityBinaryCrossEntropy:
            // 0·log 0 is taken as 0, so a confident correct prediction costs nothing.
            let a = t == 0 ? 0 : -t * Scalar.log(p)
            let b = t == 1 ? 0 : -(1 - t) * Scalar.log1p(-p)
            return a + b
        }
    }

    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func rowLossDerivative(_ kind: RowLoss, _ p: Scalar, _ t: Scalar) -> Scalar {
        switch kind {
        case .squared: return 2 * (p - t)
        case .absolute: return p > t ? 1 : (p < t ? -1 : 0)
        case let .huber(delta):
            let r = p - t
            return Swift.abs(r) <= delta ? r : (r > 0 ? delta : -delta)
        case .sigmoidCrossEntropy: return _sigmoid(p) - t
        case .probabilityBinaryCrossEntropy:
            let a = t == 0 ? 0 : -t / p
            let b = t == 1 ? 0 : (1 - t) / (1 - p)
            return a + b
        }
    }

    /// Categorical cross-entropy from logits per sample, with class-probability targets
    /// (one-hot or soft): `Σ_c t_c · (logsumexp(z) − z_c)`.
    ///
    /// VJP: `softmax(z) · Σ_c t_c − t`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func softmaxCrossEntropy(logits: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        let z = values[logits.index]
        precondition(z.count == targets.count, "loss: logits \(z.shape) vs targets \(targets.shape)")
        let n = z.columnCount
        let lse = Self.logSumExpRows(z)
        var rowLoss = [Scalar](repeating: 0, count: lse.count)
        var targetMass = [Scalar](repeating: 0, count: lse.count)
        for r in 0..<lse.count {
            var l: Scalar = 0, mass: Scalar = 0
            for j in 0..<n {
                let t = targets.scalars[r * n + j]
                if t != 0 { l += t * (lse[r] - z.scalars[r * n + j]) }
                mass += t
            }
            rowLoss[r] = l
            targetMass[r] = mass
        }
        return recordRowLoss(logits, rows: rowLoss, fill: { r, gRow, out in
            for j in 0..<n {
                let i = r * n + j
                out[i] = gRow * (Scalar.exp(z.scalars[i] - lse[r]) * targetMass[r] - targets.scalars[i])
            }
        }, tangent: { r, dz in
            // d(Σ_c t_c · (lse − z_c)) = mass · Σ_j softmax_j dz_j − Σ_j t_j dz_j.
            var expected: Scalar = 0, targeted: Scalar = 0
            for j in 0..<n {
                let i = r * n + j
                expected += Scalar.exp(z.scalars[i] - lse[r]) * dz[i]
                targeted += targets.scalars[i] * dz[i]
            }
            return targetMass[r] * expected - targeted
        })
    }

    /// Sparse categorical cross-entropy from logits per sample: `logsumexp(z) − z_label`.
    ///
    /// `labels` holds one class index per row of `logits` (all axes but the last).
    /// VJP: `softmax(z) − onehot(label)`.
    ///
    /// - Precondition: every label is in `0..<classes` (the model checks batches first).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sparseSoftmaxCrossEntropy(logits: Variable<Scalar>, labels: [Int]) -> Variable<Scalar> {
        let z = values[logits.index]
        let n = z.columnCount
        precondition(labels.count == z.rowCount, "loss: \(labels.count) labels for \(z.rowCount) rows")
        let lse = Self.logSumExpRows(z)
        var rowLoss = [Scalar](repeating: 0, count: lse.count)
        for r in 0..<lse.count { rowLoss[r] = lse[r] - z.scalars[r * n + labels[r]] }
        return recordRowLoss(logits, rows: rowLoss, fill: { r, gRow, out in
            for j in 0..<n {
                let i = r * n + j
                out[i] = gRow * Scalar.exp(z.scalars[i] - lse[r])
            }
            out[r * n + labels[r]] -= gRow
        }, tangent: { r, dz in
            var expected: Scalar = 0
            for j in 0..<n { expected += Scalar.exp(z.scalars[r * n + j] - lse[r]) * dz[r * n + j] }
            return expected - dz[r * n + labels[r]]
        })
    }

    /// Categorical cross-entropy on probabilities per sample, exact: `−Σ_c t_c log p_c`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func categoricalCrossEntropy(probabilities: Variable<Scalar>, _ targets: Tensor<Scalar>) -> Variable<Scalar> {
        let p = values[probabilities.index]
        let n = p.columnCount
        var rowLoss = [Scalar](repeating: 0, count: p.rowCount)
        for r in 0..<rowLoss.count {
            var l: Scalar = 0
            for j in 0..<n where targets.scalars[r * n + j] != 0 {
                l -= targets.scalars[r * n + j] * Scalar.log(p.scalars[r * n + j])
            }
            rowLoss[r] = l
        }
        return recordRowLoss(probabilities, rows: rowLoss, fill: { r, gRow, out in
            for j in 0..<n {
                let i = r * n + j
                let t = targets.scalars[i]
                out[i] = t == 0 ? 0 : -gRow * t / p.scalars[i]
            }
        }, tangent: { r, dp in
            var s: Scalar = 0
            for j in 0..<n where targets.scalars[r * n + j] != 0 {
                s -= targets.scalars[r * n + j] * dp[r * n + j] / p.scalars[r * n + j]
            }
            return s
        })
    }

    /// Sparse categorical cross-entropy on probabilities per sample, exact: `−log p_label`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sparseCategoricalCrossEntropy(probabilities: Variable<Scalar>, labels: [Int]) -> Variable<Scalar> {
        let p = values[probabilities.index]
        let n = p.columnCount
        var rowLoss = [Scalar](repeating: 0, count: p.rowCount)
        for r in 0..<rowLoss.count { rowLoss[r] = -Scalar.log(p.scalars[r * n + labels[r]]) }
        return recordRowLoss(probabilities, rows: rowLoss, fill: { r, gRow, out in
            for j in 0..<n { out[r * n + j] = 0 }
            out[r * n + labels[r]] = -gRow / p.scalars[r * n + labels[r]]
        }, tangent: { r, dp in -dp[r * n + labels[r]] / p.scalars[r * n + labels[r]] })
    }

    /// Averages per-row losses into per-sample losses and records the VJP, which
    /// `fill(row, g_row, out)` writes row by row into a zeroed gradient of the input's shape,
    /// and the JVP, which `tangent(row, t)` gives row by row: the row loss's directional
    /// derivative along the input tangent `t` (the whole tensor).
    @usableFromInline
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func recordRowLoss(
        _ input: Variable<Scalar>, rows rowLoss: [Scalar],
        fill: @escaping (Int, Scalar, UnsafeMutableBufferPointer<Scalar>) -> Void,
        tangent: ((Int, [Scalar]) -> Scalar)? = nil
    ) -> Variable<Scalar> {
        let x = values[input.index]
        let batch = x.shape.first ?? 1
        let rowsPerSample = batch == 0 ? 0 : rowLoss.count / batch
        let weight = rowsPerSample == 0 ? 0 : 1 / Scalar(rowsPerSample)
        var losses = [Scalar](repeating: 0, count: batch)
        for b in 0..<batch {
            var s: Scalar = 0
            for r in 0..<rowsPerSample { s += rowLoss[b * rowsPerSample + r] }
            losses[b] = s * weight
        }
        let shape = x.shape
        return record(Tensor(unchecked: [batch], scalars: losses), inputs: [input], vjp: { g in
            var out = [Scalar](repeating: 0, count: shape.reduce(1, *))
            out.withUnsafeMutableBufferPointer { o in
                for r in 0..<rowLoss.count {
                    fill(r, g.scalars[r / Swift.max(rowsPerSample, 1)] * weight, o)
                }
            }
            return [Tensor(unchecked: shape, scalars: out)]
        }, jvp: tangent.map { rowTangent in
            { t in
                let dx = t[0]!.scalars
                var out = [Scalar](repeating: 0, count: batch)
                for b in 0..<batch {
                    var s: Scalar = 0
                    for r in 0..<rowsPerSample { s += rowTangent(b * rowsPerSample + r, dx) }
                    out[b] = s * weight
                }
                return Tensor(unchecked: [batch], scalars: out)
            }
        })
    }
}
