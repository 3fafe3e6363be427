import Foundation
import GradCheckAutograd
import GradCheckNN
import GradCheckTensor

/// A bug planted in a copy of the residual dense op's VJP, for the mutation score.
enum Mutation: String, CaseIterable, Sendable {
    /// The kernel gradient with the wrong sign: `−xᵀg`.
    case signFlip = "sign flip"
    /// The input gradient through `W` instead of `Wᵀ`: `g·W`.
    case transposedMatrix = "transposed matrix"
    /// The input gradient forgets the residual path: `g·Wᵀ` without `+ g`.
    case missingTerm = "missing term"
    /// The bias gradient's loop stops one column early: the last column gets 0.
    case offByOneIndex = "off-by-one index"
    /// The bias gradient averages over the batch instead of summing (the reduction of a
    /// broadcast row done wrong).
    case wrongBroadcastReduction = "wrong broadcast reduction"
    /// The kernel gradient uses the input remembered from an earlier forward pass.
    case staleCache = "stale cache"
}

/// The input a stale-cache VJP remembers: the first one of each size it was given,
/// forever after (the checker's stacked perturbation batches have other sizes).
///
/// `@unchecked Sendable` is safe: every access to `scalars` goes through `lock`.
final class StaleInput: @unchecked Sendable {
    private var scalars: [Int: [Double]] = [:]
    private let lock = NSLock()
    func remember(_ x: [Double]) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        if scalars[x.count] == nil { scalars[x.count] = x }
        return scalars[x.count]!
    }
}

/// `y = x·W + b + x` (a square residual dense layer) with a correct JVP and a VJP that
/// carries `mutation` (none when `nil`).
struct MutantDense: Layer {
    let name: String
    var typeName: String { "mutant_dense" }
    let inputShape: [Int]
    var outputShape: [Int] { inputShape }
    let parameters: [ParameterDescriptor]
    let mutation: Mutation?
    let cache = StaleInput()

    init(name: String, units: Int, mutation: Mutation?) {
        self.name = name
        self.inputShape = [units]
        self.mutation = mutation
        self.parameters = [
            ParameterDescriptor(name: "\(name)/kernel", layer: name, shape: [units, units], initializer: .glorotUniform),
            ParameterDescriptor(name: "\(name)/bias", layer: name, shape: [units], initializer: .randomNormal(mean: 0, stddev: 0.5)),
        ]
    }

    func forward<S: TensorScalar>(_ x: Variable<S>, _ p: [Variable<S>], on tape: Tape<S>, context: ForwardContext) -> Variable<S> {
        let xv = tape.value(x), w = tape.value(p[0]), b = tape.value(p[1])
        let value = xv.matmul(w).addingRow(b).zipMap(xv, +)
        let mutation = self.mutation
        let remembered = cache.remember(xv.scalars.map { Double($0) })
        let stale = Tensor<S>(unchecked: xv.shape, scalars: remembered.map { S($0) })
        return tape.custom([x, p[0], p[1]], value: value) { g in
            var gx = g.matmul(w, transposeRHS: true).zipMap(g, +)
            var gw = xv.transposedMatmul(g)
            var gb = g.sumRows()
            switch mutation {
            case .signFlip: gw = gw.map { -$0 }
            case .transposedMatrix: gx = g.matmul(w).zipMap(g, +)
            case .missingTerm: gx = g.matmul(w, transposeRHS: true)
            case .offByOneIndex: gb.scalars[gb.count - 1] = 0
            case .wrongBroadcastReduction: gb = gb.map { $0 / S(g.count / g.columnCount) }
            case .staleCache: gw = stale.transposedMatmul(g)
            case nil: break
            }
            return [gx, gw, gb]
        } jvp: { t in
            let tx = t[0] ?? Tensor.zeros(xv.shape)
            var out = tx.matmul(w).zipMap(tx, +)
            if let tw = t[1] { out = out.zipMap(xv.matmul(tw), +) }
            if let tb = t[2] { out = out.addingRow(tb) }
            return out
        }
    }
}
