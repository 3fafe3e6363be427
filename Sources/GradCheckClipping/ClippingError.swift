/// Why a clipper refused a gradient set, with the context needed to find the culprit.
///
/// The clippers know parameters by position; ``naming(_:)`` fills in names the caller
/// knows, so that ``description`` reads
/// `global_norm:1: gradient of parameter 2 "dense_1/kernel": 3 non-finite elements, the first NaN at [0, 4] (non-finite rule "error")`.
public struct ClippingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Sendable, Equatable {
        /// A gradient tensor holds `count` non-finite elements; the first is `value`.
        case nonFiniteGradient(value: NonFiniteValue, count: Int)
        /// A parameter tensor (AGC's weights) holds `count` non-finite elements; the first
        /// is `value`.
        case nonFiniteParameter(value: NonFiniteValue, count: Int)
        /// AGC was given a different number of parameter tensors than gradient tensors.
        case parameterCountMismatch(gradients: Int, parameters: Int)
        /// AGC was given a parameter whose shape differs from its gradient's.
        case shapeMismatch(gradient: [Int], parameter: [Int])
        /// A setting of the policy is out of range: its name, value and what it must be.
        case invalidSetting(name: String, value: Double, requirement: String)
    }

    /// The policy, as the CLI writes it (`global_norm:1`).
    public var policy: String
    /// What went wrong.
    public var problem: Problem
    /// The position of the offending parameter in model order, when one is to blame.
    public var parameterIndex: Int?
    /// The offending parameter's name, when the caller supplied names.
    public var parameterName: String?
    /// The per-axis index of the first offending element, when there is one.
    public var elementIndex: [Int]?

    /// Creates an error. - Complexity: O(1).
    public init(policy: String, problem: Problem, parameterIndex: Int? = nil,
                parameterName: String? = nil, elementIndex: [Int]? = nil) {
        self.policy = policy
        self.problem = problem
        self.parameterIndex = parameterIndex
        self.parameterName = parameterName
        self.elementIndex = elementIndex
    }

    /// The same error with ``parameterName`` taken from `names[parameterIndex]` (left
    /// as it is when there is no index or `names` is too short). - Complexity: O(1).
    public func naming(_ names: [String]) -> ClippingError {
        var copy = self
        if let i = parameterIndex, names.indices.contains(i) { copy.parameterName = names[i] }
        return copy
    }

    /// One line: the policy, the parameter, and what was wrong.
    public var description: String {
        var subject = ""
        if let i = parameterIndex {
            subject = "parameter \(i)"
            if let name = parameterName { subject += " \"\(name)\"" }
        }
        let at = elementIndex.map { " at \($0)" } ?? ""
        let message: String
        switch problem {
        case let .nonFiniteGradient(value, count):
            message = "gradient of \(subject): \(count) non-finite element\(count == 1 ? "" : "s"), the first \(value)\(at)"
                + " (non-finite rule \"error\"; choose skip_step, zero or propagate to go on)"
        case let .nonFiniteParameter(value, count):
            message = "value of \(subject): \(count) non-finite element\(count == 1 ? "" : "s"), the first \(value)\(at);"
                + " adaptive clipping needs finite weights"
        case let .parameterCountMismatch(gradients, parameters):
            message = "got \(gradients) gradient tensors but \(parameters) parameter tensors; adaptive clipping needs one parameter per gradient, in the same order"
        case let .shapeMismatch(gradient, parameter):
            message = "\(subject): gradient shape \(gradient) differs from parameter shape \(parameter)"
        case let .invalidSetting(name, value, requirement):
            message = "\(name) must be \(requirement), got \(value)"
        }
        return "\(policy): \(message)"
    }
}
