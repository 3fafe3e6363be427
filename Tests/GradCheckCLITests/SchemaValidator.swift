import Foundation
import GradCheckNN

/// A JSON Schema validator for the subset of draft 2020-12 that `docs/schemas/` uses:
/// `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
/// `oneOf`, `anyOf`, `allOf`, `not`, `$ref` (`#/$defs/...` and `<file>#/$defs/...`),
/// `$defs`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minItems`,
/// `maxItems`, `minLength` and `pattern`. A keyword outside the subset is an error, so a
/// schema cannot silently stop checking something.
///
/// Documents are read with the toolkit's own parser, which keeps object order and reads
/// numbers exactly; integers are numbers with an integral value, as the draft says.
struct SchemaValidator {
    /// The schemas by file name (`model.schema.json`).
    let schemas: [String: JSONValue]
    /// Every `$ref` of every schema, resolved once: `file|ref` → (schema, its file).
    private let refs: [String: (JSONValue, String)]
    /// Keywords used in the schemas that this validator does not implement (`file: keyword`),
    /// and `$ref`s it cannot resolve: both must be empty for its verdicts to mean anything.
    let unsupported: [String]

    static let known: Set<String> = [
        "$schema", "$id", "title", "description", "$defs", "type", "properties", "required", "additionalProperties",
        "items", "enum", "const", "oneOf", "anyOf", "allOf", "not", "$ref", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minItems", "maxItems", "minLength", "pattern",
    ]

