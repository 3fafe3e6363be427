import Foundation

/// The Taylor convergence test along one direction: the remainder
/// `r(h) = |f(x + h·v) − f(x) − h·∇f·v|` over a geometric sequence of steps, and the
/// rate at which it shrinks.
///
/// With a correct gradient the first-order term cancels and `r(h) ≈ C·h²`: rate 2 (3 or
/// more when the curvature along `v` vanishes). With a wrong one `r(h) ≈ |∇f·v − g·v|·h`
/// dominates as `h` shrinks: rate 1. Nothing to choose: the steps follow from the scale of
/// `x`, and the rounding floor from the function itself.
public struct TaylorFit: Sendable, Equatable {
    /// The rate a correct gradient must reach: 1.8.
    ///
    /// The fit uses at least 3 points spanning a decade of `h` (``minimumPoints``), each
    /// remainder at least 16 times the rounding floor (``floorFactor``), so rounding moves
    /// a point by at most `log10(1 + 1/16) ≈ 0.03` and the slope by at most 0.06 per
    /// decade; the `h³` term of the expansion steepens the slope rather than flattening it.
    /// A wrong gradient's remainder has slope 1 where its first-order error dominates and
    /// between 1 and 2 where it takes over from the curvature, so 1.8 separates a clean
    /// rate 2 from both with a margin of 0.14.
    public static let passingRate = 1.8
    /// The relative steps `h/max(1, ‖x‖)`: 1e-1 down to 1e-6, by factors of √10 (11 steps).
    ///
    /// The largest moves each element by about a tenth of its magnitude, where the
    /// expansion still holds for the smooth layers here; the smallest keeps `C·h²` above
    /// rounding for curvatures down to about 1e-4 of `|f|`.
    public static let relativeSteps: [Double] = (0...10).map { Foundation.pow(10, -1 - Double($0) / 2) }
    /// The relative steps at which the rounding floor is measured (`±1e-11`, `±1e-12`):
    /// there the Taylor terms are `1e-10` times those at the smallest fitted step and a
    /// wrong gradient's term `1e-5` times, so the remainder is rounding.
    public static let floorSteps: [Double] = [1e-11, -1e-11, 1e-12, -1e-12]
    /// A remainder counts when it exceeds this many times the largest remainder seen at
    /// ``floorSteps``: 16.
    public static let floorFactor = 16.0
    /// Or, whatever the floor steps showed, this many ulps of the largest `|f(x+hv) − f(x)|`
    /// or `|h·∇f·v|` over the fitted steps: 64 (the subtraction's own rounding, and a floor
    /// when the differences at the floor steps happened to round to exactly 0).
    public static let ulpFactor = 64.0
    /// The fit uses the smallest usable steps: at most 5 consecutive ones (two decades of
    /// `h`), the asymptotic end of the sequence, before any kink crossed at larger steps.
    public static let windowPoints = 5
    /// Fewer consecutive usable steps than this (3, a decade of `h`) give no rate.
    public static let minimumPoints = 3

    /// The fitted log-log slope of `r(h)` over the usable window; `nil` when the remainder
    /// is at the floor at the smallest steps (``exactBelow``), or fewer than
    /// ``minimumPoints`` consecutive steps lie above the floor (no clean range), or the
    /// remainder is not finite.
    public var rate: Double?
    /// The smallest and largest step of the window the rate was fitted over (absolute
    /// `h`, along a unit direction); `nil` without a rate.
    public var smallestStep: Double?
    /// The largest step of the window; `nil` without a rate.
    public var largestStep: Double?
    /// How many steps the rate was fitted over.
    public var points: Int
    /// The rounding floor below which remainders were not used.
    public var floor: Double
    /// Every step tried (absolute, largest first).
    public var steps: [Double]
    /// The remainder at each step.
    public var remainders: [Double]

    /// Whether the rate shows a correct first-order term: at least ``passingRate``.
    public var converges: Bool { (rate ?? 0) >= Self.passingRate }

    /// When the remainder is at the rounding floor at the smallest steps (at least
    /// ``minimumPoints`` of them, every step from this one down): the largest such step.
    /// There `f` is linear along the direction to rounding and `∇f·v` matches it: a smooth
    /// function with little curvature, or a piecewise-linear one (ReLU, max-pooling) whose
    /// kinks only the larger steps cross. A gradient error `e` along the direction would
    /// leave `e·h` above the floor unless `e < floor / h`, which is below the tolerances
    /// of the other modes. `nil` otherwise, and then there is no rate either.
    public var exactBelow: Double?

    /// Whether the remainder is at the rounding floor at the smallest steps
    /// (``exactBelow``): the first-order term is exact to rounding there.
    public var exact: Bool { exactBelow != nil }

    /// Fits the rate to `remainders` at `steps` (largest first) above `floor`.
    ///
    /// - Complexity: O(steps).
    public init(steps: [Double], remainders: [Double], floor: Double) {
        self.steps = steps
        self.remainders = remainders
        self.floor = floor
        let atFloor = remainders.map { $0.isFinite && floor.isFinite && $0 <= floor }
        let trailing = atFloor.reversed().prefix { $0 }.count
        if trailing >= Self.minimumPoints {
            exactBelow = steps[steps.count - trailing]
            points = 0
            return
        }
        // The trailing run of usable steps: the smallest usable one and the consecutive
        // usable ones above it, at most `windowPoints`.
        let usable = remainders.map { $0.isFinite && floor.isFinite && $0 > floor }
        var window: [Int] = []
        if let last = usable.lastIndex(of: true) {
            var k = last
            while k >= 0, usable[k], window.count < Self.windowPoints {
                window.insert(k, at: 0)
                k -= 1
            }
        }
        points = window.count
        guard window.count >= Self.minimumPoints else { return }
        let xs = window.map { Foundation.log10(steps[$0]) }, ys = window.map { Foundation.log10(remainders[$0]) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        rate = sxy / sxx
        smallestStep = steps[window.last!]
        largestStep = steps[window.first!]
    }
}
