import GradCheckClipping
import GradCheckTensor
import Testing

/// Telemetry aggregation for the lab, and running several policies side by side.
@Suite struct TelemetryTests {
    @Test func summaryOfRecords() {
        let records = [
            ClipTelemetry(normBefore: 4, normAfter: 1, triggered: true, clippedFraction: 1, cosineToRaw: 1),
            ClipTelemetry.unchanged(norm: 0.5),
            ClipTelemetry(normBefore: 2, normAfter: 1, triggered: true, clippedFraction: 0.5, cosineToRaw: 0.8),
            ClipTelemetry.unchanged(norm: .nan, action: .skippedStep, nonFiniteCount: 3),
        ]
        let s = ClipTelemetrySummary(records)
        #expect(s.steps == 4 && s.triggeredSteps == 2 && s.skippedSteps == 1)
        #expect(s.clipRate == 0.5)
        #expect(abs(s.meanCosineWhenTriggered - 0.9) <= 1e-15 && s.minCosineWhenTriggered == 0.8)
        #expect(s.meanClippedFractionWhenTriggered == 0.75)
        #expect(s.medianNormBefore == 2 && s.medianNormAfter == 1)
        let empty = ClipTelemetrySummary([ClipTelemetry]())
        #expect(empty.steps == 0 && empty.clipRate.isNaN && empty.medianNormBefore.isNaN)
    }

    @Test func policiesSideBySideKeepTheirOwnState() throws {
        // What a lab does: one clipper per policy, each fed its own copy of the gradients.
        var clippers = try ClipperParser.parseList("none,value:1,norm:1,global_norm:1,agc:0.01,autoclip:10,zclip")
            .map { makeClipper($0, nonFinite: .zero) }
        var logs = [[ClipTelemetry]](repeating: [], count: clippers.count)
        let weights = CT.randomSet([[4, 3], [3]], seed: 1, as: Float.self)
        for step in 0..<40 {
            let g = CT.randomSet([[4, 3], [3]], seed: UInt64(100 + step), scale: step == 30 ? 50 : 1, as: Float.self)
            for k in clippers.indices {
                var copy = g
                logs[k].append(try clippers[k].clip(&copy, parameters: weights))
            }
        }
        let summaries = logs.map(ClipTelemetrySummary.init)
        #expect(summaries[0].clipRate == 0)
        #expect(summaries[1].clipRate > 0 && summaries[1].minCosineWhenTriggered < 1 - 1e-4)  // value bends
        #expect(abs(summaries[3].minCosineWhenTriggered - 1) <= 1e-6)  // global norm keeps direction
        #expect(summaries[5].clipRate > 0.5)  // autoclip:10 clips most steps
        #expect(logs[6][30].triggered)  // zclip catches the spike after its 25-step warm-up
        #expect(!logs[6][..<25].contains { $0.triggered })
        #expect(Set(clippers.map(\.description)).count == clippers.count)
    }
}
