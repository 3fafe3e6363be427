/// A live alert: a rule that fired while the run was going, returned by
/// ``HealthMonitor/recordStep(loss:gradients:parameters:updates:gradNorm:clippedGradNorm:learningRate:activations:nonfinite:step:epoch:)``
/// and written as an `alert` line.
///
/// ```json
/// {"event": "alert", "kind": "exploding_gradients", "severity": "warning", "step": 40, "layer": "dense_1", "message": "..."}
/// ```
public struct HealthAlert: Sendable, Equatable, CustomStringConvertible {
    /// The problem, with the names of the report's findings.
    public var kind: FindingKind
    /// How bad it is.
    public var severity: Severity
    /// The step at which the rule fired.
    public var step: Int
    /// The layer it concerns, if one.
    public var layer: String?
    /// The parameter it concerns, if one.
    public var parameter: String?
    /// A sentence for people, with the numbers.
    public var message: String

    /// Creates an alert.
    public init(kind: FindingKind, severity: Severity, step: Int, layer: String? = nil, parameter: String? = nil,
                message: String) {
        self.kind = kind
        self.severity = severity
        self.step = step
        self.layer = layer
        self.parameter = parameter
        self.message = message
    }

    /// `step 40: warning exploding_gradients (dense_1): MESSAGE`.
    public var description: String {
        var text = "step \(step): \(severity.rawValue) \(kind.rawValue)"
        if let where_ = layer ?? parameter { text += " (\(where_))" }
        return text + ": " + message
    }
}
