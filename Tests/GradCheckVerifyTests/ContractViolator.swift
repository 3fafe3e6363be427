import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// How a ``ContractViolator`` breaks the backward contract (or `none`).
enum ContractViolation: String, Sendable, CaseIterable {
    /// A correct layer.
    case none
    /// The VJP uses `g ⊙ g` where it should use `g`: nonlinear in the cotangent, yet
    /// right at `g = 1`.
    case squaresCotangent
    /// The VJP adds a constant to the input gradient: nonzero at a zero cotangent.
    case addsConstant
    /// The VJP adds a call counter to the input gradient: each backward pass differs.
    case counts
    /// The forward pass writes into its input's storage (a kernel working in place).
    case writesInput
    /// The backward pass writes into its parameter's storage.
    case writesParameter
}

/// Counts calls, from any thread (the planted nondeterminism).
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// The next count, 1 first.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}

/// `y = x ⊙ s` (a per-feature scale `s`), whose backward pass breaks one contract.
struct ContractViolator: Layer {
    let name: String
    var typeName: String { "contract_violator" }
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let parameters: [ParameterDescriptor]
    let violation: ContractViolation
    let counter = CallCounter()

    init(name: String, features: Int, violation: ContractViolation) {
        self.name = name
        self.inputShape = [features]
        self.violation = violation
        self.parameters = [ParameterDescriptor(name: "\(name)/scale", layer: name, shape: [features],
                                               initializer: .randomNormal(mean: 1, stddev: 0.5))]
    }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        let xv = tape.value(x), s = tape.value(p[0])
        let n = s.count
        let value = Tensor(unchecked: xv.shape, scalars: xv.scalars.enumerated().map { $0.element * s.scalars[$0.offset % n] })
        let violation = self.violation, counter = self.counter
        if violation == .writesInput { Self.poke(xv) }
        return tape.custom([x, p[0]], value: value) { g in
            if violation == .writesParameter { Self.poke(s) }
            let g = violation == .squaresCotangent ? g.map { $0 * $0 } : g
            var gx = Tensor(unchecked: g.shape, scalars: g.scalars.enumerated().map { $0.element * s.scalars[$0.offset % n] })
            var gs = Tensor<S>.zeros([n])
            for (j, v) in g.scalars.enumerated() { gs.scalars[j % n] += v * xv.scalars[j] }
            switch violation {
            case .addsConstant: gx.scalars[0] += S(0.01)
            case .counts: gx.scalars[0] += S(Double(counter.next()) * 1e-3)
            default: break
            }
            return [gx, gs]
        }
    }

    /// Adds 1 to the first element of `t` through its shared storage, as a C kernel that
    /// works in place would: every copy of `t` sees it.
    static func poke<S: TensorScalar>(_ t: Tensor<S>) {
        t.scalars.withUnsafeBufferPointer { buffer in
            UnsafeMutablePointer(mutating: buffer.baseAddress!)[0] += 1
        }
    }
}
