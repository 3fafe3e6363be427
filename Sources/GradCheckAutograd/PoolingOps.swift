import GradCheckTensor

extension Tape {
    /// Max pooling of NHWC input `x` `[batch, h, w, channels]` over the windows of
    /// `window`: output `[batch, outH, outW, channels]`. Positions in the padding never
    /// take part (TensorFlow pads with −∞).
    ///
    /// VJP: each output's gradient goes to the input element that won its window; on a
    /// tie, to the first maximal element in row-major window order, as TensorFlow does
    /// (a tie is a kink of the function, so the verifier reports it as `kink`).
    ///
    /// - Complexity: O(batch · outH · outW · channels · window size).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func maxPool2D(_ x: Variable<Scalar>, window w: Window2D) -> Variable<Scalar> {
        precondition(w.dilationHeight == 1 && w.dilationWidth == 1, "maxPool2D: dilated windows are not supported")
        let xv = values[x.index]
        let batch = xv.shape[0], channels = xv.shape[3]
        let count = batch * w.outputHeight * w.outputWidth * channels
        var y = [Scalar](repeating: 0, count: count)
        var winners = [Int](repeating: -1, count: count)
        xv.scalars.withUnsafeBufferPointer { xs in
            var o = 0
            for b in 0..<batch {
                let image = b * w.inputHeight * w.inputWidth * channels
                for oh in 0..<w.outputHeight {
                    for ow in 0..<w.outputWidth {
                        for ch in 0..<channels {
                            var best = -Scalar.infinity
                            var at = -1
                            for i in 0..<w.windowHeight {
                                let ih = oh * w.strideHeight - w.padTop + i
                                guard ih >= 0 && ih < w.inputHeight else { continue }
                                for j in 0..<w.windowWidth {
                                    let iw = ow * w.strideWidth - w.padLeft + j
                                    guard iw >= 0 && iw < w.inputWidth else { continue }
                                    let idx = image + (ih * w.inputWidth + iw) * channels + ch
                                    let v = xs[idx]
                                    // Strictly greater: the first maximal element wins a tie;
                                    // a NaN wins over everything and stays (it propagates).
                                    if at < 0 || v > best || (v.isNaN && !best.isNaN) {
                                        best = v
                                        at = idx
                                    }
                                }
                            }
                            y[o] = best
                            winners[o] = at
                            o += 1
                        }
                    }
                }
            }
        }
        let inputShape = xv.shape
        let out = Tensor(unchecked: [batch, w.outputHeight, w.outputWidth, channels], scalars: y)
        return record(out, inputs: [x]) { g in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            for (o, at) in winners.enumerated() where at >= 0 { dx[at] += g.scalars[o] }
            return [Tensor(unchecked: inputShape, scalars: dx)]
        } jvp: { t in
            // Each output moves with its window's winner (a tie is a kink, as for the VJP).
            let dx = t[0]!.scalars
            return Tensor(unchecked: out.shape, scalars: winners.map { $0 >= 0 ? dx[$0] : 0 })
        }
    }

    /// Average pooling of NHWC input `x` over the windows of `window`: each output is the
    /// mean of the window's elements inside the input. With `same` padding a window that
    /// overlaps the padding averages over its valid elements only, as TensorFlow does.
    ///
    /// VJP: each output's gradient, divided by its window's valid count, goes to each
    /// valid element of its window.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func averagePool2D(_ x: Variable<Scalar>, window w: Window2D) -> Variable<Scalar> {
        precondition(w.dilationHeight == 1 && w.dilationWidth == 1, "averagePool2D: dilated windows are not supported")
        let xv = values[x.index]
        let batch = xv.shape[0], channels = xv.shape[3]
        let inputShape = xv.shape
        // The valid rows and columns of each output position (the same for every sample).
        func range(_ o: Int, stride: Int, pad: Int, window: Int, size: Int) -> Range<Int> {
            let start = o * stride - pad
            return Swift.max(start, 0)..<Swift.min(start + window, size)
        }
        let rowRanges = (0..<w.outputHeight).map { range($0, stride: w.strideHeight, pad: w.padTop, window: w.windowHeight, size: w.inputHeight) }
        let colRanges = (0..<w.outputWidth).map { range($0, stride: w.strideWidth, pad: w.padLeft, window: w.windowWidth, size: w.inputWidth) }
        var y = [Scalar](repeating: 0, count: batch * w.outputHeight * w.outputWidth * channels)
        xv.scalars.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                var o = 0
                for b in 0..<batch {
                    let image = b * w.inputHeight * w.inputWidth * channels
                    for oh in 0..<w.outputHeight {
                        for ow in 0..<w.outputWidth {
                            let rows = rowRanges[oh], cols = colRanges[ow]
                            let n = Scalar(Swift.max(rows.count * cols.count, 1))
                            for ih in rows {
                                for iw in cols {
                                    let src = image + (ih * w.inputWidth + iw) * channels
                                    for ch in 0..<channels { ys[o + ch] += xs[src + ch] }
                                }
                            }
                            for ch in 0..<channels { ys[o + ch] /= n }
                            o += channels
                        }
                    }
                }
            }
        }
        let out = Tensor(unchecked: [batch, w.outputHeight, w.outputWidth, channels], scalars: y)
        return record(out, inputs: [x]) { g in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            var o = 0
            for b in 0..<batch {
                let image = b * w.inputHeight * w.inputWidth * channels
                for oh in 0..<w.outputHeight {
                    for ow in 0..<w.outputWidth {
                        let rows = rowRanges[oh], cols = colRanges[ow]
                        let n = Scalar(Swift.max(rows.count * cols.count, 1))
                        for ih in rows {
                            for iw in cols {
                                let dst = image + (ih * w.inputWidth + iw) * channels
                                for ch in 0..<channels { dx[dst + ch] += g.scalars[o + ch] / n }
                            }
                        }
                        o += channels
                    }
                }
            }
            return [Tensor(unchecked: inputShape, scalars: dx)]
        } jvp: { t in Self.linearTangent(t, shapes: [inputShape]) { $0.averagePool2D($1[0], window: w) } }
    }

    /// The mean over height and width of NHWC input `x`: `[batch, h, w, c] → [batch, c]`.
    ///
    /// VJP: each output's gradient divided by `h · w`, broadcast over its channel.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func globalAveragePool2D(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let xv = values[x.index]
        let inputShape = xv.shape
        let batch = inputShape[0], channels = inputShape[3]
        let positions = inputShape[1] * inputShape[2]
        let n = Scalar(Swift.max(positions, 1))
        var y = [Scalar](repeating: 0, count: batch * channels)
        xv.scalars.withUnsafeBufferPointer { xs in
            for b in 0..<batch {
                for p in 0..<positions {
                    let src = (b * positions + p) * channels
                    for ch in 0..<channels { y[b * channels + ch] += xs[src + ch] }
                }
            }
        }
        for i in 0..<y.count { y[i] /= n }
        return record(Tensor(unchecked: [batch, channels], scalars: y), inputs: [x]) { g in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            for b in 0..<batch {
                for p in 0..<positions {
                    let dst = (b * positions + p) * channels
                    for ch in 0..<channels { dx[dst + ch] = g.scalars[b * channels + ch] / n }
                }
            }
            return [Tensor(unchecked: inputShape, scalars: dx)]
        } jvp: { t in Self.linearTangent(t, shapes: [inputShape]) { $0.globalAveragePool2D($1[0]) } }
    }
}
