import GradCheckTensor

/// A ``PerturbableObjective`` made of two closures: the function, and its gradient.
///
/// Each perturbation evaluates `function` once on a copy of the arguments, so the cost is
/// `2 · (number of elements checked)` calls: right for ops, custom layers and small
/// functions; the model objectives are faster for whole networks.
public struct ClosureObjective: PerturbableObjective {
    public let arguments: [CheckArgument]
    private let function: @Sendable ([Tensor<Double>]) -> Double
    private let gradient: @Sendable ([Tensor<Double>]) -> [Tensor<Double>]
    private let base: Double

    /// Wraps `function` (a scalar of the arguments' values, in order) and `gradient`
    /// (one tensor per argument, of its shape).
    public init(
        arguments: [CheckArgument],
        function: @escaping @Sendable ([Tensor<Double>]) -> Double,
        gradient: @escaping @Sendable ([Tensor<Double>]) -> [Tensor<Double>]
    ) {
        self.arguments = arguments
        self.function = function
        self.gradient = gradient
        self.base = function(arguments.map(\.value))
    }

    public func analyticGradients() -> [Tensor<Double>] { gradient(arguments.map(\.value)) }

    public func deltas(argument: Int, elements: [Int], values: [Double]) -> [Double] {
        var point = arguments.map(\.value)
        return zip(elements, values).map { element, value in
            let saved = point[argument].scalars[element]
            point[argument].scalars[element] = value
            defer { point[argument].scalars[element] = saved }
            return function(point) - base
        }
    }

    public func deltas(argument: Int, directions: [Tensor<Double>]) -> [Double] {
        directions.map { d in
            var point = arguments.map(\.value)
            point[argument].add(d)
            return function(point) - base
        }
    }
}
