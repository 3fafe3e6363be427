/// The verdict on one element or one tensor.
public enum CheckStatus: String, Sendable, Codable, Comparable {
    /// Analytic and numerical gradients agree within tolerance.
    case pass
    /// They disagree, but the point sits on a kink: the one-sided differences disagree
    /// with each other (a jump in the derivative that persists as the step shrinks), and
    /// the analytic value lies between them. Not a bug.
    case kink
    /// They disagree and the disagreement is not explained by a kink.
    case fail

    private var order: Int { self == .pass ? 0 : (self == .kink ? 1 : 2) }
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.order < b.order }
}
