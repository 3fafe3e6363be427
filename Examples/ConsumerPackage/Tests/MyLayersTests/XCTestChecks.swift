import GradCheck
import GradCheckTesting
import MyLayers
import XCTest

final class MyLayerXCTests: XCTestCase {
    func testScaledTanhGradients() {
        XCTAssertCorrectGradients(of: ScaledTanh(name: "scaled", units: 3), batchSize: 2)
    }

    func testSoftclipDerivative() {
        XCTAssertCorrectGradients(of: meanSoftclip, at: [1.0, -0.5, 7.0])
    }
}
