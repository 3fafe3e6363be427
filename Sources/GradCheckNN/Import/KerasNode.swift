/// A reference to a tensor in a Keras functional config: `keras_history` is
/// `[layer name, node index, tensor index]`.
struct KerasTensorRef: Equatable {
    var layer: String
    /// The tensor's shape with the batch axis (`null` read as -1), when given.
    var shape: [Int]?
    var path: String

    static func == (a: KerasTensorRef, b: KerasTensorRef) -> Bool { a.layer == b.layer }

    /// Whether `value` is a serialised Keras tensor (`{"class_name": "__keras_tensor__", ...}`).
    static func isTensor(_ value: JSONValue) -> Bool {
        value["class_name"]?.stringValue == "__keras_tensor__"
    }

    /// Reads a serialised Keras tensor at `path`.
    ///
    /// - Throws: ``SpecError`` for a malformed tensor, a tensor from a layer's second call
    ///   (a shared layer) or a layer's second output.
    static func read(_ value: JSONValue, path: String, file: String?) throws(SpecError) -> KerasTensorRef {
        guard isTensor(value), let config = value["config"] else {
            throw SpecError(file: file, path: path, message: "expected a Keras tensor, got \(value.shortDescription)")
        }
        let historyPath = SpecPath.member(SpecPath.member(path, "config"), "keras_history")
        guard let history = config["keras_history"]?.arrayValue, history.count == 3,
              let layer = history[0].stringValue, let node = history[1].intValue, let index = history[2].intValue else {
            throw SpecError(file: file, path: historyPath, message: "expected [layer name, node index, tensor index]")
        }
        guard node == 0 else {
            throw SpecError(file: file, path: historyPath, message: "layer \"\(layer)\" is called more than once "
                + "(a shared layer): not supported, each gradcheck layer has its own parameters")
        }
        guard index == 0 else {
            throw SpecError(file: file, path: historyPath, message: "output \(index) of layer \"\(layer)\" is used: "
                + "layers with several outputs (return_state, return_attention_scores) are not supported")
        }
        let shape = config["shape"]?.arrayValue.map { $0.map { $0.intValue ?? -1 } }
        return KerasTensorRef(layer: layer, shape: shape, path: path)
    }
}

/// The call of a layer in a functional model: `inbound_nodes[0]`, with its tensor
/// arguments and keyword arguments.
struct KerasCall {
    /// The tensors the layer takes, in order (a merge layer's list flattened).
    var inputs: [KerasTensorRef]
    /// Keyword arguments that are not tensors (`use_causal_mask`).
    var kwargs: KerasConfig
}
