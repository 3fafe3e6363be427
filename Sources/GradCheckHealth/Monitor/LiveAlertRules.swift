/// The rules the monitor evaluates as a run goes, on one step's numbers and a little
/// state: the ones where knowing early saves a run. Each fires once per run and subject
/// (a layer, or the run), and again only to escalate from warning to critical.
///
/// - `nonfinite` (critical): the loss, a gradient, weight or update norm, or an activation
///   statistic is NaN or infinite, or the caller reported where one appeared.
/// - `exploding_gradients`: the global norm reaches ``HealthThresholds/explodingGrowth``
///   times its baseline (warning) or ``HealthThresholds/explodingCriticalGrowth`` times
///   (critical), or ``HealthThresholds/explodingNorm`` (warning; critical from
///   ``HealthThresholds/explodingCriticalNorm``).
/// - `loss_divergence` (critical): a finite loss above ``HealthThresholds/divergenceFactor``
///   times the larger of its baseline and its minimum so far.
/// - `vanishing_gradients` (warning): a layer's gradient norm below
///   ``HealthThresholds/vanishingRatio`` times the output layer's, or below
///   ``HealthThresholds/vanishingNorm``, on ``HealthThresholds/liveConfirmations``
///   consecutive steps.
/// - `dead_units`: a ReLU-family layer with at least ``HealthThresholds/deadFraction``
///   of its units dead on ``HealthThresholds/liveConfirmations`` consecutive measurements.
///
/// The report applies the full rule set to the whole log afterwards.
struct LiveAlertRules {
    let thresholds: HealthThresholds
    let groups: LayerGroups
    private var fired: [String: Severity] = [:]
    private var normBaseline: Baseline
    private var lossBaseline: Baseline
    private var minimumLoss = Double.infinity
    private var vanishingStreak: [Int]
    private var deadStreak: [String: Int] = [:]

    init(thresholds: HealthThresholds, groups: LayerGroups) {
        self.thresholds = thresholds
        self.groups = groups
        normBaseline = Baseline(count: thresholds.baselineSteps)
        lossBaseline = Baseline(count: thresholds.baselineSteps)
        vanishingStreak = Array(repeating: 0, count: groups.names.count)
    }

    /// The alerts that fire on `record`, given the per-layer gradient norms.
    mutating func evaluate(_ record: RunStep, layerNorms: [Double?]) -> [HealthAlert] {
        var alerts: [HealthAlert] = []
        func fire(_ kind: FindingKind, _ severity: Severity, subject: String? = nil, layer: String? = nil,
                  parameter: String? = nil, _ message: String) {
            let key = kind.rawValue + "|" + (subject ?? "")
            if let previous = fired[key], previous >= severity { return }
            fired[key] = severity
            alerts.append(HealthAlert(kind: kind, severity: severity, step: record.step, layer: layer,
                                      parameter: parameter, message: message))
        }
        let t = thresholds

        // Non-finite values.
        if let origin = record.nonfinite.first {
            fire(.nonfinite, .critical, layer: origin.layer, parameter: origin.parameter,
                 "a non-finite value appeared in \(origin.summary)")
        } else if !record.loss.isFinite {
            fire(.nonfinite, .critical, "the loss is \(NumberText.short(record.loss))")
        } else if let p = record.parameters.first(where: { !$0.gradNorm.isFinite }) {
            fire(.nonfinite, .critical, parameter: p.name, "the gradient of \(p.name) has norm \(NumberText.short(p.gradNorm))")
        } else if let p = record.parameters.first(where: { !($0.weightNorm ?? 0).isFinite || !($0.updateNorm ?? 0).isFinite }) {
            fire(.nonfinite, .critical, parameter: p.name, "the weights or update of \(p.name) are non-finite")
        } else if let l = record.layers.first(where: { !($0.mean ?? 0).isFinite || !($0.std ?? 0).isFinite }) {
            fire(.nonfinite, .critical, layer: l.name, "the outputs of \(l.name) are non-finite")
        }

        // Exploding global norm.
        let norm = record.gradNorm ?? TensorStatistics.combinedNorm(record.parameters.map(\.gradNorm))
        if let base = normBaseline.median, base > 0, norm.isFinite {
            let growth = norm / base
            if growth >= t.explodingCriticalGrowth {
                fire(.explodingGradients, .critical, "the global gradient norm \(NumberText.short(norm)) is "
                     + "\(NumberText.times(growth)) its baseline \(NumberText.short(base))")
            } else if growth >= t.explodingGrowth {
                fire(.explodingGradients, .warning, "the global gradient norm \(NumberText.short(norm)) is "
                     + "\(NumberText.times(growth)) its baseline \(NumberText.short(base))")
            }
        }
        if norm.isFinite, norm >= t.explodingNorm {
            fire(.explodingGradients, norm >= t.explodingCriticalNorm ? .critical : .warning,
                 "the global gradient norm \(NumberText.short(norm)) exceeds \(NumberText.short(t.explodingNorm))")
        }
        normBaseline.add(norm)

        // Loss divergence.
        if record.loss.isFinite {
            if let base = lossBaseline.median, base > 0, minimumLoss >= 0 {
                let reference = Swift.max(base, minimumLoss)
                if record.loss > t.divergenceFactor * reference {
                    fire(.lossDivergence, .critical, "the loss \(NumberText.short(record.loss)) is more than "
                         + "\(NumberText.times(t.divergenceFactor)) its baseline \(NumberText.short(base))")
                }
            }
            lossBaseline.add(record.loss)
            minimumLoss = Swift.min(minimumLoss, record.loss)
        }

        // Vanishing gradients, layer by layer against the output layer.
        if let last = layerNorms.last ?? nil, layerNorms.count >= 1 {
            for (k, n) in layerNorms.enumerated() {
                guard let n, n.isFinite else { vanishingStreak[k] = 0; continue }
                let ratioLow = k < layerNorms.count - 1 && last > 0 && n / last < t.vanishingRatio
                let absoluteLow = n < t.vanishingNorm
                vanishingStreak[k] = ratioLow || absoluteLow ? vanishingStreak[k] + 1 : 0
                if vanishingStreak[k] >= t.liveConfirmations {
                    let name = groups.names[k]
                    fire(.vanishingGradients, .warning, subject: name, layer: name,
                         ratioLow ? "the gradient norm of \(name) (\(NumberText.short(n))) has been below "
                            + "\(NumberText.short(t.vanishingRatio))× the output layer's (\(NumberText.short(last))) "
                            + "for \(t.liveConfirmations) steps"
                         : "the gradient norm of \(name) (\(NumberText.short(n))) has been below "
                            + "\(NumberText.short(t.vanishingNorm)) for \(t.liveConfirmations) steps")
                }
            }
        }

        // Dead units.
        for l in record.layers {
            guard let dead = l.deadFraction else { continue }
            let streak = dead >= t.deadFraction ? (deadStreak[l.name] ?? 0) + 1 : 0
            deadStreak[l.name] = streak
            if streak >= t.liveConfirmations {
                fire(.deadUnits, dead >= t.deadCriticalFraction ? .critical : .warning, subject: l.name, layer: l.name,
                     "\(NumberText.percent(dead)) of the units of \(l.name) are dead "
                     + "(\(t.liveConfirmations) measurements in a row)")
            }
        }
        return alerts
    }
}
