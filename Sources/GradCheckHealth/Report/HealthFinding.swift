/// One problem the report found: what, how bad, where, when, the numbers behind it, and
/// what to do about it.
public struct HealthFinding: Sendable, Equatable {
    /// A number behind a finding, by name (`baseline_norm`, `growth`).
    public struct Evidence: Sendable, Equatable {
        /// The name, in `snake_case`.
        public var name: String
        /// The value (may be NaN or infinite).
        public var value: Double

        /// Creates an evidence entry.
        public init(_ name: String, _ value: Double) {
            self.name = name
            self.value = value
        }
    }

    /// The problem.
    public var kind: FindingKind
    /// How bad it is.
    public var severity: Severity
    /// One or two sentences with the numbers.
    public var message: String
    /// The layer it concerns, if one.
    public var layer: String?
    /// The parameter it concerns, if one.
    public var parameter: String?
    /// The first step showing the problem.
    public var firstStep: Int?
    /// The last step showing the problem.
    public var lastStep: Int?
    /// The numbers the rule looked at, in a fixed order.
    public var evidence: [Evidence]
    /// What to change, concretely.
    public var suggestion: String
    /// The finding's identifier in its report: `kind`, or `kind:layer` when it concerns
    /// a layer (`dead_units:dense_2`), with `#2`, `#3`... appended to repeats. Stable for
    /// a given log and thresholds; what ``consequenceOf`` refers to.
    public var id: String
    /// The ``id`` of the finding this one follows from (its cause), or `nil` for a root
    /// cause. See ``HealthReport`` for the rules.
    public var consequenceOf: String?

    /// Creates a finding.
    public init(kind: FindingKind, severity: Severity, message: String, layer: String? = nil, parameter: String? = nil,
                firstStep: Int? = nil, lastStep: Int? = nil, evidence: [Evidence] = [], suggestion: String) {
        self.kind = kind
        self.severity = severity
        self.message = message
        self.layer = layer
        self.parameter = parameter
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.evidence = evidence
        self.suggestion = suggestion
        self.id = kind.rawValue + (layer.map { ":" + $0 } ?? "")
        self.consequenceOf = nil
    }

    /// Whether the finding is a root cause: it follows from no other finding.
    public var isRootCause: Bool { consequenceOf == nil }

    /// The evidence value named `name`, if present.
    public func evidence(_ name: String) -> Double? {
        evidence.first { $0.name == name }?.value
    }

    /// `steps 12–40`, `step 12`, or the empty string.
    var stepRange: String {
        switch (firstStep, lastStep) {
        case let (a?, b?) where a != b: return "steps \(a)–\(b)"
        case let (a?, _): return "step \(a)"
        case let (nil, b?): return "step \(b)"
        default: return ""
        }
    }
}
