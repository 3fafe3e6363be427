import Foundation
import Testing
@testable import GradCheckHealth

/// The HTML report in a real browser: headless Chromium loads it offline (from a file,
/// no network), renders it, and logs no console message. Skipped where no Chromium is
/// installed (`apt-get install chromium` on Debian).
@Suite struct BrowserRenderTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the browser on `page` with `arguments`; its standard output and error.
    static func browse(_ page: URL, _ arguments: [String]) throws -> (out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--window-size=1200,1600"] + arguments + [page.absoluteString]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs so that neither fills up.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test(.enabled(if: chromium != nil, "no Chromium installed"), .timeLimit(.minutes(2)))
    func reportRendersOfflineWithoutConsoleErrors() throws {
        let log = Synthetic.run(steps: 100, loss: { t in t < 40 ? Synthetic.healthyLoss(t) : 200 },
                                grad: { k, t in t < 42 ? 0.5 : (k == 1 ? 1e-9 : 0.5) })
        let dir = try Synthetic.directory()
        let page = dir.appendingPathComponent("report.html")
        try HealthReport(log: log).html().write(to: page, atomically: true, encoding: .utf8)
        let dom = try Self.browse(page, ["--dump-dom"])
        #expect(dom.out.contains("Root cause: loss_divergence"))
        #expect(dom.out.contains("<svg"))
        let consoleLines = dom.err.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleLines.isEmpty, "\(consoleLines)")
        let shot = dir.appendingPathComponent("report.png")
        _ = try Self.browse(page, ["--screenshot=\(shot.path)"])
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "the screenshot is empty")
    }
}
