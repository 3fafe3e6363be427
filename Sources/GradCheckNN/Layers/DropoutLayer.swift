import GradCheckAutograd
import GradCheckTensor

/// Inverted dropout: in training, each element is kept with probability `1 − rate` and
/// scaled by `1 / (1 − rate)`; at inference it is the identity.
///
/// The mask is a pure function of the pass's seed, the layer's ordinal among the
/// model's dropout layers (`k`, from 1) and the element's row-major position in the
/// batch: a ``SeededRNG`` of stream `k` draws one uniform `u` per element, and the
/// element is kept when `u ≥ rate`. The verifier therefore sees the same mask in every
/// perturbed pass, and a reference implementation in another language can reproduce it.
public struct DropoutLayer: Layer {
    public let name: String
    public var typeName: String { "dropout" }
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    /// The fraction of elements dropped.
    public let rate: Double
    /// This layer's ordinal among the model's dropout layers, from 1: its RNG stream.
    public let ordinal: Int

    /// Builds the layer.
    public init(name: String, rate: Double, ordinal: Int, inputShape: [Int]) {
        self.name = name
        self.rate = rate
        self.ordinal = ordinal
        self.inputShape = inputShape
    }

    /// The scaled mask (`0` or `1 / (1 − rate)`) for a batch of `batchSize` samples.
    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func mask<S: TensorScalar>(batchSize: Int, seed: UInt64) -> Tensor<S> {
        let per = inputShape.reduce(1, *)
        var rng = SeededRNG(seed: seed, stream: UInt64(ordinal))
        let keep = S(1 / (1 - rate))
        var values = [S](repeating: 0, count: batchSize * per)
        for i in 0..<values.count where rng.uniform() >= rate { values[i] = keep }
        return Tensor(unchecked: [batchSize] + inputShape, scalars: values)
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        guard context.training, rate > 0 else { return x }
        let batch = tape.value(x).shape[0]
        var m: Tensor<S>
        if let rows = context.rowSource {
            m = mask(batchSize: context.originalBatchSize, seed: context.seed).gatherRows(rows)
        } else {
            m = mask(batchSize: batch, seed: context.seed)
        }
        return tape.multiply(x, tape.constant(m))
    }
}
