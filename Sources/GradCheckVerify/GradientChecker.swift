import Dispatch
import GradCheckNN
import GradCheckTensor

/// Compares central differences with analytic gradients, element by element.
///
/// For each element `x_i` of an argument, the numerical derivative is
/// `(f(x + h·e_i) − f(x − h·e_i)) / (x_i⁺ − x_i⁻)` (the denominator is the step as
/// represented, so rounding of `x ± h` does not bias it). An element that disagrees is
/// looked at again with a step 16 times smaller:
/// - if the central difference now agrees, it passes (a kink or strong curvature lay
///   within `h` of the point, but not at it);
/// - if the forward and backward differences still disagree with each other by about as
///   much as at the larger step (a jump in the derivative, which curvature would shrink
///   16-fold) and the analytic value lies between them, the point sits on a kink: `kink`;
/// - when the disagreement grew more than 4-fold at the smaller step (rounding, which
///   grows as `ε·|f|/h`), it is looked at a third time at 16 and 256 times the step, and
///   passes if it agrees there;
/// - otherwise it fails.
///
/// Fast and dot modes judge their random directions the same way, and a direction that
/// still fails goes to the per-element check of its tensor, which locates a bug or finds
/// that the direction crossed several kinks at once.
///
/// Work is split into chunks of elements that run concurrently (the objective must be
/// thread-safe), and each chunk's perturbations go to the objective in one call so it
/// can batch them.
public struct GradientChecker: Sendable {
    /// The step and tolerances.
    public var tolerance: CheckTolerance
    /// Check at most this many elements of each argument, chosen at random (seeded);
    /// `nil` checks every element.
    public var maxElements: Int?
    /// The seed of the element sampling.
    public var seed: UInt64
    /// How many threads to use; `nil` uses every core.
    public var threads: Int?
    /// Elements per objective call.
    public var chunkSize: Int
    /// Element by element (full), random directional probes (fast), the dot-product test
    /// (dot), or the Taylor convergence test (taylor).
    public var mode: CheckMode
    /// Scale each element's step by its magnitude: `h_i = step · max(1, |x_i|)`, so large
    /// weights are perturbed by the same relative amount as small ones.
    public var relativeStep: Bool
    /// Use the fourth-order Richardson extrapolation `(4·D(h/2) − D(h)) / 3` of central
    /// differences, and report its estimated truncation error `|D(h) − D(h/2)| / 3`: for
    /// functions with large third derivatives, where plain central differences are too rough.
    public var richardson: Bool
    /// The relative tolerance of the dot-product test (``CheckMode/dotProduct(probes:)``);
    /// see ``defaultDotProductTolerance``.
    public var dotProductTolerance: Double
    /// Check only this shard's share of the elements (full mode; `nil`: all). The selected
    /// elements of every tensor are cut into chunks of ``chunkSize``; chunk `c` of the
    /// tensor `name` of `target` belongs to shard `(c + o) mod N`, with `o` a fixed hash of
    /// `target|name`, so the split is balanced across tensors, independent of the thread
    /// count, and each chunk is evaluated exactly as in the unsharded run: merged with
    /// ``CheckReport/merged(_:)``, the shards give that run's report bit for bit. Fast and
    /// dot modes ignore it.
    public var shard: Shard?
    /// Check about this fraction of the elements of each tensor (at least
    /// ``minimumSample`` of each), sampled with ``seed``: what `--budget` sets when the
    /// whole check would not fit in its time. `nil` or 1 checks all (up to
    /// ``maxElements``).
    public var sampleFraction: Double?

    /// The fewest elements of a tensor that ``sampleFraction`` checks (all of a smaller
    /// tensor), so that every tensor is looked at.
    public static let minimumSample = 16

    /// A checker.
    public init(tolerance: CheckTolerance = .float64, maxElements: Int? = nil, seed: UInt64 = 0,
                threads: Int? = nil, chunkSize: Int = 256, mode: CheckMode = .full,
                relativeStep: Bool = false, richardson: Bool = false,
                dotProductTolerance: Double = GradientChecker.defaultDotProductTolerance) {
        self.dotProductTolerance = dotProductTolerance
        self.tolerance = tolerance
        self.maxElements = maxElements
        self.seed = seed
        self.threads = threads
        self.chunkSize = chunkSize
        self.mode = mode
        self.relativeStep = relativeStep
        self.richardson = richardson
    }

