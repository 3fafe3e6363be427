import Foundation
import GradCheckNN

/// The engine under every sweep and the clipping lab: runs numbered jobs on a fixed
/// number of worker threads in this process (the jobs share the model and the data,
/// which are immutable values), and trains one run the way both of them do.
public enum SweepExecutor {
    /// Runs `body(i)` for every `i` in `0..<count` on `threads` workers (each takes the
    /// next unstarted job when it finishes one), calling `finished(i, result)` from the
    /// worker as each job ends. Returns when every job has finished.
    ///
    /// Results do not depend on `threads`: each job's numbers come from its own seed.
    public static func run<R>(count: Int, threads: Int, _ body: @Sendable (Int) -> R,
                              finished: @Sendable (Int, R) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(threads, count))
        let next = JobCounter()
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(finished) { finished in
                let work: @Sendable (Int) -> Void = { _ in
                    while let i = next.take(below: count) {
                        finished(i, body(i))
                    }
                }
                if workers == 1 {
                    work(0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: workers, execute: work)
                }
            }
        }
    }

    /// The worker count `--threads` means by default: every core.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// How one run of a sweep or of the lab went.
    public struct Outcome: Sendable {
        /// How the run ended (`diverged` when a non-finite value stopped it).
        public var status: TrainingStatus
        /// The finished epochs.
        public var history: [EpochRecord]
        /// The steps taken.
        public var steps: Int
        /// Wall-clock seconds.
        public var seconds: Double
    }

    /// Trains a fresh `Float` trainer for `model` with `configuration` on `data`, with
    /// `observers` watching; a run that diverges (a non-finite loss or gradient stops
    /// it, or the non-finite rule raises) is an outcome, not an error.
    ///
    /// - Throws: ``TrainingError`` for a configuration out of range or data that do not
    ///   fit the model.
    public static func train(model: Model, configuration: TrainingConfiguration, data: PreparedData,
                             observers: [any TrainingObserver]) throws -> Outcome {
        let start = DispatchTime.now().uptimeNanoseconds
        let trainer = try Trainer<Float>(model: model, configuration: configuration)
        let epochs = EpochCollector()
        trainer.observers = observers + [epochs]
        var status = TrainingStatus.completed
        var history: [EpochRecord] = []
        do {
            let result = try trainer.fit(data)
            status = result.status
            history = result.history
        } catch let error as TrainingError where error.diverged {
            status = .diverged
            history = epochs.epochs
        }
        return Outcome(status: status, history: history, steps: trainer.stepCount,
                       seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

/// Hands out job numbers to workers.
///
/// `@unchecked Sendable` is safe: `value` is only read and written under `lock`.
final class JobCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// The next job number, or `nil` when every job below `count` has been taken.
    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < count else { return nil }
        value += 1
        return value - 1
    }
}

/// Keeps the finished epochs of a run (for a run that ends by throwing).
final class EpochCollector: TrainingObserver {
    var epochs: [EpochRecord] = []

    func trainingDidFinishEpoch(_ epoch: EpochRecord) -> ObserverDecision {
        epochs.append(epoch)
        return .proceed
    }
}
