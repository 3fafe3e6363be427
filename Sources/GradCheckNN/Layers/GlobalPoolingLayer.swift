import GradCheckAutograd
import GradCheckTensor

/// The mean or the maximum over every position of a sample, per channel:
/// `[timesteps, channels] → [channels]` (`global_average_pooling1d`,
/// `global_max_pooling1d`) or `[height, width, channels] → [channels]`
/// (`global_max_pooling2d`).
///
/// The input is viewed as `[height, width, channels]` (`[timesteps, 1, channels]` for
/// sequences): the mean is ``Tape/globalAveragePool2D(_:)``, the maximum one
/// ``Tape/maxPool2D(_:window:)`` window covering the whole sample, so its kink rule is
/// max pooling's (a tie sends the gradient to the first maximal position).
public struct GlobalPoolingLayer: Layer {
    public let name: String
    /// Mean or maximum.
    public let reduction: Pooling2DLayer.Reduction
    public let inputShape: [Int]
    public var outputShape: [Int] { [inputShape[inputShape.count - 1]] }
    public var typeName: String {
        (reduction == .max ? "global_max_pooling" : "global_average_pooling") + (inputShape.count == 2 ? "1d" : "2d")
    }

    /// What is wrong with `inputShape` for a pooling over `spatialRank` axes (1 or 2), or
    /// `nil` when the layer can take it.
    public static func inputProblem(spatialRank: Int, inputShape: [Int]) -> String? {
        if inputShape.count == spatialRank + 1 { return nil }
        return spatialRank == 1 ? "needs an input of rank 2 (timesteps, channels), got \(inputShape)"
                                : "needs an input of rank 3 (height, width, channels), got \(inputShape)"
    }

    /// Builds the layer for `[timesteps, channels]` or `[height, width, channels]`.
    ///
    /// - Precondition: `inputShape` has rank 2 or 3.
    public init(name: String, reduction: Pooling2DLayer.Reduction, inputShape: [Int]) {
        precondition(inputShape.count == 2 || inputShape.count == 3, "\(name): bad input shape \(inputShape)")
        self.name = name
        self.reduction = reduction
        self.inputShape = inputShape
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let batch = tape.value(x).shape[0]
        let h = inputShape[0], w = inputShape.count == 3 ? inputShape[1] : 1, c = inputShape[inputShape.count - 1]
        let image = tape.reshape(x, to: [batch, h, w, c])
        switch reduction {
        case .average:
            return tape.globalAveragePool2D(image)
        case .max:
            let window = Window2D(inputHeight: h, inputWidth: w, windowHeight: h, windowWidth: w,
                                  strideHeight: h, strideWidth: w, same: false)
            return tape.reshape(tape.maxPool2D(image, window: window), to: [batch, c])
        }
    }
}
