/// How adaptive gradient clipping groups a parameter tensor's elements into units.
///
/// A unit's gradient is clipped against the norm of the same unit of the weights.
public enum AGCUnitLayout: String, Sendable, CaseIterable {
    /// Keras layouts, where the last axis indexes output units: a dense kernel
    /// `[in, units]` has one unit per column, a convolution kernel `[kh, kw, cin, f]` one
    /// per filter `f` (norm over `kh·kw·cin`), and a vector (a bias `[units]`) one unit per
    /// element; a rank-0 tensor is one unit. (DeepMind's NFNet code treats a whole vector
    /// as one unit; here the last-axis rule is applied uniformly.)
    case lastAxis = "last_axis"
    /// PyTorch layouts, where the first axis indexes output units (`Linear` weight
    /// `[out, in]`, `Conv2d` weight `[out, in, kh, kw]`); vectors and scalars are a single
    /// unit, as in timm's `adaptive_clip_grad`.
    case firstAxis = "first_axis"
}
