/// How settings are written in policy names: integers without a fraction (`1`, `25`),
/// other numbers in Swift's shortest round-trip form (`0.01`, `2.5`, `1e-05`).
enum NumberText {
    /// The text of `x`. - Complexity: O(1).
    static func string(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
