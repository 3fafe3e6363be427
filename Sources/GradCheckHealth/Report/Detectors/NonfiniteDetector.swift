/// `nonfinite` (critical): the first step where the loss, a gradient, weight or update
/// norm, or an activation statistic is NaN or infinite, or where the log locates one
/// (`nonfinite` entries: pass, layer, op). Reports where it first appeared and how many
/// steps it affected (DeepDiagnosis: numerical errors; AutoTrainer: NaN loss, gradient,
/// weight).
enum NonfiniteDetector: HealthDetector {
    static let judgesFiniteStepsOnly = false

    static func findings(in run: RunSeries, thresholds: HealthThresholds) -> [HealthFinding] {
        var affected: [Int] = []
        var located: [Int: NonfiniteOrigin] = [:]
        for (i, origin) in run.nonfinite where located[i] == nil { located[i] = origin }
        for i in 0..<run.count where !run.stepIsFinite[i] { affected.append(i) }
        guard let first = affected.first, let last = affected.last else { return [] }

        var layer: String?, parameter: String?
        var place: String
        if let origin = located[first] {
            layer = origin.layer
            parameter = origin.parameter
            place = "in " + origin.summary
        } else {
            let bad = run.parameters.filter { p in !(p.gradNorm[first] ?? 0).isFinite }.map(\.info)
            if !run.loss[first].isFinite {
                place = "in the loss (\(NumberText.short(run.loss[first])))"
                if !bad.isEmpty { place += " and the gradients of \(names(bad.map(\.name)))" }
            } else if !bad.isEmpty {
                place = "in the gradients of \(names(bad.map(\.name)))"
            } else if let p = run.parameters.first(where: { !($0.weightNorm[first] ?? 0).isFinite || !($0.updateNorm[first] ?? 0).isFinite }) {
                place = "in the weights or update of \(p.info.name)"
                parameter = p.info.name
                layer = p.info.layer
            } else if let a = run.activations.first(where: { !($0.mean[first] ?? 0).isFinite || !($0.std[first] ?? 0).isFinite }) {
                place = "in the outputs of \(a.name)"
                layer = a.name
            } else {
                place = "in the global gradient norm"
            }
            if let p = bad.first {
                parameter = p.name
                layer = p.layer
            }
        }
        let suggestion: String
        if let origin = located[first], origin.pass == .inputs {
            suggestion = "Check the data: a NaN or infinity in the inputs (a missing value in a CSV row) reaches the loss. "
                + "Clean or impute the row, and assert that every batch is finite before training on it."
        } else {
            suggestion = "Find the operation that produced it (log of 0, division by 0, exp overflow): use the fused "
                + "from_logits losses, add an epsilon where the model divides or takes logs, lower the learning rate, "
                + "clip the global gradient norm, and check the inputs for NaN."
        }
        let message = "A non-finite value first appeared at step \(run.step(first)) \(place); "
            + "\(affected.count) of \(run.count) steps are affected."
        return [HealthFinding(kind: .nonfinite, severity: .critical, message: message, layer: layer, parameter: parameter,
                              firstStep: run.step(first), lastStep: run.step(last),
                              evidence: [.init("first_step", Double(run.step(first))),
                                         .init("steps_affected", Double(affected.count)),
                                         .init("finite_steps_before", Double(first))],
                              suggestion: suggestion)]
    }

    /// `a, b and 3 more`.
    static func names(_ list: [String]) -> String {
        if list.count <= 3 { return list.joined(separator: ", ") }
        return list.prefix(2).joined(separator: ", ") + " and \(list.count - 2) more"
    }
}
