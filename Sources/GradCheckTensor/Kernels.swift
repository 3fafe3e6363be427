import CGradCheckKernels

/// One set of compiled compute kernels: the portable Swift path, or a C variant built for
/// one instruction set (baseline x86-64, AVX2 + FMA, AVX-512, NEON).
///
/// Every variant sums each matrix-product entry in the same order. Those without fused
/// multiply-add (``portable``, `baseline`) therefore agree bit for bit; those with it
/// differ by at most one rounding per multiply-add (see ``usesFusedMultiplyAdd``).
public struct KernelSet: Sendable, Hashable, CustomStringConvertible {
    @usableFromInline let level: Int32

    @usableFromInline init(level: Int32) { self.level = level }

    /// The portable Swift kernels (`GRADCHECK_KERNELS=portable` selects them).
    public static let portable = KernelSet(level: Int32(GCK_LEVEL_PORTABLE))

    /// A short name: `"portable"`, `"baseline"`, `"avx2+fma"`, `"avx512"` or `"neon"`.
    public var name: String { String(cString: gck_level_name(level)) }

    /// `name`.
    public var description: String { name }

    /// Whether the variant fuses each multiply-add into one rounding (FMA). A k-term dot
    /// product then differs from the portable one by at most `2·k·u·Σ|aᵢ||bᵢ|` (each side
    /// is within `k·u·Σ|aᵢ||bᵢ|` of the exact value, `u` the unit roundoff).
    public var usesFusedMultiplyAdd: Bool { gck_level_fuses(level) != 0 }
}

/// Which compute kernels this process runs, chosen once at first use.
///
/// The choice is the best variant the CPU supports (AVX-512, then AVX2 + FMA, then the
/// baseline on x86-64; NEON on arm64). The environment variable `GRADCHECK_KERNELS` caps
/// it: `portable` forces the Swift path, `baseline`, `avx2` or `avx512` the most the run
/// may use (a variant the CPU lacks falls back to the best below it).
public enum Kernels {
    /// The kernels in use.
    public static let active = KernelSet(level: gck_active_level())

    /// Every variant this build and CPU can run, the portable one first.
    public static var supported: [KernelSet] {
        [GCK_LEVEL_PORTABLE, GCK_LEVEL_BASELINE, GCK_LEVEL_AVX2, GCK_LEVEL_AVX512, GCK_LEVEL_NEON]
            .map { Int32($0) }
            .filter { gck_level_supported($0) != 0 }
            .map { KernelSet(level: $0) }
    }

    /// How many threads one large matrix product may use (default 1). Products of at least
    /// ``parallelThreshold`` multiply-adds split their rows (or columns) into that many
    /// parts; every entry is still summed by one thread in the same order, so results are
    /// bit-identical for any thread count. A process-wide setting, like PyTorch's
    /// `set_num_threads`: the `--threads` flags of `gradcheck train` set it. Code that
    /// already runs on several threads (the gradient checker's workers) leaves it at 1.
    public static var threads: Int {
        get { Int(gck_threads()) }
        set { gck_set_threads(Int32(clamping: Swift.max(1, newValue))) }
    }

    /// The smallest product, in multiply-adds (`m·n·k`), that ``threads`` splits: below it
    /// starting threads costs more than it saves.
    public static let parallelThreshold = 1 << 19
}
