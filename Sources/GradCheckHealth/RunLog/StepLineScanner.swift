/// The reader's fast path for `step` lines, the bulk of every log: scans the bytes of one
/// line straight into a ``RunStep``, without building a JSON document (no dictionary per
/// object, no boxed values), which makes a 1M-step log readable in seconds.
///
/// It accepts only what it fully understands and returns `nil` for anything else: an
/// event other than `step`, a string with escapes, a `nonfinite` list that is not empty,
/// a missing required member, a value of the wrong type or a fraction out of range. The
/// general path then reads the line and gives the same result, or the error naming the
/// line and the JSON path. Numbers are converted as the general parser converts them
/// (exactly: one correctly rounded operation when the mantissa and power of ten are exact,
/// else the standard library's conversion), so both paths give equal events.
struct StepLineScanner {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    /// The step of a whole line, or `nil` when the general path must read it.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> RunStep? {
        var s = StepLineScanner(bytes)
        return s.step()
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private mutating func space() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
    }

    private mutating func expect(_ c: UInt8) -> Bool {
        space()
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    /// The bytes of a string without escapes (the quotes consumed), as a range.
    private mutating func rawString() -> Range<Int>? {
        space()
        guard i < b.count, b[i] == 0x22 else { return nil }
        let start = i + 1
        var j = start
        while j < b.count {
            let c = b[j]
            if c == 0x22 { i = j + 1; return start..<j }
            if c == 0x5C || c < 0x20 { return nil }
            j += 1
        }
        return nil
    }

    private func equals(_ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for k in 0..<r.count where b[r.lowerBound + k] != p[k] { return false }
        return true
    }

    private func string(_ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    private mutating func isNull() -> Bool {
        space()
        guard i + 4 <= b.count, b[i] == 0x6E, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C else { return false }
        i += 4
        return true
    }

    /// A number, `"nan"`, `"inf"`, `"-inf"`; `.some(nil)` for `null`; `nil` for anything else.
    private mutating func number() -> Double?? {
        space()
        guard i < b.count else { return nil }
        if isNull() { return .some(nil) }
        if b[i] == 0x22 {
            guard let r = rawString() else { return nil }
            if equals(r, "nan") { return .some(.nan) }
            if equals(r, "inf") { return .some(.infinity) }
            if equals(r, "-inf") { return .some(-.infinity) }
            return nil
        }
        let start = i
        var negative = false
        if b[i] == 0x2D { negative = true; i += 1 }
        guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
        var mantissa: UInt64 = 0
        var exact = true
        var fractionDigits = 0
        if b[i] == 0x30 {
            i += 1
            if i < b.count, b[i] >= 0x30, b[i] <= 0x39 { return nil }
        } else {
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if mantissa < 900_719_925_474_099 { mantissa = mantissa * 10 + UInt64(b[i] - 0x30) } else { exact = false }
                i += 1
            }
        }
        if i < b.count, b[i] == 0x2E {
            i += 1
            guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if mantissa < 900_719_925_474_099 {
                    mantissa = mantissa * 10 + UInt64(b[i] - 0x30)
                    fractionDigits += 1
                } else {
                    exact = false
                }
                i += 1
            }
        }
        var exponent = 0
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            i += 1
            var exponentNegative = false
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { exponentNegative = b[i] == 0x2D; i += 1 }
            guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] - 0x30) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let scale = exponent - fractionDigits
        if exact, scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            if scale >= 0 { value *= Self.powersOfTen[scale] } else { value /= Self.powersOfTen[-scale] }
            return .some(negative ? -value : value)
        }
        guard let value = Double(string(start..<i)), value.isFinite else { return nil }
        return .some(value)
    }

    /// A non-negative integer; `.some(nil)` for `null`.
    private mutating func count() -> Int?? {
        guard let n = number() else { return nil }
        guard let x = n else { return .some(nil) }
        guard x >= 0, x == x.rounded(), x < 9e15 else { return nil }
        return .some(Int(x))
    }

    /// Skips any JSON value (nested up to a depth of 64).
    private mutating func skip(depth: Int = 0) -> Bool {
        space()
        guard i < b.count, depth < 64 else { return false }
        switch b[i] {
        case 0x22:
            // Strings with escapes are skipped too: only their end matters here.
            i += 1
            while i < b.count {
                if b[i] == 0x5C { i += 2; continue }
                if b[i] == 0x22 { i += 1; return true }
                i += 1
            }
            return false
        case 0x7B, 0x5B:
            let close: UInt8 = b[i] == 0x7B ? 0x7D : 0x5D
            let isObject = b[i] == 0x7B
            i += 1
            if expect(close) { return true }
            repeat {
                if isObject {
                    guard skip(depth: depth + 1), expect(0x3A) else { return false }
                }
                guard skip(depth: depth + 1) else { return false }
            } while expect(0x2C)
            return expect(close)
        case 0x74: i += 4; return i <= b.count
        case 0x66: i += 5; return i <= b.count
        case 0x6E: return isNull()
        default: return number() != nil
        }
    }

    /// `{ "name": { ... }, ... }` with `body` reading each member's object.
    private mutating func namedObjects(_ body: (inout StepLineScanner, String) -> Bool) -> Bool {
        if isNull() { return true }
        guard expect(0x7B) else { return false }
        if expect(0x7D) { return true }
        repeat {
            guard let name = rawString(), expect(0x3A), body(&self, string(name)) else { return false }
        } while expect(0x2C)
        return expect(0x7D)
    }

    /// An object's members up to its `}`, each given to `body` (an empty object: none).
    private mutating func object(_ body: (inout StepLineScanner, Range<Int>) -> Bool) -> Bool {
        guard expect(0x7B) else { return false }
        if expect(0x7D) { return true }
        return members(body)
    }

    /// The members of an open object (the `{` consumed) up to its `}`, each given to `body`.
    private mutating func members(_ body: (inout StepLineScanner, Range<Int>) -> Bool) -> Bool {
        repeat {
            guard let key = rawString(), expect(0x3A), body(&self, key) else { return false }
        } while expect(0x2C)
        return expect(0x7D)
    }

    private mutating func step() -> RunStep? {
        guard expect(0x7B) else { return nil }
        var isStep = false
        var stepNumber: Int?, epoch: Int?, loss: Double?
        var gradNorm: Double?, clipped: Double?, rate: Double?
        var parameters: [ParameterStats] = []
        var layers: [LayerStats] = []
        let ok = members { s, key in
            if s.equals(key, "event") {
                guard let v = s.rawString() else { return false }
                isStep = s.equals(v, "step")
                return isStep
            } else if s.equals(key, "step") {
                guard let n = s.count() else { return false }
                stepNumber = n
            } else if s.equals(key, "epoch") {
                guard let n = s.count() else { return false }
                epoch = n
            } else if s.equals(key, "loss") {
                guard let x = s.number() else { return false }
                loss = x
            } else if s.equals(key, "grad_norm") {
                guard let x = s.number() else { return false }
                gradNorm = x
            } else if s.equals(key, "clipped_grad_norm") {
                guard let x = s.number() else { return false }
                clipped = x
            } else if s.equals(key, "learning_rate") {
                guard let x = s.number() else { return false }
                rate = x
            } else if s.equals(key, "params") {
                parameters.removeAll()
                return s.namedObjects { s, name in
                    var p = ParameterStats(name: name, gradNorm: .nan)
                    var hasNorm = false
                    guard s.object({ s, k in
                        if s.equals(k, "grad_norm") {
                            guard let x = s.number(), let v = x else { return false }
                            p.gradNorm = v
                            hasNorm = true
                        } else if s.equals(k, "grad_max") {
                            guard let x = s.number() else { return false }
                            p.gradMax = x
                        } else if s.equals(k, "weight_norm") {
                            guard let x = s.number() else { return false }
                            p.weightNorm = x
                        } else if s.equals(k, "update_norm") {
                            guard let x = s.number() else { return false }
                            p.updateNorm = x
                        } else if s.equals(k, "grad_zero_fraction") {
                            guard let x = s.number() else { return false }
                            if let v = x, !(v >= 0 && v <= 1) { return false }
                            p.gradZeroFraction = x
                        } else {
                            return s.skip()
                        }
                        return true
                    }), hasNorm else { return false }
                    parameters.append(p)
                    return true
                }
            } else if s.equals(key, "layers") {
                layers.removeAll()
                return s.namedObjects { s, name in
                    var l = LayerStats(name: name)
                    guard s.object({ s, k in
                        let target: WritableKeyPath<LayerStats, Double?>
                        if s.equals(k, "mean") { target = \.mean }
                        else if s.equals(k, "std") { target = \.std }
                        else if s.equals(k, "dead_fraction") { target = \.deadFraction }
                        else if s.equals(k, "saturated_fraction") { target = \.saturatedFraction }
                        else if s.equals(k, "attention_entropy") { target = \.attentionEntropy }
                        else { return s.skip() }
                        guard let x = s.number() else { return false }
                        l[keyPath: target] = x
                        return true
                    }) else { return false }
                    layers.append(l)
                    return true
                }
            } else if s.equals(key, "nonfinite") {
                // Only an empty list here; located NaNs take the general path.
                if s.isNull() { return true }
                return s.expect(0x5B) && s.expect(0x5D)
            } else {
                return s.skip()
            }
            return true
        }
        space()
        guard ok, i == b.count, isStep, let stepNumber, let loss else { return nil }
        return RunStep(step: stepNumber, epoch: epoch, loss: loss, gradNorm: gradNorm, clippedGradNorm: clipped,
                       learningRate: rate, parameters: parameters, layers: layers)
    }
}
