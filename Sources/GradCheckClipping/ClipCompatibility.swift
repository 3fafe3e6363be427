/// Which arithmetic a norm-threshold policy uses when it rescales gradients.
///
/// It concerns `global_norm`, `norm`, `autoclip` and `zclip` (every policy that scales a
/// gradient set down to a norm threshold); `none`, `value` and `agc` ignore it.
public enum ClipCompatibility: String, Sendable, CaseIterable {
    /// Scale by `c / ‖g‖` only when `‖g‖ > c`, computing the product in `Double` and
    /// rounding once. Below or at the threshold the gradients are left bit-for-bit alone,
    /// and after clipping the norm is `c` up to rounding.
    case exact
    /// PyTorch's `torch.nn.utils.clip_grad_norm_`: always multiply, in the gradients'
    /// own precision, by `clamp(reciprocal(‖g‖ + 1e-6) * c, max: 1)`, where `‖g‖` is the
    /// norm of the per-tensor norms rounded to the scalar type. A run ported from PyTorch
    /// clips bit-for-bit the same given the same norms (see
    /// ``GlobalNormClipper/pytorchCoefficient(totalNorm:maxNorm:)``). Norms are still
    /// computed overflow-safely, so Float gradients of 1e20 are scaled where PyTorch's
    /// float32 norm overflows to inf and zeroes them.
    case pytorch
}