    /// The step for an element of value `x`.
    @inlinable
    func step(at x: Double) -> Double { relativeStep ? tolerance.step * Swift.max(1, Swift.abs(x)) : tolerance.step }

    /// Checks every argument of `objective`, reporting each under `target`.
    ///
    /// - Parameter only: check just the arguments with these names (all when `nil`).
    /// - Complexity: two objective evaluations per element checked, plus four for each
    ///   element that disagrees at the first step.
    public func check(_ objective: some PerturbableObjective, target: String, only: Set<String>? = nil) -> [TensorCheckResult] {
        if case let .dotProduct(probes) = mode {
            return dotProductCheck(objective, target: target, only: only, probes: probes)
        }
        let analytic = objective.analyticGradients()
        var results: [TensorCheckResult] = []
        for (a, argument) in objective.arguments.enumerated() {
            if let only, !only.contains(argument.name) { continue }
            switch mode {
            case .full: results.append(checkArgument(objective, argument: a, analytic: analytic[a], target: target))
            case let .fast(probes):
                let probed = probeArgument(objective, argument: a, analytic: analytic[a], target: target, probes: probes)
                results.append(locateIfFailing(probed, objective, argument: a, analytic: analytic[a], target: target,
                                               what: "the directional derivative from the backward pass"))
            case let .taylor(probes):
                results.append(taylorArgument(objective, argument: a, analytic: analytic[a], target: target, probes: probes))
            case .dotProduct: break  // handled above
            }
        }
        return results
    }

    /// A probe result that failed even at the smaller step goes to the per-element check of
    /// its tensor, which arbitrates: an element that fails there is a real bug, reported
    /// `fail` with that element (and a note naming the probe); when every element passes
    /// or sits on a kink, the direction crossed kinks (several at once, as through
    /// max-pooling windows with tied maxima), and the probes are reported `kink`.
    func locateIfFailing(_ probed: TensorCheckResult, _ objective: some PerturbableObjective, argument a: Int,
                         analytic: Tensor<Double>, target: String, what: String) -> TensorCheckResult {
        guard probed.status == .fail, let w = probed.worst else { return probed }
        let probeLine = "probe \(w.index.first ?? 0): \(what) \(w.analytic), central difference \(w.numerical)"
        var unsharded = self
        unsharded.shard = nil
        var located = unsharded.checkArgument(objective, argument: a, analytic: analytic, target: target)
        let sampled = located.elementsChecked < located.elementCount
            ? " (\(located.elementsChecked) of \(located.elementCount) elements, sampled by --max-elements)" : ""
        if located.status == .fail {
            located.note = "\(probeLine); the per-element check\(sampled) locates the error"
            return located
        }
        var result = probed
        result.status = .kink
        result.kinks += result.failures
        result.failures = 0
        result.failingElements = []
        result.note = "\(probeLine) disagree, but every element agrees on its own\(sampled)"
            + (located.kinks > 0 ? " (\(located.kinks) on a kink)" : "")
            + ": the direction crosses several kinks at once; not a bug"
        return result
    }

    /// How many elements of an argument of `count` elements are checked: all, or the
    /// smaller of ``maxElements`` and the ``sampleFraction`` (at least ``minimumSample``).
    public func selectedCount(count: Int) -> Int {
        var limit = Swift.min(count, maxElements ?? count)
        if let f = sampleFraction, f < 1 {
            limit = Swift.min(limit, Swift.max(Self.minimumSample, Int((f * Double(count)).rounded(.up))))
        }
        return limit
    }

    /// The elements of an argument of `count` elements that are checked, sorted: all, or
    /// a uniform sample of ``selectedCount(count:)`` seeded by ``seed`` and the tensor's
    /// name (so each tensor is sampled on its own: stratified by layer and parameter).
    public func selectedElements(count: Int, target: String, name: String) -> [Int] {
        let limit = selectedCount(count: count)
        guard limit < count else { return Array(0..<count) }
        var rng = SeededRNG(seed: seed, name: "\(target)|\(name)")
        // Partial Fisher–Yates: the first `limit` entries are a uniform sample.
        var pool = Array(0..<count)
        for i in 0..<limit { pool.swapAt(i, i + rng.index(below: count - i)) }
        return pool[0..<limit].sorted()
    }

