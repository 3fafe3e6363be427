#if canImport(_Differentiation)
import _Differentiation
import GradCheckTensor

/// A value the verifier can read as a flat list of scalars and rebuild from one.
///
/// Swift's `Differentiable` says nothing about how a value is laid out, so the verifier
/// cannot perturb "element 3" of an arbitrary type. Conform a type (and its
/// `TangentVector`) to this protocol to check `@differentiable` functions of it. The one
/// rule: a value and its tangent vector flatten in the *same order*, so that scalar `i` of
/// the gradient is the derivative with respect to scalar `i` of the value.
///
/// `Double`, `Float`, `[Double]`, `[Float]` (and their `DifferentiableView` tangents),
/// `SIMD2`…`SIMD64` of `Float`/`Double`, and ``Tensor`` conform already.
///
/// ```swift
/// struct Affine: Differentiable, ScalarFlattenable {
///     var w: Double, b: Double
///     var flattenedScalars: [Double] { [w, b] }
///     init(flattenedScalars s: [Double], like _: Affine) { w = s[0]; b = s[1] }
/// }
/// extension Affine.TangentVector: ScalarFlattenable { … same order … }
/// ```
public protocol ScalarFlattenable {
    /// The scalars, in a fixed order.
    var flattenedScalars: [Double] { get }
    /// A value with `scalars` in the order of ``flattenedScalars``, shaped like `template`
    /// (arrays and tensors take their count and shape from it).
    init(flattenedScalars scalars: [Double], like template: Self)
}

extension Double: ScalarFlattenable {
    public var flattenedScalars: [Double] { [self] }
    public init(flattenedScalars scalars: [Double], like _: Double) { self = scalars[0] }
}

extension Float: ScalarFlattenable {
    public var flattenedScalars: [Double] { [Double(self)] }
    public init(flattenedScalars scalars: [Double], like _: Float) { self = Float(scalars[0]) }
}

extension Array: ScalarFlattenable where Element: ScalarFlattenable {
    public var flattenedScalars: [Double] { flatMap(\.flattenedScalars) }
    public init(flattenedScalars scalars: [Double], like template: [Element]) {
        var out: [Element] = []
        var offset = 0
        for element in template {
            let n = element.flattenedScalars.count
            out.append(Element(flattenedScalars: [Double](scalars[offset..<(offset + n)]), like: element))
            offset += n
        }
        self = out
    }
}

extension Array.DifferentiableView: ScalarFlattenable where Element: ScalarFlattenable & Differentiable {
    public var flattenedScalars: [Double] { base.flattenedScalars }
    public init(flattenedScalars scalars: [Double], like template: Array.DifferentiableView) {
        self.init([Element](flattenedScalars: scalars, like: template.base))
    }
}

extension SIMD2: ScalarFlattenable where Scalar: ScalarFlattenable {}
extension SIMD4: ScalarFlattenable where Scalar: ScalarFlattenable {}
extension SIMD8: ScalarFlattenable where Scalar: ScalarFlattenable {}
extension SIMD16: ScalarFlattenable where Scalar: ScalarFlattenable {}
extension SIMD32: ScalarFlattenable where Scalar: ScalarFlattenable {}
extension SIMD64: ScalarFlattenable where Scalar: ScalarFlattenable {}

extension SIMD where Self: ScalarFlattenable, Scalar: ScalarFlattenable {
    public var flattenedScalars: [Double] { indices.flatMap { self[$0].flattenedScalars } }
    public init(flattenedScalars scalars: [Double], like template: Self) {
        var out = template
        for i in out.indices { out[i] = Scalar(flattenedScalars: [scalars[i]], like: template[i]) }
        self = out
    }
}

extension Tensor: ScalarFlattenable {
    public var flattenedScalars: [Double] { scalars.map { Double($0) } }
    public init(flattenedScalars scalars: [Double], like template: Tensor) {
        self.init(unchecked: template.shape, scalars: scalars.map { Scalar($0) })
    }
}
#endif
