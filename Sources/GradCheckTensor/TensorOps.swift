/// Elementwise maps, matrix products and reductions on ``Tensor``.
///
/// These are the plain (non-differentiable) kernels; the autodiff tape calls them for
/// both forward values and vector–Jacobian products.
extension Tensor {
    /// Applies `f` to every element.
    ///
    /// - Complexity: O(count), one allocation.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        let out = [Scalar](unsafeUninitializedCapacity: count) { buf, n in
            scalars.withUnsafeBufferPointer { src in
                for i in 0..<src.count { buf[i] = f(src[i]) }
            }
            n = count
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// Combines two tensors of the same shape element by element.
    ///
    /// - Precondition: `shape == other.shape`.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func zipMap(_ other: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(count == other.count, "zipMap: \(shape) vs \(other.shape)")
        let out = [Scalar](unsafeUninitializedCapacity: count) { buf, n in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { buf[i] = f(a[i], b[i]) }
                }
            }
            n = count
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// Adds `other` (same element count) into `self`.
    @inlinable
    public mutating func add(_ other: Tensor) {
        precondition(count == other.count, "add: \(shape) vs \(other.shape)")
        scalars.withUnsafeMutableBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
            }
        }
    }

    /// Multiplies every element by `factor` in place.
    @inlinable
    public mutating func scale(by factor: Scalar) {
        scalars.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] *= factor }
        }
    }

    /// The sum of all elements, accumulated pairwise in blocks for accuracy.
    ///
    /// - Complexity: O(count).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sum() -> Scalar {
        scalars.withUnsafeBufferPointer { _pairwiseSum($0) }
    }

    /// The Euclidean norm, overflow- and underflow-safe (scaled by the largest magnitude).
    ///
    /// - Complexity: O(count), two passes.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func norm() -> Scalar {
        scalars.withUnsafeBufferPointer { _scaledNorm($0) }
    }

    /// The largest absolute value (0 for an empty tensor); NaN if any element is NaN.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func maxAbs() -> Scalar {
        var m: Scalar = 0
        for x in scalars {
            if x.isNaN { return .nan }
            m = Swift.max(m, abs(x))
        }
        return m
    }

    /// The number of rows when the last axis is read as columns: the product of the
    /// leading axes (`count / shape.last`, and still right when the last axis is 0).
    @inlinable public var rowCount: Int { shape.dropLast().reduce(1, *) }
    /// The size of the last axis (1 for a scalar).
    @inlinable public var columnCount: Int { shape.last ?? 1 }

    /// Matrix product on the last axis: `self` is read as `[rows, k]` (all leading axes
    /// flattened), `rhs` as `[k, n]`; the result has `self`'s leading axes and `n` columns.
    ///
    /// - Precondition: `self.shape.last == rhs.shape[0]` and `rhs.rank == 2`.
    /// - Complexity: O(rows · k · n).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func matmul(_ rhs: Tensor, transposeRHS: Bool = false) -> Tensor {
        precondition(rhs.rank == 2)
        let k = columnCount
        let n = transposeRHS ? rhs.shape[0] : rhs.shape[1]
        precondition((transposeRHS ? rhs.shape[1] : rhs.shape[0]) == k, "matmul: \(shape) × \(rhs.shape)")
        let m = rowCount
        var outShape = shape
        if outShape.isEmpty { outShape = [n] } else { outShape[outShape.count - 1] = n }
        var out = [Scalar](repeating: 0, count: m * n)
        scalars.withUnsafeBufferPointer { a in
            rhs.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    gemm(m: m, n: n, k: k,
                         a: a.baseAddress!, aRowStride: k, aColumnStride: 1,
                         b: b.baseAddress!,
                         bRowStride: transposeRHS ? 1 : n, bColumnStride: transposeRHS ? k : 1,
                         c: c.baseAddress!, cRowStride: n, accumulate: false)
                }
            }
        }
        return Tensor(unchecked: outShape, scalars: out)
    }

    /// `selfᵀ · rhs` over rows: `self` is `[rows, k]`, `rhs` is `[rows, n]`, the result `[k, n]`.
    /// This is the kernel gradient of a dense layer.
    ///
    /// - Complexity: O(rows · k · n).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func transposedMatmul(_ rhs: Tensor) -> Tensor {
        let k = columnCount, n = rhs.columnCount, m = rowCount
        precondition(rhs.rowCount == m, "transposedMatmul: \(shape) vs \(rhs.shape)")
        var out = [Scalar](repeating: 0, count: k * n)
        scalars.withUnsafeBufferPointer { a in
            rhs.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    gemm(m: k, n: n, k: m,
                         a: a.baseAddress!, aRowStride: 1, aColumnStride: k,
                         b: b.baseAddress!, bRowStride: n, bColumnStride: 1,
                         c: c.baseAddress!, cRowStride: n, accumulate: false)
                }
            }
        }
        return Tensor(unchecked: [k, n], scalars: out)
    }

    /// Adds `row` (length `columnCount`) to every row.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func addingRow(_ row: Tensor) -> Tensor {
        var out = self
        out.addRow(row)
        return out
    }

    /// Adds `row` (length `columnCount`) to every row in place.
    @inlinable
    public mutating func addRow(_ row: Tensor) {
        let n = columnCount
        precondition(row.count == n, "addRow: \(shape) + \(row.shape)")
        guard n > 0 else { return }
        scalars.withUnsafeMutableBufferPointer { a in
            row.scalars.withUnsafeBufferPointer { r in
                // Raw pointers: no bounds checks, so each row's loop vectorises.
                guard let ap = a.baseAddress, let rp = r.baseAddress else { return }
                var base = 0
                while base < a.count {
                    let dst = ap + base
                    for j in 0..<n { dst[j] += rp[j] }
                    base += n
                }
            }
        }
    }

    /// The sum over rows: a `[columnCount]` tensor (the bias gradient of a dense layer).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sumRows() -> Tensor {
        let n = columnCount
        var out = [Scalar](repeating: 0, count: n)
        guard n > 0 else { return Tensor(unchecked: [n], scalars: out) }
        scalars.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                // Raw pointers: no bounds checks, so each row's loop vectorises (the sum
                // over rows stays in row order for every column).
                guard let ap = a.baseAddress, let op = o.baseAddress else { return }
                var base = 0
                while base < a.count {
                    let src = ap + base
                    for j in 0..<n { op[j] += src[j] }
                    base += n
                }
            }
        }
        return Tensor(unchecked: [n], scalars: out)
    }

    /// Sums each sample (first axis) over all its other axes: a `[batch]` tensor.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func sumPerSample() -> Tensor {
        let b = shape.first ?? 1
        let per = b == 0 ? 0 : count / b
        var out = [Scalar](repeating: 0, count: b)
        scalars.withUnsafeBufferPointer { a in
            for i in 0..<b {
                out[i] = _pairwiseSum(UnsafeBufferPointer(rebasing: a[(i * per)..<((i + 1) * per)]))
            }
        }
        return Tensor(unchecked: [b], scalars: out)
    }

    /// The rows at `indices` of the first axis, in that order (a gather).
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let per = shape.isEmpty || shape[0] == 0 ? 0 : count / shape[0]
        var out = [Scalar]()
        out.reserveCapacity(indices.count * per)
        for i in indices { out.append(contentsOf: scalars[(i * per)..<((i + 1) * per)]) }
        var s = shape
        s[0] = indices.count
        return Tensor(unchecked: s, scalars: out)
    }

    /// `copies` copies of this tensor stacked along the first axis.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func repeated(_ copies: Int) -> Tensor {
        var out = [Scalar]()
        out.reserveCapacity(copies * count)
        for _ in 0..<copies { out.append(contentsOf: scalars) }
        var s = shape
        if s.isEmpty { s = [copies] } else { s[0] *= copies }
        return Tensor(unchecked: s, scalars: out)
    }
}

