/// Builds the paths that ``SpecError`` reports: `layers[2].units`,
/// `parameters["dense_1/kernel"].values[17]`.
public enum SpecPath {
    /// `path.key`, or `path["key"]` when the key is not a plain identifier
    /// (letters, digits and `_`, not starting with a digit). An empty `path` gives `key`.
    public static func member(_ path: String, _ key: String) -> String {
        guard isIdentifier(key) else { return subscripted(path, key) }
        return path.isEmpty ? key : path + "." + key
    }

    /// `path["key"]` with the key written as a JSON string: for maps whose keys are
    /// names (parameters), which are always written in brackets.
    public static func subscripted(_ path: String, _ key: String) -> String {
        path + "[" + JSONWriter.quoted(key) + "]"
    }

    /// `path[index]`.
    public static func index(_ path: String, _ index: Int) -> String {
        path + "[\(index)]"
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return key.utf8.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F
        }
    }
}
