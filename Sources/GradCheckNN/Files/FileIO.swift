import Foundation

/// Reading and writing whole files, with failures as ``SpecError``s that name the file.
enum FileIO {
    /// The bytes of the file at `path`.
    ///
    /// - Throws: ``SpecError`` (`file not found`, `is a directory, not a file`,
    ///   `cannot read the file: ...`).
    static func read(path: String) throws(SpecError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpecError(file: path, message: "file not found")
        }
        if isDirectory.boolValue {
            throw SpecError(file: path, message: "is a directory, not a file")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return [UInt8](data)
        } catch {
            throw SpecError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically: to a temporary file in the same
    /// directory, then renamed over `path`, so readers never see a partial file.
    ///
    /// - Throws: ``SpecError`` naming the file when it cannot be written.
    static func writeAtomically(_ text: String, to path: String) throws(SpecError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SpecError(file: path, message: "cannot write the file: \(error.localizedDescription)")
        }
    }
}
