/// A DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Enough to read an entry of a zip archive (a `.keras` file) without a dependency; it
/// checks every length and code and reports corrupt data as an error, never traps.
enum Inflate {
    /// Why a stream could not be decoded.
    struct Failure: Error {
        var message: String
    }

    /// Decodes a raw DEFLATE stream (no zlib or gzip header).
    ///
    /// - Parameter expectedSize: the size the archive announces, used to reserve space
    ///   and to stop a stream that would produce more.
    /// - Complexity: linear in the output.
    static func decode(_ input: [UInt8], expectedSize: Int) throws(Failure) -> [UInt8] {
        var reader = BitReader(bytes: input)
        var out: [UInt8] = []
        out.reserveCapacity(expectedSize)
        var last = false
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                reader.alignToByte()
                let len = try reader.bits(16), nlen = try reader.bits(16)
                guard len == ~nlen & 0xFFFF else { throw Failure(message: "a stored block's length check fails") }
                for _ in 0..<len { out.append(UInt8(try reader.bits(8))) }
            case 1:
                try inflateBlock(&reader, &out, literals: Huffman.fixedLiterals, distances: Huffman.fixedDistances, limit: expectedSize)
            case 2:
                let (literals, distances) = try readDynamicTables(&reader)
                try inflateBlock(&reader, &out, literals: literals, distances: distances, limit: expectedSize)
            default:
                throw Failure(message: "reserved block type 3")
            }
            guard out.count <= expectedSize else { throw Failure(message: "the entry is longer than its header says") }
        }
        return out
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                              1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                               11, 11, 12, 12, 13, 13]

    private static func inflateBlock(_ reader: inout BitReader, _ out: inout [UInt8], literals: Huffman,
                                     distances: Huffman, limit: Int) throws(Failure) {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let li = symbol - 257
                guard li < lengthBase.count else { throw Failure(message: "invalid length code \(symbol)") }
                let length = lengthBase[li] + (try reader.bits(lengthExtra[li]))
                let di = try distances.decode(&reader)
                guard di < distanceBase.count else { throw Failure(message: "invalid distance code \(di)") }
                let distance = distanceBase[di] + (try reader.bits(distanceExtra[di]))
                guard distance <= out.count else { throw Failure(message: "a back reference before the start") }
                guard out.count + length <= limit else { throw Failure(message: "the entry is longer than its header says") }
                let start = out.count - distance
                for k in 0..<length { out.append(out[start + k]) }
            }
        }
    }

    private static func readDynamicTables(_ reader: inout BitReader) throws(Failure) -> (Huffman, Huffman) {
        let hlit = try reader.bits(5) + 257
        let hdist = try reader.bits(5) + 1
        let hclen = try reader.bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for k in 0..<hclen { codeLengths[order[k]] = try reader.bits(3) }
        let lengthCode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < hlit + hdist {
            let symbol = try lengthCode.decode(&reader)
            switch symbol {
            case 0..<16:
                lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Failure(message: "a repeat with nothing before it") }
                lengths.append(contentsOf: repeatElement(previous, count: 3 + (try reader.bits(2))))
            case 17:
                lengths.append(contentsOf: repeatElement(0, count: 3 + (try reader.bits(3))))
            default:
                lengths.append(contentsOf: repeatElement(0, count: 11 + (try reader.bits(7))))
            }
        }
        guard lengths.count == hlit + hdist else { throw Failure(message: "code lengths overrun their tables") }
        return (try Huffman(lengths: Array(lengths[0..<hlit])), try Huffman(lengths: Array(lengths[hlit...])))
    }

    /// Reads bits least significant first, as DEFLATE packs them.
    struct BitReader {
        let bytes: [UInt8]
        var position = 0
        var buffer: UInt64 = 0
        var count = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func bits(_ n: Int) throws(Failure) -> Int {
            if n == 0 { return 0 }
            while count < n {
                guard position < bytes.count else { throw Failure(message: "the compressed data ends early") }
                buffer |= UInt64(bytes[position]) << UInt64(count)
                position += 1
                count += 8
            }
            let value = Int(buffer & ((1 << UInt64(n)) - 1))
            buffer >>= UInt64(n)
            count -= n
            return value
        }

        mutating func alignToByte() {
            let drop = count % 8
            buffer >>= UInt64(drop)
            count -= drop
        }
    }

    /// A canonical Huffman code, decoded bit by bit with per-length counts (zlib's
    /// `puff` method: small and exact).
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(Failure) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
            var left = 1
            for l in 1..<16 {
                left <<= 1
                left -= counts[l]
                guard left >= 0 else { throw Failure(message: "an over-subscribed Huffman code") }
            }
        }

        func decode(_ reader: inout BitReader) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for l in 1..<16 {
                code |= try reader.bits(1)
                let count = counts[l]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw Failure(message: "an invalid Huffman code")
        }

        static let fixedLiterals: Huffman = {
            var lengths = [Int](repeating: 8, count: 288)
            for k in 144..<256 { lengths[k] = 9 }
            for k in 256..<280 { lengths[k] = 7 }
            // The fixed code is complete by construction, so this cannot fail.
            return (try? Huffman(lengths: lengths)) ?? Huffman.empty
        }()

        static let fixedDistances: Huffman = (try? Huffman(lengths: [Int](repeating: 5, count: 30))) ?? Huffman.empty

        private static let empty = Huffman(uncheckedCounts: [Int](repeating: 0, count: 16))

        private init(uncheckedCounts: [Int]) { counts = uncheckedCounts }
    }
}
