/// A JSON object that keeps its keys in order, with lookup by key.
///
/// Keys are unique: setting a key that exists replaces its value in place, so the order
/// is the order in which keys were first inserted. Equality compares keys, their order
/// and values.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// One member of the object.
    public typealias Member = (key: String, value: JSONValue)

    private var storage: [Member] = []
    private var positions: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object from key–value pairs in order; a repeated key keeps its first position
    /// and its last value. (``JSONParser`` rejects duplicate keys before building one.)
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The members in order.
    public var members: [Member] { storage }

    /// The keys in order.
    public var keys: [String] { storage.map(\.key) }

    /// The number of members.
    public var count: Int { storage.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { storage.isEmpty }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { positions[key] != nil }

    /// The value under `key`, or `nil`. Setting `nil` removes the key; setting a value
    /// for a new key appends it, for an existing key replaces the value in place.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = positions[key] else { return nil }
            return storage[i].value
        }
        set {
            if let newValue {
                if let i = positions[key] {
                    storage[i].value = newValue
                } else {
                    positions[key] = storage.count
                    storage.append((key, newValue))
                }
            } else if let i = positions[key] {
                storage.remove(at: i)
                positions[key] = nil
                for j in i..<storage.count { positions[storage[j].key] = j }
            }
        }
    }

    /// Appends a member whose key the caller knows is new; returns `false` and changes
    /// nothing when the key is already present.
    @discardableResult
    public mutating func appendIfAbsent(_ key: String, _ value: JSONValue) -> Bool {
        guard positions[key] == nil else { return false }
        positions[key] = storage.count
        storage.append((key, value))
        return true
    }

    /// Iterates the members in order.
    public func makeIterator() -> IndexingIterator<[Member]> { storage.makeIterator() }

    /// Whether both objects have the same keys in the same order with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for (a, b) in zip(lhs.storage, rhs.storage) where a.key != b.key || a.value != b.value {
            return false
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// An object with the keys in literal order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
