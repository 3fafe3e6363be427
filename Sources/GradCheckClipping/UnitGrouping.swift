/// How a tensor's flat elements fall into AGC units: the elements are read as
/// `[outer, units, inner]`, and unit `u` is every element whose middle index is `u`.
///
/// Last-axis units (Keras) are `inner == 1`; first-axis units (PyTorch) are `outer == 1`.
struct UnitGrouping: Sendable, Equatable {
    /// The product of the axes before the unit axis.
    var outer: Int
    /// The number of units.
    var units: Int
    /// The product of the axes after the unit axis.
    var inner: Int

    /// The grouping of a tensor of `shape` under `layout`.
    ///
    /// Empty tensors give zero units. - Complexity: O(rank).
    init(shape: [Int], layout: AGCUnitLayout) {
        let count = shape.reduce(1, *)
        guard count > 0 else {
            (outer, units, inner) = (0, 0, 0)
            return
        }
        switch layout {
        case .lastAxis:
            // Rank 0 is one unit; rank 1 is one unit per element; rank ≥ 2: one per column.
            let u = shape.last ?? 1
            (outer, units, inner) = (count / u, u, 1)
        case .firstAxis:
            if shape.count >= 2 {
                (outer, units, inner) = (1, shape[0], count / shape[0])
            } else {
                (outer, units, inner) = (1, 1, count)
            }
        }
    }
}
