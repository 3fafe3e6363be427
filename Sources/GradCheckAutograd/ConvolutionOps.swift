import GradCheckTensor

/// The geometry of a 2-D window (a convolution kernel or a pooling window) sliding over
/// `[batch, height, width, channels]` input (channels last).
///
/// `valid` padding: `out = floor((n - k) / s) + 1`, no padding. `same` padding, as
/// TensorFlow pads: `out = ceil(n / s)`, total padding `max((out - 1) * s + k - n, 0)` per
/// axis, split with the odd one at the bottom / right (`before = total / 2`).
/// A dilated window (``dilationHeight``, ``dilationWidth`` above 1) reads every `d`-th
/// element, spanning `d · (k − 1) + 1` positions; explicit padding (the `causal` padding of
/// a 1-D convolution) comes from ``init(inputHeight:inputWidth:windowHeight:windowWidth:strideHeight:strideWidth:dilationHeight:dilationWidth:padTop:padBottom:padLeft:padRight:)``.
public struct Window2D: Sendable, Hashable, CustomStringConvertible {
    /// The input's height and width.
    public let inputHeight: Int, inputWidth: Int
    /// The window's height and width.
    public let windowHeight: Int, windowWidth: Int
    /// The window's step along height and width.
    public let strideHeight: Int, strideWidth: Int
    /// Padding above and to the left (the bottom / right padding is implied by the output size).
    public let padTop: Int, padLeft: Int
    /// Padding below and to the right.
    public let padBottom: Int, padRight: Int
    /// The output's height and width.
    public let outputHeight: Int, outputWidth: Int
    /// The step between the elements a window reads, along height and width (1: adjacent).
    public let dilationHeight: Int, dilationWidth: Int

    /// The geometry of a window on an input.
    ///
    /// - Parameter same: TensorFlow `same` padding; `false` is `valid` (an output of zero
    ///   positions when the window is larger than the input).
    public init(inputHeight: Int, inputWidth: Int, windowHeight: Int, windowWidth: Int,
                strideHeight: Int, strideWidth: Int, same: Bool) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.windowHeight = windowHeight
        self.windowWidth = windowWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.dilationHeight = 1
        self.dilationWidth = 1
        let h = Self.padding(input: inputHeight, window: windowHeight, stride: strideHeight, same: same)
        let w = Self.padding(input: inputWidth, window: windowWidth, stride: strideWidth, same: same)
        (padTop, padBottom, outputHeight) = h
        (padLeft, padRight, outputWidth) = w
    }

    /// The geometry of a dilated window with explicit padding on each side.
    ///
    /// The window spans `d · (k − 1) + 1` positions per axis, and the output has
    /// `max(floor((n + before + after − span) / s) + 1, 0)` positions.
    ///
    /// - Precondition: every size, stride and dilation is positive, every padding is ≥ 0.
    public init(inputHeight: Int, inputWidth: Int, windowHeight: Int, windowWidth: Int,
                strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int,
                padTop: Int, padBottom: Int, padLeft: Int, padRight: Int) {
        precondition(strideHeight > 0 && strideWidth > 0 && dilationHeight > 0 && dilationWidth > 0
                     && min(padTop, padBottom, padLeft, padRight) >= 0, "Window2D: bad geometry")
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.windowHeight = windowHeight
        self.windowWidth = windowWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
        self.padTop = padTop
        self.padBottom = padBottom
        self.padLeft = padLeft
        self.padRight = padRight
        func out(_ n: Int, _ k: Int, _ s: Int, _ d: Int, _ pad: Int) -> Int {
            let span = d * (k - 1) + 1
            return n + pad >= span ? (n + pad - span) / s + 1 : 0
        }
        outputHeight = out(inputHeight, windowHeight, strideHeight, dilationHeight, padTop + padBottom)
        outputWidth = out(inputWidth, windowWidth, strideWidth, dilationWidth, padLeft + padRight)
    }

    /// The padding before and after, and the output size, along one axis.
    ///
    /// `same`: `out = ceil(n / s)`, `total = max((out - 1) * s + k - n, 0)`,
    /// `before = total / 2`, `after = total - before`. `valid`: no padding,
    /// `out = max(floor((n - k) / s) + 1, 0)`.
    public static func padding(input n: Int, window k: Int, stride s: Int, same: Bool)
        -> (before: Int, after: Int, output: Int) {
        if same {
            let out = (n + s - 1) / s
            let total = Swift.max((out - 1) * s + k - n, 0)
            return (total / 2, total - total / 2, out)
        }
        return (0, 0, n >= k ? (n - k) / s + 1 : 0)
    }

    /// Elements per window and channel: `windowHeight · windowWidth`.
    public var windowSize: Int { windowHeight * windowWidth }

    public var description: String {
        "\(windowHeight)x\(windowWidth) window, strides \(strideHeight)x\(strideWidth)"
            + (dilationHeight == 1 && dilationWidth == 1 ? "" : ", dilation \(dilationHeight)x\(dilationWidth)") + ", on \(inputHeight)x\(inputWidth) "
            + "(padding top \(padTop), bottom \(padBottom), left \(padLeft), right \(padRight)) -> \(outputHeight)x\(outputWidth)"
    }
}

