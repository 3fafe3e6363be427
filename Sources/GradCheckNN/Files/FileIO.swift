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
            throw SpecError(file: path, message: "cannot read the file: \(FileProblem.reason(error, path: path, writing: false))")
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
            throw SpecError(file: path, message: "cannot write the file: \(FileProblem.reason(error, path: path, writing: true))")
        }
    }
}

/// Plain words for why a file could not be read or written, instead of Foundation's
/// `The operation could not be completed (NSCocoaErrorDomain error 512)`.
public enum FileProblem {
    /// Why `path` could not be read (`writing: false`) or written: an empty path, a
    /// missing or non-directory parent, a directory in the way, missing permission, or
    /// the operating system's own message for its error code.
    public static func reason(_ error: any Error, path: String, writing: Bool) -> String {
        let fm = FileManager.default
        if path.isEmpty { return "the path is empty" }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a directory" }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if writing {
            if !fm.fileExists(atPath: parent, isDirectory: &isDirectory) { return "the directory \(parent) does not exist" }
            if !isDirectory.boolValue { return "\(parent) is not a directory" }
            if !fm.isWritableFile(atPath: parent) { return "permission denied (cannot create files in \(parent))" }
        } else if fm.fileExists(atPath: path), !fm.isReadableFile(atPath: path) {
            return "permission denied"
        }
        let ns = error as NSError
        let posix = ns.domain == NSPOSIXErrorDomain ? ns : ns.userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix, posix.domain == NSPOSIXErrorDomain, let text = strerror(Int32(posix.code)) {
            return String(cString: text).lowercased()
        }
        return "the operating system refused it (\(ns.domain) code \(ns.code))"
    }
}