    func checkArgument(_ objective: some PerturbableObjective, argument a: Int, analytic: Tensor<Double>, target: String) -> TensorCheckResult {
        let arg = objective.arguments[a]
        let elements = selectedElements(count: arg.value.count, target: target, name: arg.name)
        let chunks = shardChunks(stride(from: 0, to: elements.count, by: chunkSize).map {
            Array(elements[$0..<Swift.min($0 + chunkSize, elements.count)])
        }, target: target, name: arg.name)
        let slots = ResultSlots(count: chunks.count)
        let work: @Sendable (Int) -> Void = { c in
            slots.set(c, checkChunk(objective, argument: a, elements: chunks[c], analytic: analytic))
        }
        let threadCount = Swift.max(1, Swift.min(threads ?? _processorCount(), chunks.count))
        if threadCount == 1 {
            for c in 0..<chunks.count { work(c) }
        } else {
            // Workers take chunks from a shared counter, so uneven chunks balance out.
            let next = ChunkCounter()
            DispatchQueue.concurrentPerform(iterations: threadCount) { _ in
                while let c = next.take(below: chunks.count) { work(c) }
            }
        }
        return summarize(slots.all.flatMap { $0 }, argument: arg, target: target, checked: chunks.reduce(0) { $0 + $1.count })
    }

    /// The chunks of the tensor `name` of `target` that belong to ``shard`` (all without one).
    func shardChunks(_ chunks: [[Int]], target: String, name: String) -> [[Int]] {
        guard let shard else { return chunks }
        var hash = SeededRNG(seed: 0, name: "shard|\(target)|\(name)")
        let offset = hash.index(below: shard.count)
        return chunks.indices.filter { shard.contains($0 + offset) }.map { chunks[$0] }
    }

    func checkChunk(_ objective: some PerturbableObjective, argument a: Int, elements: [Int], analytic: Tensor<Double>) -> [ElementCheck] {
        let x = objective.arguments[a].value
        // Steps per element: h, and h/2 as well for Richardson extrapolation.
        let fractions: [Double] = richardson ? [1, 0.5] : [1]
        var changed: [Int] = [], values: [Double] = []
        for e in elements {
            for f in fractions {
                let h = f * step(at: x.scalars[e])
                changed.append(e); values.append(x.scalars[e] + h)
                changed.append(e); values.append(x.scalars[e] - h)
            }
        }
        let d = objective.deltas(argument: a, elements: changed, values: values)
        let perElement = 2 * fractions.count
        var out: [ElementCheck] = []
        out.reserveCapacity(elements.count)
        var retry: [Int] = []
        for (k, e) in elements.enumerated() {
            let xi = x.scalars[e]
            func central(_ j: Int) -> (value: Double, forward: Double, backward: Double) {
                let i = k * perElement + 2 * j
                let up = values[i] - xi, down = xi - values[i + 1]
                return ((d[i] - d[i + 1]) / (up + down), d[i] / up, -d[i + 1] / down)
            }
            let coarse = central(0)
            var numerical = coarse.value
            var truncation: Double?
            var forward = coarse.forward, backward = coarse.backward
            if richardson {
                let fine = central(1)
                numerical = (4 * fine.value - coarse.value) / 3
                truncation = Swift.abs(coarse.value - fine.value) / 3
                (forward, backward) = (fine.forward, fine.backward)
            }
            var check = element(e, shape: x.shape, analytic: analytic.scalars[e], numerical: numerical,
                                forward: forward, backward: backward)
            check.truncationEstimate = truncation
            if check.status != .pass { retry.append(out.count) }
            out.append(check)
        }
        guard !retry.isEmpty else { return out }
        // A second look at a 16 times smaller step for the elements that disagreed.
        var values2: [Double] = []
        for r in retry {
            let xi = x.scalars[out[r].flatIndex]
            let small = step(at: xi) / 16
            values2.append(xi + small)
            values2.append(xi - small)
        }
        let d2 = objective.deltas(argument: a, elements: retry.flatMap { [out[$0].flatIndex, out[$0].flatIndex] }, values: values2)
        var noisy: [Int] = []
        for (k, r) in retry.enumerated() {
            let first = out[r]
            let xi = x.scalars[first.flatIndex]
            let up = values2[2 * k] - xi, down = xi - values2[2 * k + 1]
            let numerical = (d2[2 * k] - d2[2 * k + 1]) / (up + down)
            let forward = d2[2 * k] / up, backward = -d2[2 * k + 1] / down
            var second = element(first.flatIndex, shape: x.shape, analytic: first.analytic, numerical: numerical,
                                 forward: forward, backward: backward)
            second.truncationEstimate = first.truncationEstimate
            if second.status != .pass { second.status = kinkOrFail(first: first, second: second) }
            if second.status == .fail && Self.roundingDominated(first: first, second: second) { noisy.append(r) }
            out[r] = second
        }
        // A third look, at larger steps, for disagreements that grew as the step shrank.
        guard !noisy.isEmpty else { return out }
        var values3: [Double] = [], elements3: [Int] = []
        for r in noisy {
            let xi = x.scalars[out[r].flatIndex]
            for f in Self.largerSteps {
                let big = f * step(at: xi)
                values3 += [xi + big, xi - big]
                elements3 += [out[r].flatIndex, out[r].flatIndex]
            }
        }
        let d3 = objective.deltas(argument: a, elements: elements3, values: values3)
        for (k, r) in noisy.enumerated() {
            let xi = x.scalars[out[r].flatIndex]
            for j in Self.largerSteps.indices {
                let i = 2 * (k * Self.largerSteps.count + j)
                let up = values3[i] - xi, down = xi - values3[i + 1]
                let numerical = (d3[i] - d3[i + 1]) / (up + down)
                if tolerance.agree(out[r].analytic, numerical) {
                    var third = element(out[r].flatIndex, shape: x.shape, analytic: out[r].analytic, numerical: numerical,
                                        forward: d3[i] / up, backward: -d3[i + 1] / down)
                    third.truncationEstimate = out[r].truncationEstimate
                    out[r] = third
                    break
                }
            }
        }
        return out
    }

