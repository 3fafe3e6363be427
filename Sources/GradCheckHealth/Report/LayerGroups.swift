/// The parameters of each layer, in model order: how per-parameter gradient norms
/// become per-layer norms (`sqrt` of the sum of squares over the layer's parameters).
struct LayerGroups: Sendable, Equatable {
    /// The layers that own parameters, in order of their first parameter.
    private(set) var names: [String] = []
    /// For each layer, the indices of its parameters.
    private(set) var members: [[Int]] = []

    init(_ parameters: [RunParameter]) {
        var index: [String: Int] = [:]
        for (i, p) in parameters.enumerated() {
            if let k = index[p.layer] {
                members[k].append(i)
            } else {
                index[p.layer] = names.count
                names.append(p.layer)
                members.append([i])
            }
        }
    }

    /// Each layer's gradient norm from its parameters' norms (`nil` where a layer has no
    /// parameter norm at this step).
    func norms(_ parameterNorms: [Double?]) -> [Double?] {
        members.map { m in
            let present = m.compactMap { parameterNorms[$0] }
            return present.isEmpty ? nil : TensorStatistics.combinedNorm(present)
        }
    }
}
