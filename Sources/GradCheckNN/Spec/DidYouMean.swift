/// Spelling suggestions for unknown keys, type names and flags.
///
/// A candidate is close when its optimal-string-alignment (Damerau–Levenshtein) distance
/// to the word is at most 2 (at most 1 for words of three characters or fewer), or when
/// one is a prefix of the other and the shorter has at least three characters. The
/// comparison ignores case and treats `-` as `_`, so `--batch-size` style flags and
/// `LeakyReLU`-style names are matched too.
public enum DidYouMean {
    /// The closest candidate to `word`, or `nil` when none is close.
    ///
    /// Ties go to the smaller edit distance, then to the earlier candidate, so the result
    /// is deterministic.
    public static func suggestion<C: Collection>(for word: String, among candidates: C) -> String?
    where C.Element == String {
        let w = normalized(word)
        var best: (candidate: String, score: Int)?
        for candidate in candidates where candidate != word {
            let c = normalized(candidate)
            var score: Int?
            if c == w {
                score = 0
            } else {
                let d = distance(w, c)
                let limit = min(w.count, c.count) <= 3 ? 1 : 2
                if d <= limit {
                    score = d
                } else if min(w.count, c.count) >= 3, c.hasPrefix(w) || w.hasPrefix(c) {
                    score = 3
                }
            }
            if let score, score < (best?.score ?? Int.max) { best = (candidate, score) }
        }
        return best?.candidate
    }

    /// `"; did you mean \"units\"?"` for the closest candidate, or the empty string when
    /// none is close: ready to append to an error message.
    public static func hint<C: Collection>(for word: String, among candidates: C) -> String
    where C.Element == String {
        guard let s = suggestion(for: word, among: candidates) else { return "" }
        return "; did you mean \"\(s)\"?"
    }

    /// The optimal-string-alignment distance between two strings, counted in characters:
    /// insertions, deletions, substitutions and swaps of neighbours each cost 1.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    v = min(v, prev2[j - 2] + 1)
                }
                cur[j] = v
            }
            swap(&prev2, &prev)
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    private static func normalized(_ s: String) -> String {
        String(s.lowercased().map { $0 == "-" ? "_" : $0 })
    }
}