    /// The multiples of the step tried when rounding dominates (``roundingDominated(_:)``).
    static let largerSteps: [Double] = [16, 256]

    /// Whether a disagreement that persisted at `h/16` (`second`) looks like rounding
    /// rather than a bug: rounding error grows as `ε·|f|/h`, so at a 16 times smaller step
    /// it grows about 16-fold (here: more than 4-fold), while a wrong gradient's error does
    /// not depend on the step. Such elements are looked at again at 16 and 256 times the
    /// step, where rounding is that much smaller; truncation error grows there, so a wrong
    /// gradient still disagrees, and agreement at a larger step is agreement.
    static func roundingDominated(first: ElementCheck, second: ElementCheck) -> Bool {
        second.absoluteError > 4 * first.absoluteError
    }

    /// The verdict on an element (or probe) that disagreed at the step `h` (`first`) and
    /// again at `h/16` (`second`): `kink` when the one-sided differences still disagree with
    /// each other by about as much (a jump in the derivative, which curvature would shrink
    /// 16-fold) and the analytic value lies between them (or, for coincident kinks, in the
    /// hull of them, 0 and their sum), else `fail`.
    func kinkOrFail(first: ElementCheck, second: ElementCheck) -> CheckStatus {
        let forward = second.forwardDifference, backward = second.backwardDifference
        let jumpLarge = Swift.abs(first.forwardDifference - first.backwardDifference)
        let jumpSmall = Swift.abs(forward - backward)
        let jumpPersists = jumpSmall > tolerance.allowedError(forward, backward) && jumpSmall >= 0.5 * jumpLarge
        // Several units on their kinks at once (a dead ReLU layer whose pre-activations are
        // all exactly 0) make the one-sided slopes sums over the units; the backward pass
        // then takes the same side for each (all left, all right) or, for ReLU-like kinks
        // with one flat side, the flat one everywhere (0) or the other everywhere (the sum
        // of both slopes). The analytic value is judged against the hull of these four.
        let candidates = [forward, backward, 0, forward + backward]
        let lo = candidates.min()!, hi = candidates.max()!
        let slack = tolerance.allowedError(lo, hi)
        let between = second.analytic >= lo - slack && second.analytic <= hi + slack
        return jumpPersists && between ? .kink : .fail
    }

