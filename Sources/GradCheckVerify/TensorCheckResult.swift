/// The verdict on one argument of one checked function: a parameter or the inputs of a
/// layer, or of the whole model.
public struct TensorCheckResult: Sendable, Equatable {
    /// What was checked: a layer name, or `model` for the whole model and its loss.
    public var target: String
    /// The argument: a parameter name (`dense_1/kernel`) or `inputs`.
    public var parameter: String
    /// The argument's shape.
    public var shape: [Int]
    /// Whether elements were checked one by one, or random directions (fast mode).
    public var method: CheckMethod
    /// How many elements were checked (all, unless sampled).
    public var elementsChecked: Int
    /// How many elements the argument has.
    public var elementCount: Int
    /// The overall verdict: `fail` if any element fails, else `kink` if any sits on a kink.
    public var status: CheckStatus
    /// The largest `|analytic − numerical|` over elements not on a kink.
    public var maxAbsoluteError: Double
    /// The largest `|analytic − numerical| / max(|analytic|, |numerical|)` over elements
    /// not on a kink whose magnitude exceeds the absolute tolerance (smaller ones are
    /// judged by the absolute tolerance alone), and over failing elements.
    public var maxRelativeError: Double
    /// How many elements failed.
    public var failures: Int
    /// How many elements sat on a kink.
    public var kinks: Int
    /// The worst element: the failing one furthest outside tolerance, or else the one
    /// closest to it.
    public var worst: ElementCheck?
    /// The first failing elements (up to 10), in index order.
    public var failingElements: [ElementCheck]
    /// With Richardson extrapolation, the largest estimated truncation error of the
    /// numerical derivatives (`|D(h) − D(h/2)| / 3`); `nil` otherwise.
    public var maxTruncationEstimate: Double?
    /// Why the tensor could not be checked, when it could not (the dot-product test on a
    /// function with an op that has no JVP); `nil` otherwise.
    public var note: String? = nil

    /// A result; see the properties (a merge of shards' parts rebuilds results with it).
    public init(target: String, parameter: String, shape: [Int], method: CheckMethod, elementsChecked: Int,
                elementCount: Int, status: CheckStatus, maxAbsoluteError: Double, maxRelativeError: Double,
                failures: Int, kinks: Int, worst: ElementCheck?, failingElements: [ElementCheck],
                maxTruncationEstimate: Double?, note: String? = nil) {
        self.target = target
        self.parameter = parameter
        self.shape = shape
        self.method = method
        self.elementsChecked = elementsChecked
        self.elementCount = elementCount
        self.status = status
        self.maxAbsoluteError = maxAbsoluteError
        self.maxRelativeError = maxRelativeError
        self.failures = failures
        self.kinks = kinks
        self.worst = worst
        self.failingElements = failingElements
        self.maxTruncationEstimate = maxTruncationEstimate
        self.note = note
    }
    /// In Taylor mode, the fit of the probe that decided the verdict (a failing one, else
    /// the one with the lowest rate): the rate and the steps it was fitted over; `nil` in
    /// the other modes.
    public var taylor: TaylorFit? = nil
}

/// What the elements of a ``TensorCheckResult`` are.
public enum CheckMethod: String, Sendable, Equatable {
    /// Single elements: `index` is an element's index.
    case elements
    /// Random unit directions over the whole tensor: `index` is the probe's number, and
    /// analytic/numerical are directional derivatives.
    case probes
    /// The dot-product test: `index` is the probe's number, `analytic` is `⟨u, Jᵀv⟩` (the
    /// backward pass) and `numerical` is `⟨J u, v⟩` (the forward-mode sweep), for random
    /// `u` over the tensor and `v` over the output.
    case dotProduct = "dot_product"
    /// The Taylor convergence test: `index` is the probe's number, `analytic` is `∇f·u`
    /// from the backward pass and `numerical` the secant `(f(x + h·u) − f(x)) / h` at the
    /// smallest step fitted; ``TensorCheckResult/taylor`` holds the rate.
    case taylor
}

/// The comparison at one element.
public struct ElementCheck: Sendable, Equatable {
    /// The element's flat, row-major index.
    public var flatIndex: Int
    /// Its index per axis.
    public var index: [Int]
    /// The backward pass's value.
    public var analytic: Double
    /// The central difference.
    public var numerical: Double
    /// The forward difference `(f(x+h) − f(x)) / h` at the smallest step tried.
    public var forwardDifference: Double
    /// The backward difference `(f(x) − f(x−h)) / h` at the smallest step tried.
    public var backwardDifference: Double
    /// `|analytic − numerical|`.
    public var absoluteError: Double
    /// `absoluteError / max(|analytic|, |numerical|)`, 0 when both are 0.
    public var relativeError: Double
    /// The error allowed at this element by the tolerance.
    public var allowedError: Double
    /// The verdict.
    public var status: CheckStatus
    /// With Richardson extrapolation, the estimated truncation error of `numerical`.
    public var truncationEstimate: Double?

    /// A comparison; see the properties.
    public init(flatIndex: Int, index: [Int], analytic: Double, numerical: Double, forwardDifference: Double,
                backwardDifference: Double, absoluteError: Double, relativeError: Double, allowedError: Double,
                status: CheckStatus, truncationEstimate: Double?) {
        self.flatIndex = flatIndex
        self.index = index
        self.analytic = analytic
        self.numerical = numerical
        self.forwardDifference = forwardDifference
        self.backwardDifference = backwardDifference
        self.absoluteError = absoluteError
        self.relativeError = relativeError
        self.allowedError = allowedError
        self.status = status
        self.truncationEstimate = truncationEstimate
    }
}

extension ElementCheck {
    /// How bad the element is, for picking a tensor's worst: failures outrank kinks, kinks
    /// outrank passes (`rank` 2, 1, 0); among equals, the one furthest outside its
    /// tolerance, or closest to it (`ratio` = error / allowed error, NaN counted as ∞).
    /// Among equal scores the first in index order is the worst.
    var worstScore: (rank: Int, ratio: Double) {
        var ratio = allowedError > 0 ? absoluteError / allowedError : absoluteError
        if ratio.isNaN { ratio = .infinity }
        return (status == .fail ? 2 : (status == .kink ? 1 : 0), ratio)
    }
}
