import Foundation
import GradCheckTensor

extension GradientChecker {
    /// Taylor mode on one argument: `probes` seeded random unit directions `u` over the
    /// whole tensor (every other argument fixed, so a failure is located to the tensor);
    /// along each, the remainder `r(h) = |f(x + h·u) − f(x) − h·∇f·u|` at the steps
    /// `h = ρ · max(1, ‖x‖)` for the ρ of ``TaylorFit/relativeSteps``, its rounding floor
    /// from ``TaylorFit/floorSteps``, and the fitted rate (``TaylorFit``).
    ///
    /// A probe passes when its rate reaches ``TaylorFit/passingRate``, or when the
    /// remainder is at the rounding floor at the smallest steps (``TaylorFit/exactBelow``:
    /// `f` linear along `u` there, and `∇f·u` matches it).
    /// Any other probe (rate near 1, no clean range, a non-finite remainder) is judged by
    /// the directional central difference along the same `u`, as fast mode judges its
    /// probes: if that agrees or finds a kink, the remainder's rate was spoiled by a kink
    /// that the steps cross (a ReLU unit changing side, tied max-pooling maxima) and the
    /// probe is a `kink`; if it fails, the per-element check of the tensor locates the
    /// error or finds that the direction crossed several kinks at once
    /// (``locateIfFailing(_:_:argument:analytic:target:what:)``). So a piecewise function
    /// yields `kink`, never a false `fail`.
    ///
    /// - Complexity: 15 objective evaluations per probe (11 steps and 4 for the floor),
    ///   in one batched call; 2 to 8 more per probe that does not converge.
    func taylorArgument(_ objective: some PerturbableObjective, argument a: Int, analytic: Tensor<Double>,
                        target: String, probes: Int) -> TensorCheckResult {
        let arg = objective.arguments[a]
        var rng = SeededRNG(seed: seed, name: "taylor|\(target)|\(arg.name)")
        let scale = Swift.max(1, arg.value.norm())
        let steps = TaylorFit.relativeSteps.map { $0 * scale }
        let floorSteps = TaylorFit.floorSteps.map { $0 * scale }
        var units: [Tensor<Double>] = [], projected: [Double] = []
        var directions: [Tensor<Double>] = []
        for _ in 0..<probes {
            var u = Self.normal(arg.value.shape, &rng)
            let norm = u.norm()
            u.scale(by: norm > 0 ? 1 / norm : 0)
            units.append(u)
            projected.append(Self.dot(analytic, u))
            for h in steps + floorSteps {
                var d = u
                d.scale(by: h)
                directions.append(d)
            }
        }
        let deltas = objective.deltas(argument: a, directions: directions)
        let perProbe = steps.count + floorSteps.count
        var fits: [TaylorFit] = [], checks: [ElementCheck] = []
        for k in 0..<probes {
            let d = Array(deltas[(k * perProbe)..<((k + 1) * perProbe)])
            let gu = projected[k]
            let remainders = zip(steps, d).map { h, delta in Swift.abs(delta - h * gu) }
            let atFloor = zip(floorSteps, d.suffix(floorSteps.count)).map { h, delta in Swift.abs(delta - h * gu) }
            let magnitude = zip(steps, d).map { h, delta in Swift.max(Swift.abs(delta), Swift.abs(h * gu)) }.max() ?? 0
            let floor = Swift.max(TaylorFit.floorFactor * (atFloor.max() ?? 0),
                                  TaylorFit.ulpFactor * Double.ulpOfOne * magnitude)
            let fit = TaylorFit(steps: steps, remainders: remainders, floor: floor)
            fits.append(fit)
            // The secant at the smallest step of the window (or the smallest step) stands for
            // the numerical side, so a report shows what the remainder compared.
            let h = fit.smallestStep ?? steps.last!
            let delta = d[steps.firstIndex(of: h) ?? steps.count - 1]
            var check = element(k, shape: [probes], analytic: gu, numerical: delta / h,
                                forward: delta / h, backward: delta / h)
            check.status = fit.converges || fit.exact ? .pass : .fail
            checks.append(check)
        }
        // Probes whose remainder did not converge at rate 2: the directional central
        // difference along the same direction arbitrates (a kink, or a wrong gradient).
        let open = checks.indices.filter { checks[$0].status != .pass }
        if !open.isEmpty {
            let judged = directionalChecks(objective, argument: a, units: open.map { units[$0] },
                                           analytic: open.map { projected[$0] })
            for (k, j) in zip(open, judged) {
                var c = j
                c.flatIndex = k
                c.index = [k]
                if c.status == .pass { c.status = .kink }
                checks[k] = c
            }
        }
        var result = summarize(checks, argument: arg, target: target, checked: probes)
        result.method = .taylor
        // The probe that decides: a failing one, else the slowest to converge.
        let decisive = checks.indices.min { l, r in
            let rank = { (c: ElementCheck) in c.status == .fail ? 0 : (c.status == .kink ? 1 : 2) }
            if rank(checks[l]) != rank(checks[r]) { return rank(checks[l]) < rank(checks[r]) }
            return (fits[l].rate ?? .infinity) < (fits[r].rate ?? .infinity)
        }
        if let k = decisive {
            result.taylor = fits[k]
            if checks[k].status == .kink {
                result.note = "probe \(k): the remainder " + Self.describe(fits[k])
                    + ", but the central difference along it agrees: the steps cross a kink; not a bug"
            }
        }
        guard result.status == .fail else { return result }
        var probed = result
        probed.method = .probes
        let fit = decisive.map { fits[$0] }
        var located = locateIfFailing(probed, objective, argument: a, analytic: analytic, target: target,
                                      what: "the remainder " + (fit.map(Self.describe) ?? "") + "; ∇f·u")
        located.taylor = fit
        if located.status == .kink { located.method = .taylor }
        return located
    }

    /// "shrinks at rate 1.02 over h 3.2e-7 … 3.2e-5", or why there is no rate.
    static func describe(_ fit: TaylorFit) -> String {
        if let below = fit.exactBelow {
            return "is at its rounding floor \(String(format: "%.1e", fit.floor)) for h ≤ \(String(format: "%.1e", below))"
        }
        guard let rate = fit.rate, let lo = fit.smallestStep, let hi = fit.largestStep else {
            return fit.remainders.contains { !$0.isFinite } ? "is not finite at some steps"
                : "has no clean range of steps above its rounding floor \(String(format: "%.1e", fit.floor))"
        }
        return "shrinks at rate \(String(format: "%.2f", rate)) over h \(String(format: "%.1e", lo)) … \(String(format: "%.1e", hi))"
    }
}