    /// Fast mode: `probes` random unit directions `u` over the whole argument; each
    /// compares the directional central difference `(f(x + h·u) − f(x − h·u)) / 2h` with
    /// `∇f · u` from the backward pass (PyTorch's `fast_mode`, for a scalar function:
    /// `vᵀ J u` with `v = 1`). Two evaluations per probe instead of two per element; it
    /// finds that a tensor's gradient is wrong, not which element.
    func probeArgument(_ objective: some PerturbableObjective, argument a: Int, analytic: Tensor<Double>,
                       target: String, probes: Int) -> TensorCheckResult {
        let arg = objective.arguments[a]
        var rng = SeededRNG(seed: seed, name: "probe|\(target)|\(arg.name)")
        var units: [Tensor<Double>] = []
        for _ in 0..<probes {
            var u = Tensor<Double>(unchecked: arg.value.shape, scalars: (0..<arg.value.count).map { _ in rng.normal() })
            let norm = u.norm()
            u.scale(by: norm > 0 ? 1 / norm : 0)
            units.append(u)
        }
        let projected = units.map { u in zip(analytic.scalars, u.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
        let checks = directionalChecks(objective, argument: a, units: units, analytic: projected)
        var result = summarize(checks, argument: arg, target: target, checked: probes)
        result.method = .probes
        return result
    }

    /// Compares `analytic[k]`, a directional derivative along the unit direction
    /// `units[k]`, with the central difference `(f(x + h·u) − f(x − h·u)) / 2h`; a probe
    /// that disagrees is looked at again at `h/16` and judged as an element is (pass,
    /// ``kinkOrFail(first:second:)``). Two evaluations per probe, four more per probe that
    /// disagrees.
    func directionalChecks(_ objective: some PerturbableObjective, argument a: Int, units: [Tensor<Double>],
                           analytic: [Double]) -> [ElementCheck] {
        let count = units.count
        func differences(step h: Double, probes: [Int]) -> [(central: Double, forward: Double, backward: Double)] {
            var directions: [Tensor<Double>] = []
            directions.reserveCapacity(2 * probes.count)
            for k in probes {
                var up = units[k], down = units[k]
                up.scale(by: h)
                down.scale(by: -h)
                directions.append(up)
                directions.append(down)
            }
            let d = objective.deltas(argument: a, directions: directions)
            return probes.indices.map { i in ((d[2 * i] - d[2 * i + 1]) / (2 * h), d[2 * i] / h, -d[2 * i + 1] / h) }
        }
        let h = tolerance.step
        var checks = zip(0..<count, differences(step: h, probes: Array(0..<count))).map { k, diff in
            element(k, shape: [count], analytic: analytic[k], numerical: diff.central, forward: diff.forward, backward: diff.backward)
        }
        let retry = checks.indices.filter { checks[$0].status != .pass }
        guard !retry.isEmpty else { return checks }
        var noisy: [Int] = []
        for (k, diff) in zip(retry, differences(step: h / 16, probes: retry)) {
            var second = element(k, shape: [count], analytic: analytic[k], numerical: diff.central,
                                 forward: diff.forward, backward: diff.backward)
            if second.status != .pass { second.status = kinkOrFail(first: checks[k], second: second) }
            if second.status == .fail && Self.roundingDominated(first: checks[k], second: second) { noisy.append(k) }
            checks[k] = second
        }
        for f in Self.largerSteps where !noisy.isEmpty {
            for (k, diff) in zip(noisy, differences(step: f * h, probes: noisy)) where tolerance.agree(analytic[k], diff.central) {
                checks[k] = element(k, shape: [count], analytic: analytic[k], numerical: diff.central,
                                    forward: diff.forward, backward: diff.backward)
            }
            noisy.removeAll { checks[$0].status == .pass }
        }
        return checks
    }

    func element(_ e: Int, shape: [Int], analytic: Double, numerical: Double, forward: Double, backward: Double) -> ElementCheck {
        let err = Swift.abs(analytic - numerical)
        let scale = Swift.max(Swift.abs(analytic), Swift.abs(numerical))
        let allowed = tolerance.allowedError(analytic, numerical)
        // NaN compares false, so a NaN on either side fails.
        let ok = err <= allowed
        return ElementCheck(
            flatIndex: e, index: Tensor<Double>.index(ofFlat: e, shape: shape),
            analytic: analytic, numerical: numerical,
            forwardDifference: forward, backwardDifference: backward,
            absoluteError: err, relativeError: scale == 0 ? (err == 0 ? 0 : .infinity) : err / scale,
            allowedError: allowed, status: ok ? .pass : .fail, truncationEstimate: nil)
    }

    func summarize(_ checks: [ElementCheck], argument: CheckArgument, target: String, checked: Int) -> TensorCheckResult {
        var maxAbs = 0.0, maxRel = 0.0
        var maxTruncation: Double?
        var failures = 0, kinks = 0
        var worst: ElementCheck?
        var worstScore: (rank: Int, ratio: Double) = (-1, -.infinity)
        var failing: [ElementCheck] = []
        for c in checks {
            switch c.status {
            case .fail:
                failures += 1
                if failing.count < 10 { failing.append(c) }
            case .kink: kinks += 1
            case .pass: break
            }
            if let t = c.truncationEstimate { maxTruncation = Swift.max(maxTruncation ?? 0, t) }
            if c.status != .kink {
                maxAbs = Swift.max(maxAbs, c.absoluteError.isNaN ? .infinity : c.absoluteError)
                // Elements below the absolute tolerance are judged by it alone; their
                // relative error is rounding noise over a tiny value and would mislead.
                if Swift.max(Swift.abs(c.analytic), Swift.abs(c.numerical)) > tolerance.absolute || c.status == .fail {
                    maxRel = Swift.max(maxRel, c.relativeError.isNaN ? .infinity : c.relativeError)
                }
            }
            let score = c.worstScore
            if score.rank > worstScore.rank || (score.rank == worstScore.rank && score.ratio > worstScore.ratio) {
                worstScore = score
                worst = c
            }
        }
        let status: CheckStatus = failures > 0 ? .fail : (kinks > 0 ? .kink : .pass)
        return TensorCheckResult(
            target: target, parameter: argument.name, shape: argument.value.shape,
            method: .elements, elementsChecked: checked, elementCount: argument.value.count, status: status,
            maxAbsoluteError: maxAbs, maxRelativeError: maxRel, failures: failures, kinks: kinks,
            worst: worst, failingElements: failing, maxTruncationEstimate: maxTruncation)
    }
}

/// Per-chunk result storage written by concurrent workers, each to its own slot.
///
/// `@unchecked Sendable` is safe: every access to the mutable `slots` goes through `lock`.
final class ResultSlots: @unchecked Sendable {
    private var slots: [[ElementCheck]]
    private let lock = NSLockLike()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ value: [ElementCheck]) { lock.withLock { slots[i] = value } }
    var all: [[ElementCheck]] { lock.withLock { slots } }
}

/// A shared counter handing out chunk numbers to workers.
///
/// `@unchecked Sendable` is safe: every access to the mutable `next` goes through `lock`.
final class ChunkCounter: @unchecked Sendable {
    private var next = 0
    private let lock = NSLockLike()
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// How the checker compares gradients.
public enum CheckMode: Sendable, Hashable {
    /// Every element (or a sample of `maxElements`), located.
    case full
    /// `probes` random directional derivatives per tensor: cheap, not located.
    case fast(probes: Int)
    /// The dot-product test `⟨J u, v⟩ = ⟨u, Jᵀ v⟩`, `probes` random pairs per tensor: the
    /// forward mode (JVPs) against the backward pass (VJPs), no numerical differences; for
    /// a ``LinearizableObjective``.
    case dotProduct(probes: Int)
    /// The Taylor convergence test, `probes` random directions per tensor: the remainder
    /// `|f(x + h·v) − f(x) − h·∇f·v|` must shrink at rate 2 as `h` shrinks (rate 1 means
    /// the gradient is wrong); reported with the fitted rate and the steps used
    /// (``TaylorFit``), no step to choose. Not located: a failing tensor goes to the
    /// per-element check.
    case taylor(probes: Int)
}