extension Tensor {
    /// The patches of an NHWC tensor as rows: `[batch · outH · outW, kh · kw · channels]`,
    /// each row the window at one output position in `(i, j, channel)` row-major order
    /// (the order of a Keras kernel `[kh, kw, in, filters]` read as `[kh · kw · in, filters]`),
    /// with zeros where the window lies in the padding.
    ///
    /// - Complexity: O(batch · outH · outW · kh · kw · channels).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func im2col(window w: Window2D) -> Tensor {
        let batch = shape[0], channels = shape[3]
        let rows = batch * w.outputHeight * w.outputWidth
        let width = w.windowSize * channels
        var out = [Scalar](repeating: 0, count: rows * width)
        scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { cs in
                let x = xs.baseAddress!, c = cs.baseAddress!
                var row = 0
                for b in 0..<batch {
                    let image = x + b * w.inputHeight * w.inputWidth * channels
                    for oh in 0..<w.outputHeight {
                        for ow in 0..<w.outputWidth {
                            let dst = c + row * width
                            for i in 0..<w.windowHeight {
                                let ih = oh * w.strideHeight - w.padTop + i * w.dilationHeight
                                guard ih >= 0 && ih < w.inputHeight else { continue }
                                for j in 0..<w.windowWidth {
                                    let iw = ow * w.strideWidth - w.padLeft + j * w.dilationWidth
                                    guard iw >= 0 && iw < w.inputWidth else { continue }
                                    let src = image + (ih * w.inputWidth + iw) * channels
                                    let d = dst + (i * w.windowWidth + j) * channels
                                    for ch in 0..<channels { d[ch] = src[ch] }
                                }
                            }
                            row += 1
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: [rows, width], scalars: out)
    }

    /// The adjoint of ``im2col(window:)``: sums each row's entries back into the NHWC
    /// positions they were read from (entries in the padding are dropped).
    ///
    /// - Parameter shape: the NHWC shape of the image tensor.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func col2im(window w: Window2D, shape imageShape: [Int]) -> Tensor {
        let batch = imageShape[0], channels = imageShape[3]
        let width = w.windowSize * channels
        var out = [Scalar](repeating: 0, count: imageShape.reduce(1, *))
        scalars.withUnsafeBufferPointer { cs in
            out.withUnsafeMutableBufferPointer { xs in
                let x = xs.baseAddress!, c = cs.baseAddress!
                var row = 0
                for b in 0..<batch {
                    let image = x + b * w.inputHeight * w.inputWidth * channels
                    for oh in 0..<w.outputHeight {
                        for ow in 0..<w.outputWidth {
                            let src = c + row * width
                            for i in 0..<w.windowHeight {
                                let ih = oh * w.strideHeight - w.padTop + i * w.dilationHeight
                                guard ih >= 0 && ih < w.inputHeight else { continue }
                                for j in 0..<w.windowWidth {
                                    let iw = ow * w.strideWidth - w.padLeft + j * w.dilationWidth
                                    guard iw >= 0 && iw < w.inputWidth else { continue }
                                    let dst = image + (ih * w.inputWidth + iw) * channels
                                    let s = src + (i * w.windowWidth + j) * channels
                                    for ch in 0..<channels { dst[ch] += s[ch] }
                                }
                            }
                            row += 1
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: imageShape, scalars: out)
    }
}

extension Tape {
    /// A 2-D convolution (cross-correlation, as Keras and PyTorch compute it) of NHWC input
    /// `x` `[batch, h, w, in]` with a kernel `[kh, kw, in, filters]`: output
    /// `[batch, outH, outW, filters]`, with the geometry (strides, padding) of `window`.
    ///
    /// Forward: im2col, then one blocked ``gemm(m:n:k:a:aRowStride:aColumnStride:b:bRowStride:bColumnStride:c:cRowStride:accumulate:)``
    /// with the kernel read as `[kh · kw · in, filters]`.
    /// VJP: `∂kernel = colsᵀ · g` (a gemm on the transposed view of the patches) and
    /// `∂x = col2im(g · kernelᵀ)`; each term only for an input that needs a gradient.
    ///
    /// - Complexity: O(batch · outH · outW · kh · kw · in · filters) forward and backward.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func conv2D(_ x: Variable<Scalar>, _ kernel: Variable<Scalar>, window: Window2D) -> Variable<Scalar> {
        let xv = values[x.index], kv = values[kernel.index]
        let cols = xv.im2col(window: window)
        let filters = kv.shape[3]
        let depth = cols.columnCount, rows = cols.rowCount
        var y = [Scalar](repeating: 0, count: rows * filters)
        cols.scalars.withUnsafeBufferPointer { a in
            kv.scalars.withUnsafeBufferPointer { k in
                y.withUnsafeMutableBufferPointer { c in
                    gemm(m: rows, n: filters, k: depth,
                         a: a.baseAddress!, aRowStride: depth, aColumnStride: 1,
                         b: k.baseAddress!, bRowStride: filters, bColumnStride: 1,
                         c: c.baseAddress!, cRowStride: filters, accumulate: false)
                }
            }
        }
        let out = Tensor(unchecked: [xv.shape[0], window.outputHeight, window.outputWidth, filters], scalars: y)
        let needX = needsGradient(x), needK = needsGradient(kernel)
        let inputShape = xv.shape, kernelShape = kv.shape
        return record(out, inputs: [x, kernel]) { g in
            var gx: Tensor<Scalar>?
            var gk: Tensor<Scalar>?
            g.scalars.withUnsafeBufferPointer { gs in
                if needK {
                    var dk = [Scalar](repeating: 0, count: depth * filters)
                    cols.scalars.withUnsafeBufferPointer { a in
                        dk.withUnsafeMutableBufferPointer { c in
                            gemm(m: depth, n: filters, k: rows,
                                 a: a.baseAddress!, aRowStride: 1, aColumnStride: depth,
                                 b: gs.baseAddress!, bRowStride: filters, bColumnStride: 1,
                                 c: c.baseAddress!, cRowStride: filters, accumulate: false)
                        }
                    }
                    gk = Tensor(unchecked: kernelShape, scalars: dk)
                }
                if needX {
                    var dcols = [Scalar](repeating: 0, count: rows * depth)
                    kv.scalars.withUnsafeBufferPointer { k in
                        dcols.withUnsafeMutableBufferPointer { c in
                            gemm(m: rows, n: depth, k: filters,
                                 a: gs.baseAddress!, aRowStride: filters, aColumnStride: 1,
                                 b: k.baseAddress!, bRowStride: 1, bColumnStride: filters,
                                 c: c.baseAddress!, cRowStride: depth, accumulate: false)
                        }
                    }
                    gx = Tensor(unchecked: [rows, depth], scalars: dcols).col2im(window: window, shape: inputShape)
                }
            }
            return [gx, gk]
        } jvp: { t in
            // Bilinear: J·(dx, dk) = conv(dx, k) + conv(x, dk).
            let scratch = Tape<Scalar>(recording: false)
            var terms: [Tensor<Scalar>?] = []
            if let dx = t[0] { terms.append(scratch.value(scratch.conv2D(scratch.constant(dx), scratch.constant(kv), window: window))) }
            if let dk = t[1] { terms.append(scratch.value(scratch.conv2D(scratch.constant(xv), scratch.constant(dk), window: window))) }
            return Self.sumTangents(terms, shape: out.shape)
        }
    }
}
