import Foundation
import Testing
@testable import GradCheckNN

private func parseError(_ text: String) -> SpecError? {
    SpecTestSupport.error { () throws(SpecError) in try JSONParser.parse(text, file: "x.json") }
}

@Test func parsesEveryKindOfValue() throws {
    let v = try JSONParser.parse(#" { "b": [true, false, null], "a": -12.5e1, "s": "h\u00e9\n\"\ud83d\ude00" } "#)
    guard case let .object(o) = v else { Issue.record("not an object"); return }
    #expect(o.keys == ["b", "a", "s"])
    #expect(o["b"] == [true, false, nil])
    #expect(o["a"] == .number(-125))
    #expect(o["s"] == .string("hé\n\"😀"))
    #expect(v["a"]?.isInteger == true)
    #expect(v["a"]?.intValue == -125)
    #expect(JSONValue.number(2.5).isInteger == false)
    #expect(try JSONParser.parse("\u{FEFF}[1]") == [1])
    #expect(try JSONParser.parse("[]") == [])
    #expect(try JSONParser.parse("{}") == .object(JSONObject()))
    #expect(try JSONParser.parse("\"\"") == "")
    #expect(try JSONParser.parse("-0").doubleValue?.sign == .minus)
}

@Test func syntaxErrorsGiveLineAndColumn() {
    #expect(parseError("{\n  \"a\": 1,\n  \"b\" 2\n}")?.description
        == "x.json: invalid JSON at line 3, column 7: unexpected '2' after a key; expected ':'")
    #expect(parseError("[1, 2,]")?.description
        == "x.json: invalid JSON at line 1, column 7: unexpected ']'; expected a value")
    #expect(parseError("{\"a\": 1 \"b\": 2}")?.description
        == "x.json: invalid JSON at line 1, column 9: unexpected '\"' after an object member; expected ',' or '}'")
    #expect(parseError("")?.description == "x.json: invalid JSON at line 1, column 1: the document is empty")
    #expect(parseError("[1] 2")?.description
        == "x.json: invalid JSON at line 1, column 5: unexpected '2' after the JSON value")
    #expect(parseError("\"é\" x")?.description
        == "x.json: invalid JSON at line 1, column 5: unexpected 'x' after the JSON value")
    #expect(parseError("[tru]")?.description == "x.json: invalid JSON at line 1, column 2: invalid literal; expected true")
    #expect(parseError("[01]")?.message == "invalid JSON at line 1, column 2: invalid number: leading zeros are not allowed")
    #expect(parseError("[1.]")?.message == "invalid JSON at line 1, column 4: invalid number: expected a digit after '.'")
    #expect(parseError("[.5]") != nil)
    #expect(parseError("[+1]") != nil)
    #expect(parseError("[1e]") != nil)
    #expect(parseError("[1e400]")?.message == "invalid JSON at line 1, column 2: number 1e400 is out of range for a 64-bit float")
    #expect(parseError("[NaN]")?.message.contains(#"write them as the strings "nan", "inf" and "-inf""#) == true)
    #expect(parseError("[-Infinity]")?.message.contains("NaN and Infinity are not JSON") == true)
    #expect(parseError("[\"a\u{01}\"]")?.message == "invalid JSON at line 1, column 4: unescaped control character (byte 0x1) in a string")
    #expect(parseError("[\"\\x\"]")?.message == "invalid JSON at line 1, column 3: invalid escape \\x")
    #expect(parseError("[\"\\ud800\"]")?.message == "invalid JSON at line 1, column 3: unpaired surrogate in a \\u escape")
    #expect(parseError("[\"abc")?.message == "invalid JSON at line 1, column 2: unterminated string (it opens here)")
    #expect(parseError("{1: 2}") != nil)
    #expect(parseError("[1 2]") != nil)
    let invalidUTF8 = SpecTestSupport.error { () throws(SpecError) in try JSONParser.parse([0x22, 0xFF, 0x22]) }
    #expect(invalidUTF8?.message == "invalid JSON at line 1, column 2: invalid UTF-8 in a string")
}

