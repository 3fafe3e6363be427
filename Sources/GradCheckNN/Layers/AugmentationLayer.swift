import Foundation
import GradCheckAutograd
import GradCheckTensor

/// A data-augmentation layer (``AugmentationSpec``): in a training step
/// (``ForwardContext/augments``) it transforms each sample at random; everywhere else
/// (inference, validation, `gradcheck check` and `gradients`) it is the identity, except
/// `random_crop`, which then takes Keras' centre window resized to the target size.
///
/// The random draws are a pure function of the pass's seed and the layer's name (a
/// ``SeededRNG`` of stream `"augment <name>"`), the way dropout's mask is of the seed and
/// its ordinal: the same step of the same run augments the same way on every machine.
///
/// Every transform is linear in the input (plus a constant where `fill_mode` is
/// `constant`): geometric ones resample with fixed bilinear weights, contrast mixes each
/// channel with its mean, noise adds a constant and feature dropout multiplies by a mask.
/// So gradients flow through augmentation in training, with a VJP and JVP of their own.
public struct AugmentationLayer: Layer {
    public let name: String
    public var typeName: String { spec.typeName }
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// What the layer does.
    public let spec: AugmentationSpec

    /// Builds the layer for samples of `inputShape`.
    ///
    /// - Throws: ``ModelError``-ready text via ``inputProblem(spec:inputShape:)``; call that first.
    public init(name: String, spec: AugmentationSpec, inputShape: [Int]) {
        self.name = name
        self.spec = spec
        self.inputShape = inputShape
        if case let .randomCrop(h, w) = spec, inputShape.count == 3 {
            outputShape = [h, w, inputShape[2]]
        } else {
            outputShape = inputShape
        }
    }

    /// Why `inputShape` does not fit `spec` (`nil` when it does): image layers take
    /// `[height, width, channels]`, and a crop must fit in the image.
    public static func inputProblem(spec: AugmentationSpec, inputShape: [Int]) -> String? {
        guard spec.isImageLayer else { return nil }
        guard inputShape.count == 3 else {
            return "\(spec.typeName) takes images of shape [height, width, channels], got \(inputShape) "
                + "(reshape flat pixels first, e.g. {\"type\": \"reshape\", \"target_shape\": [8, 8, 1]})"
        }
        if case let .randomCrop(h, w) = spec, h > inputShape[0] || w > inputShape[1] {
            return "random_crop to \(h)×\(w) does not fit in images of \(inputShape[0])×\(inputShape[1])"
        }
        return nil
    }

    @_specialize(where S == Double)
    @_specialize(where S == Float)
    public func forward<S: TensorScalar>(
        _ x: Variable<S>, _ parameters: [Variable<S>], on tape: Tape<S>, context: ForwardContext
    ) -> Variable<S> {
        let batch = tape.value(x).shape[0]
        guard context.augments else {
            if case let .randomCrop(h, w) = spec, h != inputShape[0] || w != inputShape[1] {
                let map = AugmentationResample.centreResize(height: inputShape[0], width: inputShape[1], to: h, w)
                return AugmentationResample(maps: Array(repeating: map, count: batch), channels: inputShape[2],
                                            inputPixels: inputShape[0] * inputShape[1]).apply(x, on: tape, outputShape: outputShape)
            }
            return x
        }
        var rng = SeededRNG(seed: context.seed, name: "augment \(name)")
        switch spec {
        case let .gaussianNoise(stddev):
            let n = tape.value(x).count
            let noise = (0..<n).map { _ in S(stddev * rng.normal()) }
            return tape.add(x, tape.constant(Tensor(unchecked: tape.value(x).shape, scalars: noise)))
        case let .featureDropout(rate):
            guard rate > 0 else { return x }
            let n = tape.value(x).count
            let mask = (0..<n).map { _ in rng.uniform() >= rate ? S(1) : S(0) }
            return tape.multiply(x, tape.constant(Tensor(unchecked: tape.value(x).shape, scalars: mask)))
        case let .randomContrast(factor):
            let factors = (0..<batch).map { _ in rng.uniform(1 - factor.lowerBound, 1 + factor.upperBound) }
            return AugmentationContrast(factors: factors, pixels: inputShape[0] * inputShape[1], channels: inputShape[2])
                .apply(x, on: tape)
        default:
            let h = inputShape[0], w = inputShape[1]
            let maps = (0..<batch).map { _ in geometricMap(height: h, width: w, rng: &rng) }
            return AugmentationResample(maps: maps, channels: inputShape[2], inputPixels: h * w)
                .apply(x, on: tape, outputShape: outputShape)
        }
    }

