import Foundation

/// Where a command writes: standard output for results, standard error for progress and
/// diagnostics. Tests capture both.
final class Console {
    private(set) var standardOutput = ""
    private(set) var standardError = ""
    private let capture: Bool

    init(capture: Bool) { self.capture = capture }

    /// Writes to standard output.
    func out(_ text: String) {
        if capture { standardOutput += text } else { FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    /// Writes a line to standard error.
    func err(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        if capture { standardError += line } else { FileHandle.standardError.write(Data(line.utf8)) }
    }
}
