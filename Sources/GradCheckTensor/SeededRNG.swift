import Foundation

/// A small, fast, seeded random number generator (SplitMix64) that gives the same
/// sequence on every machine and every Swift version.
///
/// Every random choice in GradCheck (initial weights, batches, dropout masks, sampled
/// elements, probe vectors) draws from one of these, so the same seed gives the same
/// bytes of output. The algorithm is Steele, Lea & Flood (2014), as in `java.util.SplittableRandom`:
///
/// ```
/// state += 0x9E3779B97F4A7C15
/// z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// return z ^ (z >> 31)
/// ```
///
/// `uniform()` is `(next() >> 11) * 2^-53`, in [0, 1). Independent streams for the same
/// seed come from ``init(seed:stream:)``, which starts from `seed ^ (stream * 0xD1B54A32D192ED03)`.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    /// A generator that starts from `seed`.
    @inlinable public init(seed: UInt64) { state = seed }

    /// The generator of stream `stream` for `seed`: dropout layer `k` uses stream `k`.
    @inlinable public init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform double in [`low`, `high`).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// A standard normal sample by the Box–Muller transform (two uniforms per sample;
    /// the second value is discarded so the stream position is simple to reason about).
    @inlinable
    public mutating func normal() -> Double {
        // 1 - u is in (0, 1], so the log is finite.
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A normal sample truncated to two standard deviations by redrawing, as Keras'
    /// `TruncatedNormal` and the `*_normal` initialisers do.
    @inlinable
    public mutating func truncatedNormal() -> Double {
        while true {
            let x = normal()
            if abs(x) <= 2 { return x }
        }
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    @inlinable
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next(upperBound: UInt64(bound)))
    }
}


extension SeededRNG {
    /// The generator for a named stream of `seed`: the name is hashed with 64-bit FNV-1a,
    /// so each parameter's initial values depend on its name only, not on its position.
    public init(seed: UInt64, name: String) {
        var h = FNV1a()
        h.mix(name.utf8)
        self.init(seed: seed, stream: h.value)
    }
}

/// The 64-bit FNV-1a hash of a byte sequence: stable across runs, machines and Swift
/// versions (unlike `Hasher`), for names of random streams and fingerprints of files.
public struct FNV1a: Sendable, Hashable {
    /// The hash of the bytes mixed in so far (the offset basis before any).
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// An empty hash.
    public init() {}

    /// Mixes `bytes` in, one at a time.
    ///
    /// - Complexity: O(number of bytes).
    public mutating func mix(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}
