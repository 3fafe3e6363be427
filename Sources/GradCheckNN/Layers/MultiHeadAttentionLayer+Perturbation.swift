import GradCheckAutograd
import GradCheckTensor

/// The verifier's fast path for attention parameters: each change recomputes only what it
/// touches, starting from one recorded unperturbed pass.
///
/// With `δ` the change of one element, per sample:
/// - `attention_output/kernel[h, e, j]` adds `δ · combined[:, h·V+e]` to output column `j`,
///   and `attention_output/bias[j]` adds `δ` to it;
/// - `value/kernel[i, h, e]` adds `δ · (P_h · x_value[:, i]) ⊗ Wo[h, e, :]` to the output
///   (`value/bias[h, e]` the same with the row sums of `P_h`, which are 1): rank 1;
/// - `query/kernel[i, h, d]` adds `scale · δ · x_query[:, i] ⊗ k[:, h·K+d]` to head `h`'s
///   scores (`query/bias` with ones for `x_query`, `key/kernel` and `key/bias` with the
///   roles of queries and keys swapped); head `h`'s softmax, its weighted values and their
///   projection are then recomputed, and the output moves by `(combined′_h − combined_h) · Wo_h`.
///
/// Every other head, and every linear map the change passes through, is read from the
/// unperturbed pass, so the result is the reference's up to rounding (a test pins it to
/// ``Layer/defaultPerturbedOutputs(inputs:parameters:parameter:elements:values:beforeActivation:context:)``).
extension MultiHeadAttentionLayer {
    /// ``perturbedOutputs(inputs:parameters:parameter:elements:values:beforeActivation:context:)``
    /// of self-attention on `input`.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        input: Tensor<S>, parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        perturbedOutputs(inputs: [input], parameters: parameters, parameter: parameter, elements: elements,
                         values: values, beforeActivation: beforeActivation, context: context)
    }

    /// The outputs for single-element changes of one parameter, stacked along the batch
    /// axis, each computed from the unperturbed pass by recomputing only what the change
    /// touches (see the extension's overview). The layer has no output activation, so
    /// `beforeActivation` changes nothing.
    ///
    /// - Complexity: one attention pass, then per change O(batch · Tq · d_query) for an
    ///   output-projection element, O(batch · Tq · (Tv + d_query)) for a value-projection
    ///   element, and O(batch · Tq · Tv · V + batch · Tq · V · d_query) for a query or key
    ///   element, against a whole attention pass per change for the default.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func perturbedOutputs<S: TensorScalar>(
        inputs: [Tensor<S>], parameters: [Tensor<S>], parameter: Int,
        elements: [Int], values changes: [S], beforeActivation: Bool, context: ForwardContext
    ) -> Tensor<S> {
        let query = inputs[0], value = inputs.count > 1 ? inputs[1] : inputs[0], key = inputs.count > 2 ? inputs[2] : value
        let tape = Tape<S>(recording: false)
        let steps = attentionSteps(query: tape.constant(query), value: tape.constant(value),
                                   key: inputs.count > 2 ? tape.constant(key) : nil,
                                   parameters: parameters.map { tape.constant($0) }, on: tape)
        let base = tape.value(steps.output)
        let pass = Pass(q: tape.value(steps.queries).scalars, k: tape.value(steps.keys).scalars,
                        v: tape.value(steps.values).scalars, scores: tape.value(steps.scores).scalars,
                        p: tape.value(steps.probabilities).scalars, combined: tape.value(steps.combined).scalars,
                        batch: query.shape[0], tq: query.shape[1], tv: value.shape[1])
        let step = useBias ? 2 : 1
        let part = parameter / step, isBias = useBias && parameter % step == 1
        let outKernel = parameters[3 * step].scalars
        let per = base.count
        var stacked = [S](repeating: 0, count: elements.count * per)
        stacked.withUnsafeMutableBufferPointer { all in
            for (c, element) in elements.enumerated() {
                let o = UnsafeMutableBufferPointer(rebasing: all[(c * per)..<((c + 1) * per)])
                _ = o.update(from: base.scalars)
                let delta = changes[c] - parameters[parameter].scalars[element]
                switch part {
                case 3: pass.addOutputChange(element: element, delta: delta, isBias: isBias, dOut: base.shape[2], to: o)
                case 2:
                    pass.addValueChange(element: element, delta: delta, isBias: isBias, x: value.scalars,
                                        layer: self, outKernel: outKernel, dOut: base.shape[2], to: o)
                default:
                    pass.addScoreChange(part: part, element: element, delta: delta, isBias: isBias,
                                        x: part == 0 ? query.scalars : key.scalars, layer: self,
                                        outKernel: outKernel, dOut: base.shape[2], to: o)
                }
            }
        }
        var shape = base.shape
        shape[0] *= elements.count
        return Tensor(unchecked: elements.isEmpty ? [0] + outputShape : shape, scalars: stacked)
    }
}

