import GradCheckNN

/// The clipper for a policy spec, with fresh state.
///
/// - Parameters:
///   - spec: the policy (FORMATS.md §1 `training.clipping`, or ``ClipperParser``'s CLI
///     syntax).
///   - nonFinite: what to do with NaN and ±inf gradients.
///   - compatibility: the arithmetic of norm-threshold rescaling (`norm`, `global_norm`,
///     `autoclip`, `zclip`); ignored by the others.
/// - Returns: a ``NoClipper``, ``ValueClipper``, ``NormClipper``, ``GlobalNormClipper``,
///   ``AGCClipper`` (last-axis units), ``AutoClipper`` or ``ZClipper``.
/// - Complexity: O(1). Settings are not checked here (a spec decoded from a file already
///   is); an out-of-range one makes `clip` throw ``ClippingError``.
public func makeClipper(_ spec: ClippingSpec, nonFinite: NonFiniteRule = .error,
                        compatibility: ClipCompatibility = .exact) -> any GradientClipper {
    switch spec {
    case .none:
        return NoClipper(nonFinite: nonFinite)
    case let .value(c):
        return ValueClipper(clipValue: c, nonFinite: nonFinite)
    case let .norm(c):
        return NormClipper(maxNorm: c, compatibility: compatibility, nonFinite: nonFinite)
    case let .globalNorm(c):
        return GlobalNormClipper(maxNorm: c, compatibility: compatibility, nonFinite: nonFinite)
    case let .agc(clipping, eps):
        return AGCClipper(clipping: clipping, eps: eps, nonFinite: nonFinite)
    case let .autoclip(p):
        return AutoClipper(percentile: p, compatibility: compatibility, nonFinite: nonFinite)
    case let .zclip(z, alpha, warmup):
        return ZClipper(zThreshold: z, alpha: alpha, warmupSteps: warmup, compatibility: compatibility, nonFinite: nonFinite)
    }
}