    /// One sample's resampling map for a geometric augmentation, drawn from `rng`.
    func geometricMap(height h: Int, width w: Int, rng: inout SeededRNG) -> AugmentationResample.Map {
        let cy = Double(h - 1) / 2, cx = Double(w - 1) / 2
        switch spec {
        case let .randomFlip(horizontal, vertical):
            let flipH = horizontal && rng.uniform() < 0.5
            let flipV = vertical && rng.uniform() < 0.5
            return .affine(height: h, width: w, outHeight: h, outWidth: w, fill: AugmentationFill(mode: .constant)) { r, c in
                (flipV ? Double(h - 1 - r) : Double(r), flipH ? Double(w - 1 - c) : Double(c))
            }
        case let .randomTranslation(hf, wf, fill):
            let dy = rng.uniform(hf.lowerBound, hf.upperBound) * Double(h)
            let dx = rng.uniform(wf.lowerBound, wf.upperBound) * Double(w)
            return .affine(height: h, width: w, outHeight: h, outWidth: w, fill: fill) { r, c in (Double(r) - dy, Double(c) - dx) }
        case let .randomRotation(factor, fill):
            let theta = rng.uniform(factor.lowerBound, factor.upperBound) * 2 * Double.pi
            let cs = cos(theta), sn = sin(theta)
            return .affine(height: h, width: w, outHeight: h, outWidth: w, fill: fill) { r, c in
                let dr = Double(r) - cy, dc = Double(c) - cx
                return (cy + cs * dr + sn * dc, cx - sn * dr + cs * dc)
            }
        case let .randomZoom(hf, wf, fill):
            let zy = 1 + rng.uniform(hf.lowerBound, hf.upperBound)
            let zx = wf.map { 1 + rng.uniform($0.lowerBound, $0.upperBound) } ?? zy
            return .affine(height: h, width: w, outHeight: h, outWidth: w, fill: fill) { r, c in
                (cy + (Double(r) - cy) * zy, cx + (Double(c) - cx) * zx)
            }
        case let .randomCrop(ch, cw):
            let top = rng.index(below: h - ch + 1), left = rng.index(below: w - cw + 1)
            return .affine(height: h, width: w, outHeight: ch, outWidth: cw, fill: AugmentationFill(mode: .constant)) { r, c in
                (Double(r + top), Double(c + left))
            }
        default:
            return .affine(height: h, width: w, outHeight: h, outWidth: w, fill: AugmentationFill(mode: .constant)) { r, c in
                (Double(r), Double(c))
            }
        }
    }
}

extension Model {
    /// The note a check report carries when the model has augmentation layers: they are
    /// the identity at check time (``ForwardContext/augments`` is off), so the check
    /// covers the rest of the model; `nil` without augmentation layers.
    public var augmentationCheckNote: String? {
        func names(_ layers: [any Layer]) -> [String] {
            layers.flatMap { l -> [String] in
                if let a = l as? AugmentationLayer { return ["\(a.name) (\(a.typeName))"] }
                if let r = l as? ResidualLayer { return names(r.layers) }
                return []
            }
        }
        let found = names(layers)
        guard !found.isEmpty else { return nil }
        let crop = layers.contains { ($0 as? AugmentationLayer)?.typeName == "random_crop" }
        return "augmentation is the identity at check time (it is active only in training steps): "
            + found.joined(separator: ", ")
            + (crop ? "; random_crop is checked as its inference op, the centre window resized to the target size" : "")
    }
}