/// The unperturbed attention pass, flat, with the updates one parameter change makes to
/// a copy of its output.
private struct Pass<S: TensorScalar> {
    let q: [S], k: [S], v: [S], scores: [S], p: [S], combined: [S]
    let batch: Int, tq: Int, tv: Int

    /// An `attention_output` element: column `j` moves by `δ · combined[:, h·V+e]` (kernel) or `δ` (bias).
    func addOutputChange(element: Int, delta: S, isBias: Bool, dOut: Int, to o: UnsafeMutableBufferPointer<S>) {
        let rows = batch * tq, width = combined.count / Swift.max(rows, 1)
        let j = element % dOut, column = element / dOut
        for r in 0..<rows { o[r * dOut + j] += isBias ? delta : delta * combined[r * width + column] }
    }

    /// A `value` element of column `h·V+e`: the output moves by `δ · u ⊗ Wo[h, e, :]`, with
    /// `u[t] = Σ_s p[h, t, s] · x[s, i]` (kernel) or `Σ_s p[h, t, s]` (bias).
    func addValueChange(element: Int, delta: S, isBias: Bool, x: [S], layer: MultiHeadAttentionLayer,
                        outKernel: [S], dOut: Int, to o: UnsafeMutableBufferPointer<S>) {
        let heads = layer.numHeads, width = heads * layer.valueDim
        let column = isBias ? element : element % width, i = element / width, h = column / layer.valueDim
        let features = x.count / Swift.max(batch * tv, 1)
        for b in 0..<batch {
            for t in 0..<tq {
                let row = ((b * heads + h) * tq + t) * tv
                var u: S = 0
                for s in 0..<tv { u += p[row + s] * (isBias ? 1 : x[(b * tv + s) * features + i]) }
                let scaled = delta * u, out = (b * tq + t) * dOut, w = column * dOut
                for j in 0..<dOut { o[out + j] += scaled * outKernel[w + j] }
            }
        }
    }

    /// A `query` (`part` 0) or `key` (`part` 1) element of column `h·K+d`: head `h`'s scores
    /// move by a rank-1 term, its softmax and weighted values are recomputed, and the output
    /// moves by their change through `Wo_h`. `x` is the query or the key input.
    func addScoreChange(part: Int, element: Int, delta: S, isBias: Bool, x: [S], layer: MultiHeadAttentionLayer,
                        outKernel: [S], dOut: Int, to o: UnsafeMutableBufferPointer<S>) {
        let heads = layer.numHeads, kd = layer.keyDim, vd = layer.valueDim
        let width = heads * kd, vWidth = heads * vd
        let column = isBias ? element : element % width, i = element / width, h = column / kd
        let steps = part == 0 ? tq : tv
        let features = x.count / Swift.max(batch * steps, 1)
        let scaled = layer.scoreScale() * delta
        var row = [S](repeating: 0, count: tv), dc = [S](repeating: 0, count: vd)
        for b in 0..<batch {
            for t in 0..<tq {
                let base = ((b * heads + h) * tq + t) * tv
                // The changed score row: scale · δ · a[t] · c[s] on top of the unperturbed one.
                let a: S = part == 0 ? (isBias ? 1 : x[(b * tq + t) * features + i]) : q[(b * tq + t) * width + column]
                var m = -S.infinity
                for s in 0..<tv {
                    let c: S = part == 0 ? k[(b * tv + s) * width + column] : (isBias ? 1 : x[(b * tv + s) * features + i])
                    row[s] = scores[base + s] + scaled * a * c
                    m = Swift.max(m, row[s])
                }
                var sum: S = 0
                for s in 0..<tv {
                    row[s] = S.exp(row[s] - m)
                    sum += row[s]
                }
                let inv = 1 / sum
                for e in 0..<vd { dc[e] = 0 }
                for s in 0..<tv {
                    let dp = row[s] * inv - p[base + s]
                    if dp == 0 { continue }
                    let vRow = (b * tv + s) * vWidth + h * vd
                    for e in 0..<vd { dc[e] += dp * v[vRow + e] }
                }
                let out = (b * tq + t) * dOut
                for e in 0..<vd where dc[e] != 0 {
                    let w = (h * vd + e) * dOut
                    for j in 0..<dOut { o[out + j] += dc[e] * outKernel[w + j] }
                }
            }
        }
    }
}