    /// Loads every `*.schema.json` in `directory`.
    init(directory: URL) throws {
        var schemas: [String: JSONValue] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".schema.json") {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            schemas[name] = try JSONParser.parse(bytes, file: name)
        }
        self.schemas = schemas
        var refs: [String: (JSONValue, String)] = [:]
        func collect(_ node: JSONValue, file: String) {
            switch node {
            case let .object(o):
                if let ref = o["$ref"]?.stringValue, let target = Self.resolve(ref, from: file, in: schemas) {
                    refs[file + "|" + ref] = target
                }
                for (_, v) in o { collect(v, file: file) }
            case let .array(a): for v in a { collect(v, file: file) }
            default: break
            }
        }
        for (name, schema) in schemas { collect(schema, file: name) }
        self.refs = refs
        var unsupported: [String] = []
        func walk(_ node: JSONValue, file: String) {
            guard case let .object(o) = node else { return }
            for key in o.keys where !Self.known.contains(key) { unsupported.append("\(file): \(key)") }
            if let ref = o["$ref"]?.stringValue, refs[file + "|" + ref] == nil { unsupported.append("\(file): $ref \(ref)") }
            for key in ["properties", "$defs"] { for (_, v) in o[key]?.objectValue ?? JSONObject() { walk(v, file: file) } }
            for key in ["items", "additionalProperties", "not"] { if let v = o[key] { walk(v, file: file) } }
            for key in ["oneOf", "anyOf", "allOf"] { for v in o[key]?.arrayValue ?? [] { walk(v, file: file) } }
        }
        for (name, schema) in schemas { walk(schema, file: name) }
        self.unsupported = unsupported
    }

    /// The problems of `value` against schema file `name`, each `path: message`; empty
    /// when it validates.
    func validate(_ value: JSONValue, against name: String) -> [String] {
        guard let schema = schemas[name] else { return ["no schema \(name)"] }
        if isValid(value, schema, file: name) { return [] }
        var problems: [String] = []
        check(value, schema, file: name, path: "", into: &problems)
        return problems
    }

    private func resolve(_ ref: String, from file: String) -> (JSONValue, String)? {
        refs[file + "|" + ref]
    }

    private static func resolve(_ ref: String, from file: String, in schemas: [String: JSONValue]) -> (JSONValue, String)? {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let target = parts[0].isEmpty ? file : String(parts[0])
        guard var node = schemas[target] else { return nil }
        if parts.count > 1 {
            for key in parts[1].split(separator: "/") {
                guard let next = node[String(key)] else { return nil }
                node = next
            }
        }
        return (node, target)
    }

    private func typeMatches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("number", .number): return true
        case let ("integer", .number(x)): return x.isFinite && x.rounded() == x
        default: return false
        }
    }

    /// Whether `value` validates, without collecting messages: the fast path (the
    /// thousands of numbers in a tensor); ``check`` explains only where this says no.
    private func isValid(_ value: JSONValue, _ schema: JSONValue, file: String) -> Bool {
        guard case let .object(s) = schema else {
            if case .bool(false) = schema { return false }
            return true
        }
        if let ref = s["$ref"]?.stringValue {
            guard let (target, targetFile) = resolve(ref, from: file), isValid(value, target, file: targetFile) else { return false }
        }
        if let type = s["type"] {
            let ok = type.stringValue.map { typeMatches(value, $0) }
                ?? (type.arrayValue ?? []).contains { typeMatches(value, $0.stringValue ?? "") }
            if !ok { return false }
        }
        if let c = s["const"], c != value { return false }
        if let e = s["enum"]?.arrayValue, !e.contains(value) { return false }
        switch value {
        case let .number(x):
            if let m = s["minimum"]?.doubleValue, !(x >= m) { return false }
            if let m = s["maximum"]?.doubleValue, !(x <= m) { return false }
            if let m = s["exclusiveMinimum"]?.doubleValue, !(x > m) { return false }
            if let m = s["exclusiveMaximum"]?.doubleValue, !(x < m) { return false }
        case let .string(text):
            if let m = s["minLength"]?.intValue, text.count < m { return false }
            if let pattern = s["pattern"]?.stringValue, text.range(of: pattern, options: .regularExpression) == nil { return false }
        case let .array(elements):
            if let m = s["minItems"]?.intValue, elements.count < m { return false }
            if let m = s["maxItems"]?.intValue, elements.count > m { return false }
            if let items = s["items"], !elements.allSatisfy({ isValid($0, items, file: file) }) { return false }
        case let .object(members):
            for key in s["required"]?.arrayValue ?? [] { if let k = key.stringValue, !members.contains(k) { return false } }
            let properties = s["properties"]?.objectValue ?? JSONObject()
            let extra = s["additionalProperties"]
            for (key, member) in members {
                if let p = properties[key] {
                    if !isValid(member, p, file: file) { return false }
                } else if let extra, !isValid(member, extra, file: file) {
                    return false
                }
            }
        default:
            break
        }
        if let all = s["allOf"]?.arrayValue, !all.allSatisfy({ isValid(value, $0, file: file) }) { return false }
        if let any = s["anyOf"]?.arrayValue, !any.contains(where: { isValid(value, $0, file: file) }) { return false }
        if let one = s["oneOf"]?.arrayValue, one.filter({ isValid(value, $0, file: file) }).count != 1 { return false }
        if let not = s["not"], isValid(value, not, file: file) { return false }
        return true
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, file: String, path: String, into problems: inout [String]) {
        guard case let .object(s) = schema else {
            if case .bool(false) = schema { problems.append("\(path): not allowed") }
            return
        }
        func fail(_ message: String) { problems.append("\(path.isEmpty ? "(document)" : path): \(message)") }
        for key in s.keys where !Self.known.contains(key) { fail("schema keyword \(key) is outside the validator's subset") }

        if let ref = s["$ref"]?.stringValue {
            guard let (target, targetFile) = resolve(ref, from: file) else { return fail("unresolvable $ref \(ref)") }
            check(value, target, file: targetFile, path: path, into: &problems)
        }
        if let type = s["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            guard types.contains(where: { typeMatches(value, $0) }) else {
                return fail("expected \(types.joined(separator: " or ")), got \(value.kindDescription)")
            }
        }
        if let c = s["const"], c != value { fail("expected \(c), got \(value.shortDescription)") }
        if let e = s["enum"]?.arrayValue, !e.contains(value) {
            fail("expected one of \(e.map(\.description).joined(separator: ", ")), got \(value.shortDescription)")
        }
        if case let .number(x) = value {
            if let m = s["minimum"]?.doubleValue, !(x >= m) { fail("expected ≥ \(m), got \(x)") }
            if let m = s["maximum"]?.doubleValue, !(x <= m) { fail("expected ≤ \(m), got \(x)") }
            if let m = s["exclusiveMinimum"]?.doubleValue, !(x > m) { fail("expected > \(m), got \(x)") }
            if let m = s["exclusiveMaximum"]?.doubleValue, !(x < m) { fail("expected < \(m), got \(x)") }
        }
        if case let .string(text) = value {
            if let m = s["minLength"]?.intValue, text.count < m { fail("expected at least \(m) characters") }
            if let pattern = s["pattern"]?.stringValue,
               text.range(of: pattern, options: .regularExpression) == nil {
                fail("\"\(text)\" does not match \(pattern)")
            }
        }
        if case let .array(elements) = value {
            if let m = s["minItems"]?.intValue, elements.count < m { fail("expected at least \(m) items, got \(elements.count)") }
            if let m = s["maxItems"]?.intValue, elements.count > m { fail("expected at most \(m) items, got \(elements.count)") }
            if let items = s["items"] {
                for (k, e) in elements.enumerated() where !isValid(e, items, file: file) {
                    check(e, items, file: file, path: "\(path)[\(k)]", into: &problems)
                }
            }
        }
        if case let .object(members) = value {
            let properties = s["properties"]?.objectValue ?? JSONObject()
            for key in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !members.contains(key) {
                fail("missing required key \"\(key)\"")
            }
            for (key, member) in members {
                let memberPath = SpecPath.member(path, key)
                if let p = properties[key] {
                    check(member, p, file: file, path: memberPath, into: &problems)
                } else if let extra = s["additionalProperties"] {
                    if case .bool(false) = extra {
                        problems.append("\(memberPath): unknown key")
                    } else if case .object = extra {
                        check(member, extra, file: file, path: memberPath, into: &problems)
                    }
                }
            }
        }
        func matches(_ sub: JSONValue) -> [String] {
            var p: [String] = []
            check(value, sub, file: file, path: path, into: &p)
            return p
        }
        if let all = s["allOf"]?.arrayValue {
            for sub in all { problems += matches(sub) }
        }
        if let any = s["anyOf"]?.arrayValue, !any.contains(where: { isValid(value, $0, file: file) }) {
            problems += closest(any.map(matches), "anyOf")
        }
        if let one = s["oneOf"]?.arrayValue {
            let passing = one.filter { isValid(value, $0, file: file) }.count
            if passing == 0 { problems += closest(one.map(matches), "oneOf") }
            if passing > 1 { fail("matches \(passing) alternatives of a oneOf, expected exactly one") }
        }
        if let not = s["not"], matches(not).isEmpty { fail("matches a schema it must not (\(not))") }
    }

    /// The problems of the alternative that came closest (fewest problems), so that a
    /// layer with one bad key reports that key, not every other layer type.
    private func closest(_ results: [[String]], _ keyword: String) -> [String] {
        guard let best = results.min(by: { $0.count < $1.count }) else { return ["empty \(keyword)"] }
        return best
    }
}
