/// Reads single entries of a zip archive (a Keras `.keras` file) from its bytes.
///
/// Foundation has no zip API on Linux, so this is a minimal reader of our own: it finds
/// the central directory, locates an entry by name, and returns its bytes, stored or
/// deflated, checked against the entry's CRC-32. Zip64 archives, encryption and other
/// compression methods are reported as errors.
struct ZipArchive {
    /// One entry of the central directory.
    struct Entry {
        var name: String
        var method: Int
        var crc32: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
        var flags: Int
    }

    let bytes: [UInt8]
    let file: String
    /// The entries in directory order.
    private(set) var entries: [Entry] = []

    /// Whether `bytes` start like a zip archive (a local file header, `PK\u{3}\u{4}`).
    static func looksLikeZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// Reads the central directory.
    ///
    /// - Throws: ``SpecError`` naming `file` when the archive is truncated, not a zip, or zip64.
    init(bytes: [UInt8], file: String) throws(SpecError) {
        self.bytes = bytes
        self.file = file
        // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
        var eocd: Int?
        var k = bytes.count - 22
        while k >= 0 && k >= bytes.count - 22 - 65_535 {
            if u32(k) == 0x0605_4B50 { eocd = k; break }
            k -= 1
        }
        guard let eocd else { throw fail("not a zip archive (no end of central directory)") }
        let count = u16(eocd + 10)
        let directorySize = Int(u32(eocd + 12))
        let directoryOffset = Int(u32(eocd + 16))
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
            throw fail("zip64 archives are not supported; extract config.json and import that")
        }
        guard directoryOffset + directorySize <= bytes.count else { throw fail("the central directory lies past the end") }
        var p = directoryOffset
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4B50 else { throw fail("a damaged central directory") }
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            guard p + 46 + nameLength <= bytes.count else { throw fail("a damaged central directory") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries.append(Entry(name: name, method: u16(p + 10), crc32: u32(p + 16), compressedSize: Int(u32(p + 20)),
                                 size: Int(u32(p + 24)), localHeaderOffset: Int(u32(p + 42)), flags: u16(p + 8)))
            p += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of the entry named `name`.
    ///
    /// - Throws: ``SpecError`` when there is no such entry, it is encrypted, compressed
    ///   with a method other than stored or deflate, corrupt, or fails its CRC-32.
    func contents(of name: String) throws(SpecError) -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw fail("the archive has no \(name) (entries: \(entries.map(\.name).joined(separator: ", ")))")
        }
        guard entry.flags & 1 == 0 else { throw fail("\(name) is encrypted") }
        let h = entry.localHeaderOffset
        guard h + 30 <= bytes.count, u32(h) == 0x0403_4B50 else { throw fail("a damaged local header for \(name)") }
        let start = h + 30 + u16(h + 26) + u16(h + 28)
        guard start + entry.compressedSize <= bytes.count else { throw fail("\(name) runs past the end of the archive") }
        let raw = Array(bytes[start..<(start + entry.compressedSize)])
        let data: [UInt8]
        switch entry.method {
        case 0:
            data = raw
        case 8:
            do {
                data = try Inflate.decode(raw, expectedSize: entry.size)
            } catch {
                throw fail("\(name) cannot be inflated: \(error.message)")
            }
        default:
            throw fail("\(name) uses compression method \(entry.method); only stored (0) and deflate (8) are supported")
        }
        guard data.count == entry.size else { throw fail("\(name) has \(data.count) bytes, its header says \(entry.size)") }
        guard CRC32.checksum(data) == entry.crc32 else { throw fail("\(name) fails its CRC-32 check (a damaged archive)") }
        return data
    }

    private func fail(_ message: String) -> SpecError { SpecError(file: file, message: message) }

    private func u16(_ i: Int) -> Int {
        guard i + 2 <= bytes.count else { return 0 }
        return Int(bytes[i]) | Int(bytes[i + 1]) << 8
    }

    private func u32(_ i: Int) -> UInt32 {
        guard i >= 0, i + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
}

/// The CRC-32 of zip and gzip (polynomial 0xEDB88320, reflected).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
