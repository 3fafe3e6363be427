import GradCheckTensor
import Testing

/// `Tensor.matmul` / `transposedMatmul`: leading axes flatten into rows, shapes are kept.
private func close(_ x: [Double], _ y: [Double], k: Int) -> Bool {
    // Entries are sums of k products of values in [-1, 1): k·ε·k bounds the rounding.
    TT.allClose(x, y) { _ in 4 * Double(k + 2) * Double(k) * Double.ulpOfOne }
}

private func transpose(_ x: [Double], rows: Int, cols: Int) -> [Double] {
    var out = [Double](repeating: 0, count: x.count)
    for i in 0..<rows { for j in 0..<cols { out[j * rows + i] = x[i * cols + j] } }
    return out
}

@Test func matmulOnRank3FlattensLeadingAxes() {
    let x = TT.randomTensor([2, 3, 4], seed: 10)
    let w = TT.randomTensor([4, 5], seed: 11)
    let y = x.matmul(w)
    #expect(y.shape == [2, 3, 5])
    #expect(close(y.scalars, TT.naiveMatmul(x.scalars, w.scalars, m: 6, k: 4, n: 5), k: 4))
}

@Test func matmulTransposeRHSReadsTheTranspose() {
    let x = TT.randomTensor([2, 3, 7], seed: 12)
    let w = TT.randomTensor([7, 9], seed: 13)
    let wT = Tensor(unchecked: [9, 7], scalars: transpose(w.scalars, rows: 7, cols: 9))
    let y = x.matmul(wT, transposeRHS: true)
    #expect(y.shape == [2, 3, 9])
    #expect(close(y.scalars, TT.naiveMatmul(x.scalars, w.scalars, m: 6, k: 7, n: 9), k: 7))
}

@Test func matmulLargeEnoughToBlock() {
    // 3·50 = 150 rows > mc = 128 and k = 300 > kc = 256, through the Tensor API.
    let x = TT.randomTensor([3, 50, 300], seed: 14)
    let w = TT.randomTensor([300, 20], seed: 15)
    let y = x.matmul(w)
    #expect(y.shape == [3, 50, 20])
    #expect(close(y.scalars, TT.naiveMatmul(x.scalars, w.scalars, m: 150, k: 300, n: 20), k: 300))
    let wT = Tensor(unchecked: [20, 300], scalars: transpose(w.scalars, rows: 300, cols: 20))
    #expect(close(x.matmul(wT, transposeRHS: true).scalars, y.scalars, k: 300))
}

@Test func matmulOfRank1IsAVectorMatrixProduct() {
    let x = Tensor<Double>(unchecked: [3], scalars: [1, 2, 3])
    let w = Tensor<Double>(unchecked: [3, 2], scalars: [1, 0, 0, 1, 1, 1])
    let y = x.matmul(w)
    #expect(y == Tensor(unchecked: [2], scalars: [4, 5]))
}

@Test func transposedMatmulSumsOverAllLeadingAxes() {
    let x = TT.randomTensor([2, 3, 4], seed: 16)
    let g = TT.randomTensor([2, 3, 5], seed: 17)
    let y = x.transposedMatmul(g)
    #expect(y.shape == [4, 5])
    let xT = transpose(x.scalars, rows: 6, cols: 4)
    #expect(close(y.scalars, TT.naiveMatmul(xT, g.scalars, m: 4, k: 6, n: 5), k: 6))
}

@Test func transposedMatmulManyRows() {
    // 300 rows: the inner dimension of the product splits across kc blocks.
    let x = TT.randomTensor([300, 6], seed: 18)
    let g = TT.randomTensor([300, 11], seed: 19)
    let xT = transpose(x.scalars, rows: 300, cols: 6)
    #expect(close(x.transposedMatmul(g).scalars, TT.naiveMatmul(xT, g.scalars, m: 6, k: 300, n: 11), k: 300))
}

@Test func matmulEmptyOperands() {
    let noRows = Tensor<Double>.zeros([0, 4]).matmul(TT.randomTensor([4, 5], seed: 20))
    #expect(noRows.shape == [0, 5])
    #expect(noRows.count == 0)
    let noInner = Tensor<Double>(repeating: 1, shape: [3, 0]).matmul(Tensor<Double>.zeros([0, 5]))
    #expect(noInner == Tensor.zeros([3, 5]))
    let noRowsT = Tensor<Double>.zeros([0, 4]).transposedMatmul(Tensor<Double>.zeros([0, 5]))
    #expect(noRowsT == Tensor.zeros([4, 5]))
}

@Test func matmulFloatAgreesWithDouble() {
    let xd = TT.randomTensor([4, 3, 37], seed: 21)
    let wd = TT.randomTensor([37, 19], seed: 22)
    let xf = xd.converted(to: Float.self), wf = wd.converted(to: Float.self)
    let yd = xf.converted(to: Double.self).matmul(wf.converted(to: Double.self))
    let yf = xf.matmul(wf)
    #expect(yf.shape == [4, 3, 19])
    // Float rounding: k·ε_f per unit magnitude, k = 37.
    #expect(TT.allClose(yf.scalars.map(Double.init), yd.scalars) { _ in 4 * 39 * 37 * Double(Float.ulpOfOne) })
    let tf = xf.transposedMatmul(yf)
    let td = xf.converted(to: Double.self).transposedMatmul(yf.converted(to: Double.self))
    // 12 rows of products with |x| < 1: Σ|x||y| ≤ 12·max|y|.
    let bound = 4 * 14 * Double(Float.ulpOfOne) * 12 * Double(yf.maxAbs())
    #expect(TT.allClose(tf.scalars.map(Double.init), td.scalars) { _ in bound })
}
