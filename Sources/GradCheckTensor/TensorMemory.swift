import CGradCheckKernels

/// Process-wide allocator settings for tensor-heavy work.
public enum TensorMemory {
    /// Asks the C allocator to keep freed memory for reuse instead of returning it to the
    /// operating system after each large tensor (glibc: raises the mmap threshold to 32 MiB
    /// and the trim threshold to 512 MiB).
    ///
    /// A gradient check runs tens of thousands of stacked forward passes, each allocating
    /// and freeing the same tensors of up to a few megabytes; without this, glibc maps and
    /// unmaps them every time, and page faults take about a quarter of the CPU time of a
    /// transformer's full check. Call it once, early, from an executable (the `gradcheck`
    /// command does); a library should leave the choice to its host process. The cost is
    /// memory held after a peak: up to 512 MiB of freed heap stays with the process.
    ///
    /// - Returns: `true` when the allocator took the settings, `false` where there is
    ///   nothing to tune (not glibc) or it refused them.
    @discardableResult
    public static func keepFreedMemory() -> Bool { gck_keep_freed_memory() == 1 }
}
