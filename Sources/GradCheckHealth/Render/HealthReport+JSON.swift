import GradCheckNN

extension HealthReport {
    /// The report as `gradcheck.health/1`: `format`, `verdict`, `root_cause` (the `id` of
    /// the finding the verdict names, or `null`) and `findings` in causal order (each with
    /// `id`, `kind`, `severity`, `message`, `consequence_of` (its cause's `id`) on a
    /// consequence, and where they apply `layer`, `parameter`, `first_step`, `last_step`,
    /// `evidence`), plus `suggestion` per finding, `run`, `alerts`, `log_warnings` and
    /// `thresholds`.
    public func json() -> JSONValue {
        let findings: [JSONValue] = self.findings.map { f in
            var o: JSONObject = ["id": .string(f.id), "kind": .string(f.kind.rawValue),
                                 "severity": .string(f.severity.rawValue), "message": .string(f.message)]
            if let cause = f.consequenceOf { o["consequence_of"] = .string(cause) }
            if let layer = f.layer { o["layer"] = .string(layer) }
            if let parameter = f.parameter { o["parameter"] = .string(parameter) }
            if let s = f.firstStep { o["first_step"] = .integer(s) }
            if let s = f.lastStep { o["last_step"] = .integer(s) }
            o["evidence"] = .object(JSONObject(f.evidence.map { ($0.name, JSONValue.number($0.value)) }))
            o["suggestion"] = .string(f.suggestion)
            return .object(o)
        }
        var run: JSONObject = [:]
        if let model { run["model"] = .string(model) }
        run["steps"] = .integer(stepCount)
        if let r = stepRange {
            run["first_step"] = .integer(r.lowerBound)
            run["last_step"] = .integer(r.upperBound)
        }
        run["epochs"] = .integer(epochCount)
        run["bucket_width"] = .integer(bucketWidth)
        run["status"] = status.map { .string($0.rawValue) } ?? .null
        let alerts: [JSONValue] = self.alerts.map { a in
            var o: JSONObject = ["kind": .string(a.kind.rawValue), "severity": .string(a.severity.rawValue),
                                 "step": .integer(a.step)]
            if let layer = a.layer { o["layer"] = .string(layer) }
            if let parameter = a.parameter { o["parameter"] = .string(parameter) }
            o["message"] = .string(a.message)
            return .object(o)
        }
        let warnings: [JSONValue] = logWarnings.map { w in
            .object(["kind": .string(w.kind.rawValue), "line": .integer(w.line), "message": .string(w.message)])
        }
        return .object([
            "format": "gradcheck.health/1",
            "verdict": .string(verdict.rawValue),
            "root_cause": rootCause.map { .string($0.id) } ?? .null,
            "findings": .array(findings),
            "run": .object(run),
            "alerts": .array(alerts),
            "log_warnings": .array(warnings),
            "thresholds": thresholds.json,
        ])
    }
}

extension HealthThresholds {
    /// The thresholds by their `snake_case` names.
    var json: JSONValue {
        .object([
            "baseline_steps": .integer(baselineSteps), "sustained_fraction": .number(sustainedFraction),
            "live_confirmations": .integer(liveConfirmations),
            "vanishing_ratio": .number(vanishingRatio), "vanishing_norm": .number(vanishingNorm),
            "vanishing_critical_ratio": .number(vanishingCriticalRatio),
            "exploding_growth": .number(explodingGrowth), "exploding_critical_growth": .number(explodingCriticalGrowth),
            "exploding_norm": .number(explodingNorm), "exploding_critical_norm": .number(explodingCriticalNorm), "exploding_layer_ratio": .number(explodingLayerRatio),
            "divergence_factor": .number(divergenceFactor), "divergence_regression": .number(divergenceRegression),
            "plateau_improvement": .number(plateauImprovement), "oscillation_amplitude": .number(oscillationAmplitude),
            "minimum_steps": .integer(minimumSteps),
            "dead_fraction": .number(deadFraction), "dead_critical_fraction": .number(deadCriticalFraction),
            "saturated_fraction": .number(saturatedFraction), "attention_entropy": .number(attentionEntropy),
            "small_update_ratio": .number(smallUpdateRatio), "large_update_ratio": .number(largeUpdateRatio),
            "critical_update_ratio": .number(criticalUpdateRatio),
            "learning_rate_jump": .number(learningRateJump), "consequence_gap": .number(consequenceGap),
        ])
    }
}