@Test func duplicateKeysAreErrorsWithPath() {
    let e = parseError(#"{"layers": [{"units": 1, "units": 2}]}"#)
    #expect(e?.description == "x.json: layers[0].units: duplicate key (line 1, column 26)")
    #expect(parseError(#"{"a": 1, "a": 1}"#)?.path == "a")
    #expect(parseError(#"{"p": {"dense_1/kernel": 1, "dense_1/kernel": 2}}"#)?.path == #"p["dense_1/kernel"]"#)
}

@Test func nestingIsBounded() throws {
    let ok = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
    #expect(try JSONParser.parse(ok).arrayValue != nil)
    let deep = String(repeating: "[", count: 100_000)
    #expect(parseError(deep)?.message.contains("nesting deeper than") == true)
}

@Test func numbersRoundTripBitForBitAndAgreeWithFoundation() throws {
    var rng = TestRNG(seed: 7)
    var texts: [String] = []
    var expected: [Double] = []
    for k in 0..<1000 {
        let x: Double
        switch k % 4 {
        case 0: // any finite bit pattern
            var y = Double(bitPattern: rng.next())
            while !y.isFinite { y = Double(bitPattern: rng.next()) }
            x = y
        case 1: x = Double.random(in: -1...1, using: &rng)
        case 2: x = Double.random(in: -1e6...1e6, using: &rng).rounded()
        default: x = Double.random(in: 0...1, using: &rng) * pow(10, Double(Int.random(in: -30...30, using: &rng)))
        }
        texts.append(JSONWriter.numberText(x))
        expected.append(x)
    }
    let document = "[" + texts.joined(separator: ",") + "]"
    let parsed = try JSONParser.parse(document)
    let ours = parsed.arrayValue?.compactMap(\.doubleValue) ?? []
    #expect(ours.count == 1000)
    // Foundation's JSONDecoder rounds correctly. (JSONSerialization on Linux does not:
    // it is off by a few units in the last place on 17-digit numbers, so it is no oracle.)
    let foundation = try JSONDecoder().decode([Double].self, from: Data(document.utf8))
    #expect(foundation.count == 1000)
    var mismatches = 0
    var foundationMismatches = 0
    for k in 0..<min(ours.count, foundation.count) {
        if ours[k].bitPattern != expected[k].bitPattern { mismatches += 1 }
        if foundation[k].bitPattern != ours[k].bitPattern { foundationMismatches += 1 }
    }
    #expect(mismatches == 0)
    #expect(foundationMismatches == 0)

    // Hand-written decimals, digits of every length: same as Double(String).
    for _ in 0..<1000 {
        let digits = Int.random(in: 1...25, using: &rng)
        var s = Bool.random(using: &rng) ? "-" : ""
        s += String(Int.random(in: 1...9, using: &rng))
        for _ in 1..<digits { s += String(Int.random(in: 0...9, using: &rng)) }
        if Bool.random(using: &rng) {
            let point = Int.random(in: 1...s.count, using: &rng)
            if point < s.count, !(s.hasPrefix("-") && point == 1) {
                s.insert(".", at: s.index(s.startIndex, offsetBy: point))
            }
        }
        if Bool.random(using: &rng) { s += "e\(Int.random(in: -40...40, using: &rng))" }
        let value = try JSONParser.parse(s).doubleValue
        #expect(value?.bitPattern == Double(s)?.bitPattern, "\(s)")
    }
}

@Test func writerFormatsNumbers() {
    #expect(JSONWriter.numberText(3) == "3")
    #expect(JSONWriter.numberText(-3) == "-3")
    #expect(JSONWriter.numberText(0) == "0")
    #expect(JSONWriter.numberText(-0.0) == "-0")
    #expect(JSONWriter.numberText(0.1) == "0.1")
    #expect(JSONWriter.numberText(1e-5) == "1e-05")
    #expect(JSONWriter.numberText(9_007_199_254_740_991) == "9007199254740991")
    #expect(JSONWriter.numberText(9_007_199_254_740_992) == "9007199254740992.0")
    #expect(JSONWriter.numberText(1e16) == "1e+16")
    #expect(JSONWriter.numberText(.nan) == "\"nan\"")
    #expect(JSONWriter.numberText(.infinity) == "\"inf\"")
    #expect(JSONWriter.numberText(-.infinity) == "\"-inf\"")
    #expect(JSONValue.string("nan").extendedNumberValue?.isNaN == true)
    #expect(JSONValue.string("-inf").extendedNumberValue == -.infinity)
    #expect(JSONValue.string("NaN").extendedNumberValue == nil)
}

@Test func writerLayoutIsDeterministic() throws {
    let v: JSONValue = [
        "format": "x/1",
        "shape": [2, 3],
        "t": ["shape": [2], "values": [1.5, .number(.nan)]],
        "opt": ["type": "adam", "learning_rate": 0.001],
        "layers": [["type": "dense", "units": 4, "reg": ["l2": 0.01]], "s\"q\\\u{01}"],
        "empty": [:], "none": [],
    ]
    #expect(JSONWriter.compact.string(for: v) == #"{"format":"x/1","shape":[2,3],"t":{"shape":[2],"values":[1.5,"nan"]},"opt":{"type":"adam","learning_rate":0.001},"layers":[{"type":"dense","units":4,"reg":{"l2":0.01}},"s\"q\\\u0001"],"empty":{},"none":[]}"#)
    let pretty = """
    {
      "format": "x/1",
      "shape": [2, 3],
      "t": {"shape": [2], "values": [1.5, "nan"]},
      "opt": {"type": "adam", "learning_rate": 0.001},
      "layers": [
        {
          "type": "dense",
          "units": 4,
          "reg": {"l2": 0.01}
        },
        "s\\"q\\\\\\u0001"
      ],
      "empty": {},
      "none": []
    }
    """
    #expect(JSONWriter.pretty.string(for: v) == pretty)
    // Round trip (NaN comes back as the string "nan", everything else as written).
    let back = try JSONParser.parse(JSONWriter.pretty.string(for: v))
    #expect(back["layers"] == v["layers"])
    #expect(back["t"]?["values"] == [1.5, "nan"])
    #expect(try JSONParser.parse(JSONWriter.compact.string(for: back)) == back)
}

@Test func objectKeepsOrderAndReplacesInPlace() {
    var o: JSONObject = ["b": 1, "a": 2]
    o["c"] = 3
    o["b"] = 4
    #expect(o.keys == ["b", "a", "c"])
    #expect(o["b"] == 4)
    o["a"] = nil
    #expect(o.keys == ["b", "c"])
    #expect(o["c"] == 3)
    #expect(o.appendIfAbsent("b", 9) == false)
    #expect(o != ["c": 3, "b": 4])
}

@Test func stringsRoundTripThroughTheWriter() throws {
    for s in ["", "plain", "tab\there", "quote\"back\\slash/", "\u{0}\u{1F}\u{7F}", "é漢字😀", "\u{2028}"] {
        let text = JSONWriter.compact.string(for: .string(s))
        #expect(try JSONParser.parse(text) == .string(s))
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
        #expect(foundation == s)
    }
}

@Test func parsesALargeDocumentQuickly() throws {
    var rng = TestRNG(seed: 3)
    let values = (0..<100_000).map { _ in JSONWriter.numberText(Double.random(in: -1...1, using: &rng)) }
    let text = #"{"parameters": {"w": {"shape": [100000], "values": ["# + values.joined(separator: ", ") + "]}}}"
    let bytes = Array(text.utf8)
    #expect(bytes.count > 2_000_000)
    let start = Date()
    let doc = try JSONParser.parse(bytes)
    let elapsed = Date().timeIntervalSince(start)
    #expect(doc["parameters"]?["w"]?["values"]?.arrayValue?.count == 100_000)
    // Generous even for debug builds; release builds take a few tens of milliseconds.
    #expect(elapsed < 5)
}
