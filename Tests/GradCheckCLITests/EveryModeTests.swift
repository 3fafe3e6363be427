import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// Every check mode is total over every fixture model: no trap, and no failure on a
/// correct model (kinks are kinks), with token ids skipped and said so.
@Suite struct EveryModeTests {
    /// Every model spec shipped with the package: Fixtures/specs, lab and runs.
    static let specs: [String] = {
        var paths: [String] = []
        for dir in ["Fixtures/specs", "Fixtures/lab", "Fixtures/runs"] {
            let url = CLI.root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            paths += names.filter { $0.hasSuffix(".json") }.sorted().map { url.appendingPathComponent($0).path }
        }
        // Fixtures/runs also holds health reports (`*.json` of another format).
        return paths.filter { (try? CLI.read($0))?.contains("\"gradcheck.model/1\"") ?? false }
    }()

    /// The pathological training runs: their checks run, but their gradients sit where finite
    /// differences are at their limits (see `exploding`), so only totality is asserted.
    static let pathological: Set<String> = ["exploding"]

    @Test(arguments: specs)
    func everyModePassesOnEveryFixture(spec: String) throws {
        let name = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        for mode in ["full", "fast", "dot", "taylor"] {
            // A sample of elements keeps the full mode quick in a debug build; every element
            // of the same specs is checked by the release build in the lead's check.
            let extra = mode == "full" ? ["--max-elements", "24"] : []
            let result = CLI.run(["check", spec, "--mode", mode, "--batch-size", "4"] + extra)
            #expect(result.status == 0 || result.status == 1, "\(name) \(mode): \(result.transcript)")
            if !Self.pathological.contains(name) {
                #expect(result.status == 0, "\(name) \(mode): \(result.transcript)")
            }
            if name == "embedding-tiny" {
                #expect(result.standardOutput.contains("SKIPPED model inputs: token ids"), "\(result.transcript)")
            }
        }
    }

    @Test func theFixturesCoverEveryLayerType() throws {
        var types: Set<String> = []
        for spec in Self.specs {
            let model = try ModelSpec.load(path: spec)
            func collect(_ layers: [LayerSpec]) {
                for l in layers {
                    types.insert(l.kind.typeName)
                    if case let .residual(r) = l.kind { collect(r.layers) }
                }
            }
            collect(model.layers)
        }
        let missing = Set(LayerKind.supportedTypeNames).subtracting(types)
        #expect(missing.isEmpty, "add a fixture spec with \(missing.sorted()) so every mode is run on it")
    }

    @Test func fastModeOnTheConvolutionFixturesPasses() {
        // These failed falsely before: random directions through max-pooling windows with
        // tied maxima (zeros after ReLU) are kinks.
        for name in ["cnn-tiny", "digits-cnn"] {
            for mode in ["fast", "taylor"] {
                let result = CLI.run("check", CLI.spec(name), "--mode", mode)
                #expect(result.status == 0, "\(name) \(mode): \(result.transcript)")
            }
        }
    }

    @Test(arguments: ["full", "fast", "dot", "taylor"])
    func anEmbeddingModelIsNotATrap(mode: String) {
        let result = CLI.run("check", CLI.spec("embedding-tiny"), "--mode", mode, "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.standardOutput.contains("\"skipped\""))
    }
}
