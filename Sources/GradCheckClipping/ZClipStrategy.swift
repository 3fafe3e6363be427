/// Where ``ZClipper`` clips a norm spike to.
public enum ZClipStrategy: String, Sendable, CaseIterable {
    /// To `μ + z_thr·σ`: the largest norm that is not a spike.
    case threshold
    /// To `μ + (z_thr² / z)·σ`: the reference code's `adaptive_scaling` ("reciprocal"
    /// clipping), which pulls larger spikes further down.
    case reciprocal
}
