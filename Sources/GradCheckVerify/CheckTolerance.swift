/// The step and tolerances of a finite-difference check.
///
/// An element passes when `|analytic − numerical| ≤ atol + rtol · max(|analytic|, |numerical|)`.
///
/// Defaults, for float64, and why:
/// - `step` 1e-6: the central difference `(f(x+h) − f(x−h)) / 2h` has truncation error
///   about `h² · |f'''| / 6` ≈ 2e-13·|f'''| and rounding error about `ε · |ℓ| / h` ≈
///   1e-10·|ℓ|, where `ℓ` is the part of the objective that changes (one sample's loss,
///   since the verifier subtracts each sample's unperturbed loss before summing). 1e-6 is
///   near the `ε^(1/3)` ≈ 6e-6 that balances the two, and is what PyTorch uses.
/// - `rtol` 1e-5: leaves five orders of magnitude between the expected error (≤ 1e-10
///   relative) and a failure, while any real VJP bug (a wrong sign, a missing term, a
///   wrong index) is off by O(1) relative.
/// - `atol` 1e-8: covers the rounding floor for per-sample losses up to about 100 (≈
///   1e-10·|ℓ| each) with margin, so exact zeros (dead ReLU units) that come out as
///   1e-12 numerically do not fail; gradients smaller than this are not judged.
public struct CheckTolerance: Sendable, Hashable {
    /// The finite-difference step `h`.
    public var step: Double
    /// The absolute tolerance.
    public var absolute: Double
    /// The relative tolerance.
    public var relative: Double

    /// The float64 defaults: `step` 1e-6, `absolute` 1e-8, `relative` 1e-5.
    public static let float64 = CheckTolerance(step: 1e-6, absolute: 1e-8, relative: 1e-5)

    /// Tolerances for functions computed in `Float` (float32), where float64 is the right
    /// tool and this is the fallback: `step` 1e-3, `absolute` 1e-4, `relative` 1e-2.
    ///
    /// With unit roundoff ε ≈ 6e-8, the rounding error of a central difference is about
    /// `ε·|f|/h` ≈ 6e-5·|f| at `h` = 1e-3 (near the balancing `ε^(1/3)` ≈ 4e-3), the
    /// truncation error `h²·|f‴|/6` ≈ 2e-7·|f‴|, and rounding `x ± h` to float moves the
    /// step itself by up to `ε·|x|/h` ≈ 6e-5 relative. A relative tolerance of 1e-2 keeps
    /// two orders of magnitude of margin over all three; bugs that are off by less than 1%
    /// go unseen, which is why checks should run in float64 when they can.
    public static let float32 = CheckTolerance(step: 1e-3, absolute: 1e-4, relative: 1e-2)

    /// A tolerance with the given step and bounds.
    public init(step: Double, absolute: Double, relative: Double) {
        self.step = step
        self.absolute = absolute
        self.relative = relative
    }

    /// The largest error allowed when comparing `a` with `b`.
    @inlinable
    public func allowedError(_ a: Double, _ b: Double) -> Double {
        absolute + relative * Swift.max(Swift.abs(a), Swift.abs(b))
    }

    /// Whether `a` and `b` agree.
    @inlinable
    public func agree(_ a: Double, _ b: Double) -> Bool {
        Swift.abs(a - b) <= allowedError(a, b)
    }
}
