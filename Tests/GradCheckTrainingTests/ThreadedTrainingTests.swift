import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

/// `Kernels.threads` (what `gradcheck train --threads N` sets) must not change a single
/// bit of a training run: each matrix-product entry is summed by one thread, in order.
@Suite struct ThreadedTrainingTests {
    /// Five Adam steps of a 96-128-10 MLP at batch 64: its products (64·96·128 and larger
    /// in the backward pass) are above the threshold at which the product splits.
    func run(threads: Int) throws -> [Tensor<Float>] {
        Kernels.threads = threads
        let model = try Fixture.model(json: Fixture.mlpJSON(inputs: 96, hidden: 128, classes: 10))
        let trainer = try Trainer<Float>(model: model, configuration: TrainingConfiguration(batchSize: 64))
        var rng = SeededRNG(seed: 5)
        let x = Tensor<Float>(unchecked: [64, 96], scalars: (0..<(64 * 96)).map { _ in Float(rng.normal()) })
        let labels = (0..<64).map { $0 % 10 }
        for _ in 0..<5 { _ = try trainer.step(inputs: x, targets: .labels(labels)) }
        return trainer.values
    }

    @Test func trainingIsBitIdenticalForAnyThreadCount() throws {
        let saved = Kernels.threads
        defer { Kernels.threads = saved }
        #expect(64 * 96 * 128 >= Kernels.parallelThreshold)
        let one = try run(threads: 1)
        for threads in [2, 3] {
            let many = try run(threads: threads)
            #expect(many.map(\.scalars) == one.map(\.scalars), "threads=\(threads)")
        }
    }
}
