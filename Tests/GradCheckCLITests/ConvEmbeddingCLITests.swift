import Foundation
import Testing
@testable import GradCheckCLI

/// The CLI on convolution and embedding models: the digits CNN passes `check` on a real
/// batch, and a model that takes token ids has no `inputs` gradient anywhere.
@Suite struct ConvEmbeddingCLITests {
    @Test func digitsCNNPassesCheckOnARealBatch() throws {
        let result = CLI.run("check", CLI.spec("digits-cnn"), "--data", CLI.dataset("digits.csv"), "--batch-size", "4",
                             "--format", "json")
        #expect(result.status == 0, "\(result.standardError)")
        let json = try CLI.object(result.standardOutput)
        #expect(json["passed"] as? Bool == true)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.allSatisfy { ($0["status"] as? String) != "fail" })
        #expect(checks.contains { $0["target"] as? String == "conv2d_1" && $0["parameter"] as? String == "conv2d_1/kernel" })
    }

    @Test func embeddingModelsHaveNoInputsGradient() throws {
        let gradients = CLI.run("gradients", CLI.spec("embedding-tiny"), "--batch-size", "3")
        #expect(gradients.status == 0, "\(gradients.standardError)")
        let file = try CLI.object(gradients.standardOutput)
        #expect(file["inputs"] == nil)
        #expect((file["parameters"] as? [String: Any])?["embedding_1/embeddings"] != nil)
        let check = CLI.run("check", CLI.spec("embedding-tiny"), "--batch-size", "3", "--format", "json")
        #expect(check.status == 0, "\(check.standardError)")
        let checks = try #require(try CLI.object(check.standardOutput)["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty)
        // Token ids have no gradient: neither the model nor the embedding is checked for `inputs`
        // (the later layers still are).
        let inputChecks = Set(checks.filter { $0["parameter"] as? String == "inputs" }.compactMap { $0["target"] as? String })
        #expect(inputChecks == ["flatten_1", "dense_1", "dense_2"])
    }

    @Test func aTokenIDOutOfRangeIsBadInputWithItsPath() throws {
        let batch = try CLI.write("""
            {"format": "gradcheck.batch/1", "inputs": {"shape": [2, 5], "values": [0, 1, 2, 3, 4, 5, 6, 7, 6, 5]},
             "targets": {"shape": [2], "values": [0, 1]}}
            """, name: "ids.json")
        let result = CLI.run("gradients", CLI.spec("embedding-tiny"), "--batch", batch)
        #expect(result.status == 2)
        #expect(result.standardError.contains("inputs.values[7]"), "\(result.standardError)")
        #expect(result.standardError.contains("0..<7"), "\(result.standardError)")
    }
}
