import GradCheck

/// The message a failed gradient check reports: what a person needs to fix the bug.
///
/// One message per failing tensor: the target and parameter, the worst element's index,
/// the analytic and numerical values, the errors, the tolerance that was used, and how
/// many elements fail.
public enum GradientFailure {
    /// The messages for every failing result (kinks are not failures).
    public static func messages(_ results: [TensorCheckResult], tolerance: CheckTolerance) -> [String] {
        results.filter { $0.status == .fail }.map { message($0, tolerance: tolerance) }
    }

    /// The message for one failing result.
    public static func message(_ r: TensorCheckResult, tolerance: CheckTolerance) -> String {
        guard let w = r.worst else { return "\(r.parameter) (\(r.target)): gradient check failed" + (r.note.map { ": \($0)" } ?? "") }
        if r.method == .dotProduct {
            return "dot-product test of \(r.parameter) (\(r.target)) fails at probe \(w.index[0]): <u, J^T w> (pullback) "
                + "\(w.analytic), <J u, w> (differential) \(w.numerical) (abs err \(w.absoluteError), allowed "
                + "\(w.allowedError)). \(r.failures) of \(r.elementsChecked) probes fail."
        }
        let taylor = r.taylor.map { fit in
            " Taylor test: remainder rate " + (fit.rate.map { "\($0)" } ?? "none") + " (2 when correct)."
        } ?? ""
        let scale = max(abs(w.analytic), abs(w.numerical))
        let indices = r.failingElements.map { "\($0.index)" }.joined(separator: ", ")
        return "gradient of \(r.parameter)\(w.index) (\(r.target)) is wrong: analytic \(w.analytic), "
            + "numerical \(w.numerical) (abs err \(w.absoluteError), rel err \(w.relativeError)); "
            + "allowed \(w.allowedError) = atol \(tolerance.absolute) + rtol \(tolerance.relative) × \(scale), "
            + "step \(tolerance.step). \(r.failures) of \(r.elementsChecked) elements fail"
            + (r.failingElements.isEmpty ? "" : " (first: \(indices))") + "." + taylor
    }
}
