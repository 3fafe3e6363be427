import _Differentiation
import GradCheck

// What the monitor and the clipper need to know about the model: its parameters as
// named plain arrays, in model order (each layer's kernel, then its bias).

extension MLP {
    /// The parameter names, `dense_1/kernel`, `dense_1/bias`, …
    public var parameterNames: [String] {
        layerNames.flatMap { ["\($0)/kernel", "\($0)/bias"] }
    }

    /// The parameters as the monitor's `run_start` lists them (name, layer, shape).
    public var runParameters: [RunParameter] {
        zip(layers, layerNames).flatMap { layer, name in
            [RunParameter(name: "\(name)/kernel", layer: name, shape: [layer.inputs, layer.units]),
             RunParameter(name: "\(name)/bias", layer: name, shape: [layer.units])]
        }
    }

    /// The layers whose outputs the monitor measures, with the kind of their activation.
    public var runLayers: [RunLayer] {
        zip(layers, layerNames).map { RunLayer(name: $1, activation: $0.activation.kind, units: $0.units) }
    }

    /// The parameter values, in the order of ``parameterNames``.
    public var arrays: [[Double]] { layers.flatMap { [$0.weight, $0.bias] } }

    /// Takes a plain SGD step `θ ← θ − lr·g` with gradients in the order of
    /// ``parameterNames``, and returns the updates applied (new minus old).
    @discardableResult
    public mutating func descend(along gradients: [[Double]], learningRate: Double) -> [[Double]] {
        var updates: [[Double]] = []
        for l in layers.indices {
            let gw = gradients[2 * l], gb = gradients[2 * l + 1]
            let uw = gw.map { -learningRate * $0 }, ub = gb.map { -learningRate * $0 }
            for j in uw.indices { layers[l].weight[j] += uw[j] }
            for j in ub.indices { layers[l].bias[j] += ub[j] }
            updates += [uw, ub]
        }
        return updates
    }
}

/// A gradient of the model as plain arrays, in the order of ``MLP/parameterNames``
/// (`MLP.TangentVector` is synthesised, so this is a function rather than a property).
public func arrays(of gradient: MLP.TangentVector) -> [[Double]] {
    gradient.layers.base.flatMap { [$0.weight.base, $0.bias.base] }
}

/// Pairs names with values, for `recordStep`.
public func named(_ names: [String], _ values: [[Double]]) -> [String: any MonitoredValues] {
    Dictionary(uniqueKeysWithValues: zip(names, values.map { $0 as any MonitoredValues }))
}
