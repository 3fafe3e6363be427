import GradCheckTensor

/// Clipping plain arrays: for training loops that keep their parameters and gradients in
/// `[Float]` or `[Double]` (a hand-written model, another framework's buffers copied out)
/// rather than in ``Tensor``.
///
/// These call the policy's own ``GradientClipper/clip(_:parameters:)`` on the arrays
/// wrapped as tensors, so the arithmetic, the telemetry, the non-finite rule and the
/// policy's state between steps (``AutoClipper``'s history, ``ZClipper``'s moving
/// averages) are exactly those of tensor clipping. Keep the clipper in a `var` that lives
/// as long as the run, and call it once per step:
///
/// ```swift
/// var clipper = makeClipper(.globalNorm(maxNorm: 1))
/// for batch in batches {
///     var grads: [[Float]] = [gW1, gB1, gW2, gB2]     // your backward pass
///     let telemetry = try clipper.clip(&grads)
///     if telemetry.skipsStep { continue }
///     // apply grads ...
/// }
/// ```
///
/// The arrays are not copied: each one's storage is handed to the clipper and back (so
/// the call copies only an array the caller still shares with another variable).
///
/// ## Shapes
///
/// Only ``AGCClipper`` looks at shapes. Without `shapes`, every array is a vector of
/// its `count` elements: under ``AGCUnitLayout/lastAxis`` (the default) each element is
/// its own unit, under ``AGCUnitLayout/firstAxis`` the whole array is one unit. To clip a
/// dense kernel unit by unit, pass its shape (`[inputs, units]` for the last-axis layout,
/// row-major), or use tensors. The other policies treat the arrays as the same set of
/// parameter tensors whatever their shapes (`norm` clips each array on its own,
/// `global_norm` all of them together).
extension GradientClipper {
    /// Clips one step's gradients, given as one plain array per parameter, in place.
    ///
    /// - Parameters:
    ///   - gradients: one array per parameter, in model order (`[[Float]]` or
    ///     `[[Double]]`).
    ///   - parameters: the current parameter values in the same order and with the same
    ///     counts; AGC needs them, the other policies ignore them. `nil` is no parameters
    ///     (AGC then throws ``ClippingError/Problem/parameterCountMismatch(gradients:parameters:)``).
    ///   - shapes: each array's shape, row-major, for AGC's unit grouping; `nil` treats
    ///     each array as a vector `[count]`.
    /// - Returns: the step's telemetry; when ``ClipTelemetry/skipsStep`` the caller
    ///   should not apply the update.
    /// - Complexity: that of the policy, O(n); no element is copied.
    /// - Throws: ``ClippingError`` as the policy does (a non-finite gradient under
    ///   ``NonFiniteRule/error``, a setting out of range, AGC parameters that do not
    ///   match), and ``ClippingError/Problem/shapeMismatch(gradient:parameter:)`` with
    ///   `gradient` `[count]` when a shape's element count is not its array's count, or
    ///   when `shapes` does not give one shape per array. The gradients are unchanged
    ///   when it throws.
    public mutating func clip<S: TensorScalar>(_ gradients: inout [[S]], parameters: [[S]]? = nil,
                                               shapes: [[Int]]? = nil) throws(ClippingError) -> ClipTelemetry {
        if let shapes {
            guard shapes.count == gradients.count else {
                throw ClippingError(policy: description,
                                    problem: .shapeMismatch(gradient: [gradients.count], parameter: [shapes.count]))
            }
            for (i, shape) in shapes.enumerated() where shape.reduce(1, *) != gradients[i].count || shape.contains(where: { $0 < 0 }) {
                throw ClippingError(policy: description, problem: .shapeMismatch(gradient: [gradients[i].count], parameter: shape),
                                    parameterIndex: i)
            }
        }
        func shape(_ i: Int, count: Int) -> [Int] {
            if let shapes, i < shapes.count, shapes[i].reduce(1, *) == count { return shapes[i] }
            return [count]
        }
        var weights: [Tensor<S>] = []
        if let parameters {
            weights.reserveCapacity(parameters.count)
            for (i, p) in parameters.enumerated() { weights.append(Tensor(unchecked: shape(i, count: p.count), scalars: p)) }
        }
        var tensors: [Tensor<S>] = []
        tensors.reserveCapacity(gradients.count)
        for i in gradients.indices { tensors.append(Tensor(unchecked: shape(i, count: gradients[i].count), scalars: gradients[i])) }
        // Hand each array's storage to its tensor alone, so that clipping writes in place,
        // and hand it back whatever happens (the policy leaves it unchanged when it throws).
        gradients = []
        defer { gradients = tensors.map(\.scalars) }
        return try clip(&tensors, parameters: weights)
    }

    /// Clips one gradient given as a single plain array in place: a model flattened into
    /// one vector (for instance a `Differentiable` value's tangent through
    /// `ScalarFlattenable.flattenedScalars`).
    ///
    /// A single array is a single parameter tensor: `norm` and `global_norm` then agree,
    /// and AGC sees one vector (see the shapes note above).
    ///
    /// - Parameters:
    ///   - gradient: the gradient, as `[Float]` or `[Double]`.
    ///   - parameter: the current parameter values, for AGC; ignored by the others.
    /// - Returns: the step's telemetry.
    /// - Complexity: that of the policy, O(n); no element is copied.
    /// - Throws: ``ClippingError`` as ``clip(_:parameters:shapes:)`` does.
    public mutating func clip<S: TensorScalar>(_ gradient: inout [S], parameter: [S]? = nil) throws(ClippingError) -> ClipTelemetry {
        var set = [gradient]
        gradient = []
        defer { gradient = set[0] }
        return try clip(&set, parameters: parameter.map { [$0] })
    }
}
