#if canImport(_Differentiation)
import _Differentiation
import GradCheckTensor

/// `Tensor` as a Swift `Differentiable` value, so `@differentiable(reverse)` functions of
/// tensors can be checked.
///
/// The tangent of a tensor is a tensor of its shape. `zero` has no shape: it is the
/// rank-0 tensor `0`, and adding it to any tensor gives that tensor (Swift's autodiff
/// seeds accumulators with `zero` before it knows shapes).
extension Tensor: AdditiveArithmetic {
    public static var zero: Tensor { Tensor(scalar: 0) }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        if lhs.shape.isEmpty && lhs.scalars == [0] { return rhs }
        if rhs.shape.isEmpty && rhs.scalars == [0] { return lhs }
        precondition(lhs.shape == rhs.shape, "Tensor +: shapes \(lhs.shape) and \(rhs.shape)")
        return lhs.zipMap(rhs, +)
    }

    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        if rhs.shape.isEmpty && rhs.scalars == [0] { return lhs }
        if lhs.shape.isEmpty && lhs.scalars == [0] { return rhs.map { -$0 } }
        precondition(lhs.shape == rhs.shape, "Tensor -: shapes \(lhs.shape) and \(rhs.shape)")
        return lhs.zipMap(rhs, -)
    }
}

extension Tensor: Differentiable {
    public typealias TangentVector = Tensor
    public mutating func move(by offset: Tensor) { self = self + offset }
}
#endif
