/// Root causes and their consequences: links each finding to the finding it follows from,
/// and orders the report so that a cause comes first and its consequences under it.
///
/// A finding *B* is a consequence of a finding *A* when all of these hold:
///
/// 1. *A*'s kind can cause *B*'s (``canCause(_:_:)``: vanishing or dead units after a
///    divergence or NaN, exploding gradients after a learning-rate jump or large updates,
///    dead units after an exploding step, a plateau after vanishing gradients, ...);
/// 2. *A* starts first: its first step is earlier, or the same with *A*'s kind earlier in
///    the chain ``chain`` (a learning-rate jump, large updates, exploding gradients, a
///    non-finite value, loss divergence, dead units, saturation, attention collapse,
///    vanishing gradients, small
///    updates, oscillation, plateau);
/// 3. *B* starts no later than ``HealthThresholds/consequenceGap`` of the run (at least 20
///    steps) after *A*'s last step;
/// 4. for dead units or saturation causing vanishing gradients, the vanishing layer is the
///    same layer or one below it (nearer the input).
///
/// Of the findings that qualify, the one that started last is the cause (the nearest link
/// of a chain: exploding → non-finite → divergence). Finding order is then: root causes,
/// worst tree first (the most severe finding among a root and its consequences), then by
/// first step; each followed by its consequences, depth first, in order of first step.
/// The first root cause is the one the verdict names.
enum CausalOrder {
    /// The order in which kinds are taken as causes when they start on the same step.
    static let chain: [FindingKind] = [
        .learningRateJump, .largeUpdates, .explodingGradients, .nonfinite, .lossDivergence, .deadUnits, .saturation,
        .attentionCollapse, .vanishingGradients, .smallUpdates, .oscillatingLoss, .lossPlateau,
    ]

    /// Whether a finding of kind `a` can explain one of kind `b`.
    static func canCause(_ a: FindingKind, _ b: FindingKind) -> Bool {
        switch a {
        case .learningRateJump:
            return [.explodingGradients, .lossDivergence, .nonfinite, .largeUpdates, .oscillatingLoss, .deadUnits,
                    .saturation, .attentionCollapse, .vanishingGradients, .lossPlateau].contains(b)
        case .largeUpdates:
            return [.explodingGradients, .lossDivergence, .nonfinite, .oscillatingLoss, .deadUnits, .saturation,
                    .attentionCollapse].contains(b)
        case .explodingGradients:
            return [.nonfinite, .lossDivergence, .deadUnits, .largeUpdates, .vanishingGradients, .oscillatingLoss,
                    .saturation, .attentionCollapse, .lossPlateau].contains(b)
        case .nonfinite, .lossDivergence:
            return [.nonfinite, .lossDivergence, .explodingGradients, .vanishingGradients, .deadUnits, .saturation,
                    .lossPlateau, .largeUpdates, .smallUpdates, .oscillatingLoss].contains(b)
        case .deadUnits, .saturation:
            return [.vanishingGradients, .lossPlateau, .smallUpdates].contains(b)
        case .attentionCollapse:
            // A saturated softmax passes little gradient, and collapse goes with unstable
            // training (Zhai et al. 2023).
            return [.vanishingGradients, .lossPlateau, .smallUpdates, .oscillatingLoss].contains(b)
        case .vanishingGradients:
            return [.lossPlateau, .smallUpdates].contains(b)
        case .smallUpdates:
            return b == .lossPlateau
        case .oscillatingLoss, .lossPlateau:
            return false
        }
    }

    /// `findings` with unique ids, each linked to its cause, in report order; a
    /// learning-rate jump that explains something becomes a warning.
    static func order(_ findings: [HealthFinding], run: RunSeries, thresholds t: HealthThresholds) -> [HealthFinding] {
        var fs = findings
        var seen: [String: Int] = [:]
        for k in fs.indices {
            let base = fs[k].id
            let n = (seen[base] ?? 0) + 1
            seen[base] = n
            if n > 1 { fs[k].id = base + "#\(n)" }
        }
        let layerOrder = Dictionary(run.layerGradients.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let gap = Swift.max(20, Int((t.consequenceGap * Double(run.totalSteps)).rounded(.up))) + run.bucketWidth
        func key(_ f: HealthFinding) -> (Int, Int) {
            (f.firstStep ?? Int.max, chain.firstIndex(of: f.kind) ?? chain.count)
        }
        func explains(_ a: HealthFinding, _ b: HealthFinding) -> Bool {
            guard canCause(a.kind, b.kind), let sa = a.firstStep, let sb = b.firstStep, key(a) < key(b) else { return false }
            if sb > (a.lastStep ?? sa) + gap { return false }
            if b.kind == .vanishingGradients, a.kind == .deadUnits || a.kind == .saturation,
               let la = a.layer.flatMap({ layerOrder[$0] }), let lb = b.layer.flatMap({ layerOrder[$0] }), lb > la {
                return false
            }
            return true
        }
        var cause = [Int?](repeating: nil, count: fs.count)
        for b in fs.indices {
            let candidates = fs.indices.filter { $0 != b && explains(fs[$0], fs[b]) }
            cause[b] = candidates.max { key(fs[$0]) < key(fs[$1]) }
            fs[b].consequenceOf = cause[b].map { fs[$0].id }
        }
        var children = [[Int]](repeating: [], count: fs.count)
        for b in fs.indices { if let a = cause[b] { children[a].append(b) } }
        for a in fs.indices where fs[a].kind == .learningRateJump && !children[a].isEmpty {
            fs[a].severity = Swift.max(fs[a].severity, .warning)
        }
        func worst(_ i: Int) -> Severity { children[i].map(worst).reduce(fs[i].severity, Swift.max) }
        // Input order is the rank on ties (most severe first, then first step, then rule order).
        let roots = fs.indices.filter { cause[$0] == nil }.sorted { a, b in
            let wa = worst(a), wb = worst(b)
            if wa != wb { return wa > wb }
            let sa = fs[a].firstStep ?? Int.max, sb = fs[b].firstStep ?? Int.max
            return sa != sb ? sa < sb : a < b
        }
        var ordered: [HealthFinding] = []
        func visit(_ i: Int) {
            ordered.append(fs[i])
            for c in children[i].sorted(by: { key(fs[$0]) < key(fs[$1]) }) { visit(c) }
        }
        for r in roots { visit(r) }
        return ordered
    }
}
