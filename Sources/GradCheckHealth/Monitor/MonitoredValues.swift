import GradCheckTensor

/// Values the ``HealthMonitor`` can read: a gradient, a parameter, an update or a layer's
/// activations, as `Tensor<Float>`, `Tensor<Double>`, `[Float]` or `[Double]`.
///
/// The monitor reads the elements in place through ``withMonitoredBuffer(_:)``: nothing is
/// copied, and nothing is kept after ``HealthMonitor/recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``
/// returns. Conform your own storage (a buffer from another framework) by exposing its
/// shape and a read-only buffer of its row-major elements.
public protocol MonitoredValues {
    /// The element type: `Float` or `Double`.
    associatedtype Scalar: TensorScalar

    /// The shape of the values, outermost axis first. A plain array reports `[count]`.
    ///
    /// For activations, the last axis is the unit axis: a unit is dead when its column is
    /// zero for every row (every sample, and every position of a convolution's output).
    var monitoredShape: [Int] { get }

    /// Calls `body` with the elements in row-major order.
    func withMonitoredBuffer<R>(_ body: (UnsafeBufferPointer<Scalar>) -> R) -> R
}

extension Tensor: MonitoredValues {
    /// The tensor's shape.
    public var monitoredShape: [Int] { shape }

    /// Calls `body` with the tensor's elements.
    @inlinable
    public func withMonitoredBuffer<R>(_ body: (UnsafeBufferPointer<Scalar>) -> R) -> R {
        scalars.withUnsafeBufferPointer(body)
    }
}

extension Array: MonitoredValues where Element: TensorScalar {
    /// `[count]`: a flat array has one axis.
    public var monitoredShape: [Int] { [count] }

    /// Calls `body` with the array's elements.
    @inlinable
    public func withMonitoredBuffer<R>(_ body: (UnsafeBufferPointer<Element>) -> R) -> R {
        withUnsafeBufferPointer(body)
    }
}

extension ContiguousArray: MonitoredValues where Element: TensorScalar {
    /// `[count]`: a flat array has one axis.
    public var monitoredShape: [Int] { [count] }

    /// Calls `body` with the array's elements.
    @inlinable
    public func withMonitoredBuffer<R>(_ body: (UnsafeBufferPointer<Element>) -> R) -> R {
        withUnsafeBufferPointer(body)
    }
}

extension MonitoredValues {
    /// The number of elements.
    var monitoredCount: Int { withMonitoredBuffer { $0.count } }

    /// Calls the `Float` or `Double` variant of a kernel on the elements, so that the
    /// kernel runs specialised whatever existential the values came through.
    func dispatch<R>(float: (UnsafeBufferPointer<Float>) -> R, double: (UnsafeBufferPointer<Double>) -> R,
                     other: (UnsafeBufferPointer<Scalar>) -> R) -> R {
        withMonitoredBuffer { buffer in
            if Scalar.self == Float.self {
                let p = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: Float.self)
                return float(UnsafeBufferPointer(start: p, count: buffer.count))
            }
            if Scalar.self == Double.self {
                let p = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: Double.self)
                return double(UnsafeBufferPointer(start: p, count: buffer.count))
            }
            return other(buffer)
        }
    }
}
