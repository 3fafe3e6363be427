import GradCheckAutograd
import GradCheckTensor

/// Per-sample bilinear resampling of `[batch, height, width, channels]` images, the op
/// under the geometric augmentations: each output pixel is a fixed weighted sum of at
/// most four input pixels (the same weights for every channel), plus a constant where
/// `fill_mode` is `constant` and the sample point falls outside the image.
///
/// Forward `y = W x + f`, VJP `Wᵀ g`, JVP `W u`: cost O(batch · output pixels · channels).
struct AugmentationResample {
    /// One sample's map: four taps per output pixel (input pixel index, or −1 for the
    /// constant fill) with their weights.
    struct Map {
        var taps: [Int]
        var weights: [Double]
        var fillValue: Double

        /// The map that samples input `(row, column)` = `source(r, c)` for each output
        /// pixel `(r, c)`, bilinearly, with `fill` outside the `height × width` input.
        static func affine(height: Int, width: Int, outHeight: Int, outWidth: Int, fill: AugmentationFill,
                           source: (Int, Int) -> (Double, Double)) -> Map {
            var taps: [Int] = [], weights: [Double] = []
            taps.reserveCapacity(outHeight * outWidth * 4)
            weights.reserveCapacity(outHeight * outWidth * 4)
            for r in 0..<outHeight {
                for c in 0..<outWidth {
                    let (y, x) = source(r, c)
                    let y0 = y.rounded(.down), x0 = x.rounded(.down)
                    let fy = y - y0, fx = x - x0
                    let iy = Int(y0), ix = Int(x0)
                    for (dy, dx, w) in [(0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx), (1, 0, fy * (1 - fx)), (1, 1, fy * fx)] {
                        let ry = resolve(iy + dy, height, fill.mode), rx = resolve(ix + dx, width, fill.mode)
                        taps.append(w == 0 ? -1 : (ry < 0 || rx < 0 ? -1 : ry * width + rx))
                        weights.append(w == 0 ? 0 : w)
                    }
                }
            }
            return Map(taps: taps, weights: weights, fillValue: fill.mode == .constant ? fill.value : 0)
        }

        /// The index `i` on an axis of `n` pixels under `mode`; −1 outside for `constant`.
        static func resolve(_ i: Int, _ n: Int, _ mode: AugmentationFill.Mode) -> Int {
            if i >= 0 && i < n { return i }
            switch mode {
            case .constant: return -1
            case .nearest: return Swift.min(Swift.max(i, 0), n - 1)
            case .wrap: return ((i % n) + n) % n
            case .reflect:
                let period = 2 * n
                var k = ((i % period) + period) % period
                if k >= n { k = period - 1 - k }
                return k
            }
        }
    }

    /// Keras' inference path of `random_crop`: the largest centred window with the
    /// target's aspect ratio, resized bilinearly (half-pixel centres) to `outH × outW`.
    static func centreResize(height: Int, width: Int, to outH: Int, _ outW: Int) -> Map {
        let windowH = Swift.min(Double(height), Double(width) * Double(outH) / Double(outW))
        let windowW = Swift.min(Double(width), Double(height) * Double(outW) / Double(outH))
        let top = (Double(height) - windowH) / 2, left = (Double(width) - windowW) / 2
        let sy = windowH / Double(outH), sx = windowW / Double(outW)
        return Map.affine(height: height, width: width, outHeight: outH, outWidth: outW, fill: AugmentationFill(mode: .nearest)) { r, c in
            (top + (Double(r) + 0.5) * sy - 0.5, left + (Double(c) + 0.5) * sx - 0.5)
        }
    }

    /// One map per sample.
    let maps: [Map]
    let channels: Int
    let inputPixels: Int

    func apply<S: TensorScalar>(_ x: Variable<S>, on tape: Tape<S>, outputShape: [Int]) -> Variable<S> {
        let input = tape.value(x)
        let batch = input.shape[0]
        let outPixels = outputShape[0] * outputShape[1]
        let ch = channels, inPixels = inputPixels
        let maps = self.maps
        func linear(_ src: Tensor<S>, withFill: Bool) -> Tensor<S> {
            var out = [S](repeating: 0, count: batch * outPixels * ch)
            src.scalars.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    for b in 0..<batch {
                        let m = maps[b]
                        for p in 0..<outPixels {
                            let dst = (b * outPixels + p) * ch
                            var fillWeight = 0.0
                            for t in 0..<4 {
                                let tap = m.taps[p * 4 + t], w = m.weights[p * 4 + t]
                                if tap < 0 { fillWeight += w; continue }
                                let sw = S(w), from = (b * inPixels + tap) * ch
                                for c in 0..<ch { o[dst + c] += sw * s[from + c] }
                            }
                            if withFill && fillWeight != 0 && m.fillValue != 0 {
                                for c in 0..<ch { o[dst + c] += S(fillWeight * m.fillValue) }
                            }
                        }
                    }
                }
            }
            return Tensor(unchecked: [batch] + outputShape, scalars: out)
        }
        let shape = input.shape
        return tape.custom([x], value: linear(input, withFill: true), vjp: { g in
            var gx = [S](repeating: 0, count: batch * inPixels * ch)
            g.scalars.withUnsafeBufferPointer { gs in
                gx.withUnsafeMutableBufferPointer { o in
                    for b in 0..<batch {
                        let m = maps[b]
                        for p in 0..<outPixels {
                            let src = (b * outPixels + p) * ch
                            for t in 0..<4 {
                                let tap = m.taps[p * 4 + t]
                                guard tap >= 0 else { continue }
                                let sw = S(m.weights[p * 4 + t]), to = (b * inPixels + tap) * ch
                                for c in 0..<ch { o[to + c] += sw * gs[src + c] }
                            }
                        }
                    }
                }
            }
            return [Tensor(unchecked: shape, scalars: gx)]
        }, jvp: { u in
            guard let u = u[0] else { return Tensor(unchecked: [batch] + outputShape, scalars: [S](repeating: 0, count: batch * outPixels * ch)) }
            return linear(u, withFill: false)
        })
    }
}

/// `random_contrast`'s op: per sample `b` and channel, `y = f_b (x − m) + m` with `m`
/// the channel's mean over the pixels. VJP and JVP: `f_b v + (1 − f_b) mean(v)` per
/// channel (the map is symmetric). Cost O(batch · pixels · channels).
struct AugmentationContrast {
    let factors: [Double]
    let pixels: Int
    let channels: Int

    func apply<S: TensorScalar>(_ x: Variable<S>, on tape: Tape<S>) -> Variable<S> {
        let factors = self.factors, pixels = self.pixels, ch = channels
        func mix(_ v: Tensor<S>) -> Tensor<S> {
            var out = v.scalars
            out.withUnsafeMutableBufferPointer { o in
                for b in 0..<factors.count {
                    let f = S(factors[b]), base = b * pixels * ch
                    for c in 0..<ch {
                        var sum = S(0)
                        for p in 0..<pixels { sum += o[base + p * ch + c] }
                        let mean = sum / S(pixels)
                        for p in 0..<pixels { o[base + p * ch + c] = f * (o[base + p * ch + c] - mean) + mean }
                    }
                }
            }
            return Tensor(unchecked: v.shape, scalars: out)
        }
        let shape = tape.value(x).shape
        return tape.custom([x], value: mix(tape.value(x)), vjp: { g in [mix(g)] }, jvp: { u in
            u[0].map(mix) ?? Tensor(unchecked: shape, scalars: [S](repeating: 0, count: shape.reduce(1, *)))
        })
    }
}
