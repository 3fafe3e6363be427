/// A floating-point format narrower than float32, described by its range, for the
/// precision audit's question "would this value survive in it?".
public struct LowPrecisionFormat: Sendable, Equatable {
    /// The format's name (`float16`, `bfloat16`).
    public var name: String
    /// The largest finite value: anything larger in magnitude overflows to infinity.
    public var maximum: Double
    /// The smallest normal value: below it precision is lost (subnormals), or the value is
    /// flushed to zero on hardware that flushes subnormals.
    public var minimumNormal: Double
    /// The smallest subnormal value: a magnitude below half of it rounds to zero.
    public var minimumSubnormal: Double
    /// Bits of the significand, the implicit one included (11 for float16, 8 for bfloat16).
    public var significandBits: Int

    /// A format.
    public init(name: String, maximum: Double, minimumNormal: Double, minimumSubnormal: Double, significandBits: Int) {
        self.name = name
        self.maximum = maximum
        self.minimumNormal = minimumNormal
        self.minimumSubnormal = minimumSubnormal
        self.significandBits = significandBits
    }

    /// IEEE half precision: largest 65504, smallest normal 2⁻¹⁴ ≈ 6.1e-5, smallest
    /// subnormal 2⁻²⁴ ≈ 6.0e-8, 11-bit significand.
    public static let float16 = LowPrecisionFormat(name: "float16", maximum: 65504, minimumNormal: 0x1p-14,
                                                   minimumSubnormal: 0x1p-24, significandBits: 11)
    /// Brain float: float32's exponent range (largest ≈ 3.39e38, smallest normal 2⁻¹²⁶ ≈
    /// 1.18e-38, smallest subnormal 2⁻¹³³) with an 8-bit significand.
    public static let bfloat16 = LowPrecisionFormat(name: "bfloat16", maximum: 0x1.FEp127, minimumNormal: 0x1p-126,
                                                    minimumSubnormal: 0x1p-133, significandBits: 8)

    /// Where the nonzero values of `values` would land in this format.
    ///
    /// - Complexity: O(n).
    public func rangeUse<C: Collection>(of values: C) -> RangeUse where C.Element == Double {
        var nonzero = 0, overflow = 0, subnormal = 0, underflow = 0
        for v in values where v != 0 {
            let m = abs(v)
            nonzero += 1
            if m > maximum { overflow += 1 } else if m < minimumSubnormal / 2 { underflow += 1 } else if m < minimumNormal { subnormal += 1 }
        }
        let n = Double(Swift.max(nonzero, 1))
        return RangeUse(elements: nonzero, overflow: Double(overflow) / n, subnormal: Double(subnormal) / n,
                        underflow: Double(underflow) / n)
    }
}
