import Foundation
import GradCheck
import Testing
@testable import GradCheckCLI

/// Every fixture model keeps every backward contract: four per layer and for the model,
/// all passing (the pathological fixtures included: the contracts do not depend on step
/// sizes).
@Suite struct ContractFixtureTests {
    @Test(arguments: EveryModeTests.specs)
    func everyFixtureKeepsEveryContract(spec: String) throws {
        let name = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        let result = CLI.run("check", spec, "--mode", "fast", "--probes", "1", "--batch-size", "4", "--format", "json")
        let json = try CLI.object(result.standardOutput)
        let contracts = try #require(json["contracts"] as? [[String: Any]], "\(name): \(result.transcript)")
        let layers = try ModelSpec.load(path: spec).layers.count
        #expect(contracts.count == 4 * (layers + 1), "\(name)")
        for c in contracts {
            #expect(c["status"] as? String == "pass", "\(name): \(c)")
        }
    }

    @Test func noContractsLeavesThemOut() throws {
        let result = CLI.run("check", CLI.spec("tiny-logits"), "--no-contracts", "--format", "json")
        #expect(result.status == 0, "\(result.transcript)")
        #expect(try CLI.object(result.standardOutput)["contracts"] == nil)
        let text = CLI.run("check", CLI.spec("tiny-logits"), "--no-contracts")
        #expect(!text.standardOutput.contains("backward contracts"))
    }
}
