import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// The estimate `train` and `clip-lab` print before a run of 30 s or more.
struct LongRunNoteTests {
    @Test func shortRunsPrintNothing() {
        let e = TrainingEstimate(stepsPerRun: 100, evaluationBatchesPerRun: 0, runs: 1, parallel: 1, secondsPerStep: 0.01)
        #expect(e.longRunNote(less: "--epochs N") == nil)
    }

    @Test func longRunsSayStepsStepTimeTotalAndHowToShortenThem() throws {
        let train = TrainingEstimate(stepsPerRun: 9000, evaluationBatchesPerRun: 0, runs: 1, parallel: 1, secondsPerStep: 0.006)
        let note = try #require(train.longRunNote(less: "--epochs N"))
        #expect(note == "note: 9000 steps; one step measured at 6.0e-03 s, so this takes about 54 s (--epochs N run less)")
        let lab = TrainingEstimate(stepsPerRun: 1000, evaluationBatchesPerRun: 300, runs: 25, parallel: 2, secondsPerStep: 0.01)
        let labNote = try #require(lab.longRunNote(less: "--seeds N"))
        // (1000 + 300/3) × 0.01 s = 11 s a run, 13 waves of two: 143 s.
        #expect(labNote.contains("1000 steps × 25 runs (2 at a time)"))
        #expect(labNote.contains("about 2 min"))
    }

    @Test func absurdRunsAreCalledSo() throws {
        let e = TrainingEstimate(stepsPerRun: Int.max, evaluationBatchesPerRun: 0, runs: 1, parallel: 1, secondsPerStep: 0.01)
        #expect(try #require(e.longRunNote(less: "--epochs N")).contains("longer than anyone will wait"))
        #expect(TrainingEstimate.duration(90_000) == "25.0 h")
        #expect(TrainingEstimate.duration(864_000) == "10.0 days")
    }
}