/// Pairwise summation: error O(log n · ε) instead of O(n · ε).
@inlinable
@_specialize(where S == Double)
@_specialize(where S == Float)
public func _pairwiseSum<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> S {
    let n = x.count
    if n <= 128 {
        var s: S = 0
        for v in x { s += v }
        return s
    }
    let half = n / 2
    return _pairwiseSum(UnsafeBufferPointer(rebasing: x[0..<half]))
        + _pairwiseSum(UnsafeBufferPointer(rebasing: x[half..<n]))
}

/// `sqrt(sum(x²))` computed as `m · sqrt(sum((x/m)²))` with `m = max|x|`, so that 1e200
/// entries do not overflow and 1e-200 entries do not underflow to zero.
@inlinable
@_specialize(where S == Double)
@_specialize(where S == Float)
public func _scaledNorm<S: TensorScalar>(_ x: UnsafeBufferPointer<S>) -> S {
    var m: S = 0
    for v in x {
        if !v.isFinite { return v.isNaN ? .nan : .infinity }
        m = max(m, abs(v))
    }
    if m == 0 { return 0 }
    // Divide rather than multiply by 1/m: 1/m overflows to inf when m is subnormal.
    var s: S = 0
    for v in x {
        let t = v / m
        s += t * t
    }
    return m * s.squareRoot()
}
