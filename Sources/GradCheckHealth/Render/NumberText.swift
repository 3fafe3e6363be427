import Foundation

/// How the report and the alerts write numbers for people.
enum NumberText {
    /// Three significant digits, in the shortest of fixed and scientific form: `0.0123`,
    /// `3.2e+05`, `nan`, `inf`.
    static func short(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e-3 && a < 1e5 { return String(format: "%.3g", x) }
        return String(format: "%.2e", x)
    }

    /// A fraction as a percentage: `42%`, `0.5%`.
    static func percent(_ x: Double) -> String {
        if !x.isFinite { return short(x) }
        let p = x * 100
        return (p >= 10 || p == 0 ? String(format: "%.0f", p) : String(format: "%.1f", p)) + "%"
    }

    /// A multiple: `120×`.
    static func times(_ x: Double) -> String { short(x) + "×" }
}

extension NumberText {
    /// `1 step`, `3 steps`.
    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
