import Foundation

/// The element types a ``Tensor`` can hold: `Float` for training, `Double` for checking.
///
/// The protocol gathers the elementary functions the kernels need, so that generic code
/// specialises to direct calls into the platform's libm for each concrete type.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// `e` raised to `x`.
    static func exp(_ x: Self) -> Self
    /// `exp(x) - 1`, accurate near zero.
    static func expm1(_ x: Self) -> Self
    /// Natural logarithm; `-inf` at 0, NaN below 0.
    static func log(_ x: Self) -> Self
    /// `log(1 + x)`, accurate near zero.
    static func log1p(_ x: Self) -> Self
    /// Hyperbolic tangent.
    static func tanh(_ x: Self) -> Self
    /// The error function.
    static func erf(_ x: Self) -> Self
    /// `x` raised to `y`.
    static func pow(_ x: Self, _ y: Self) -> Self
    /// The unit roundoff of this type, used to size finite-difference steps and tolerances.
    static var unitRoundoff: Self { get }
}

extension Double: TensorScalar {
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inlinable public static var unitRoundoff: Double { Double.ulpOfOne / 2 }
}

extension Float: TensorScalar {
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func expm1(_ x: Float) -> Float { Foundation.expm1f(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
    @inlinable public static var unitRoundoff: Float { Float.ulpOfOne / 2 }
}
