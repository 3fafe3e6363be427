import GradCheckTensor
import Testing

/// Elementwise kernels and row/sample reductions, gathers and repeats.

@Test func mapAndZipMapApplyPerElement() {
    let a = Tensor<Double>(unchecked: [2, 2], scalars: [1, -2, 3, -4])
    let b = Tensor<Double>(unchecked: [2, 2], scalars: [10, 20, 30, 40])
    #expect(a.map { $0 * $0 } == Tensor(unchecked: [2, 2], scalars: [1, 4, 9, 16]))
    #expect(a.zipMap(b, -) == Tensor(unchecked: [2, 2], scalars: [-9, -22, -27, -44]))
    #expect(Tensor<Float>.zeros([0]).map { $0 + 1 }.count == 0)
}

@Test func addAndScaleInPlace() {
    var a = Tensor<Double>(unchecked: [3], scalars: [1, 2, 3])
    a.add(Tensor(unchecked: [3], scalars: [0.5, -2, 10]))
    #expect(a.scalars == [1.5, 0, 13])
    a.scale(by: -2)
    #expect(a.scalars == [-3, 0, -26])
}

@Test func addRowAndSumRowsOnRank3() {
    // [2, 2, 3]: four rows of three.
    let x = Tensor<Double>(unchecked: [2, 2, 3], scalars: (0..<12).map(Double.init))
    let row = Tensor<Double>(unchecked: [3], scalars: [100, 200, 300])
    let y = x.addingRow(row)
    #expect(y.shape == [2, 2, 3])
    #expect(y.scalars == [100, 201, 302, 103, 204, 305, 106, 207, 308, 109, 210, 311])
    #expect(x.sumRows() == Tensor(unchecked: [3], scalars: [18, 22, 26]))
    #expect(Tensor<Double>.zeros([0, 4]).sumRows() == Tensor.zeros([4]))
}

@Test func sumPerSampleSumsAllButTheBatchAxis() {
    let x = Tensor<Double>(unchecked: [2, 2, 3], scalars: (1...12).map(Double.init))
    #expect(x.sumPerSample() == Tensor(unchecked: [2], scalars: [21, 57]))
    #expect(Tensor<Double>(unchecked: [3], scalars: [1, 2, 3]).sumPerSample().scalars == [1, 2, 3])
    #expect(Tensor<Double>(scalar: 4).sumPerSample() == Tensor(unchecked: [1], scalars: [4]))
    #expect(Tensor<Double>.zeros([0, 5]).sumPerSample().shape == [0])
    #expect(Tensor<Double>.zeros([3, 0]).sumPerSample() == Tensor.zeros([3]))
}

@Test func sumPerSampleIsPairwiseAccurate() {
    // 2 samples of 10^6 copies of 0.1f: a naive Float sum drifts by ~1%, pairwise by ~1e-6.
    let per = 1_000_000
    let x = Tensor<Float>(repeating: 0.1, shape: [2, per])
    let exact = Double(per) * Double(Float(0.1))
    for s in x.sumPerSample().scalars {
        #expect(abs(Double(s) - exact) / exact < 1e-5)
    }
}

@Test func gatherRowsPicksRowsInOrder() {
    let x = Tensor<Double>(unchecked: [3, 2, 2], scalars: (0..<12).map(Double.init))
    let g = x.gatherRows([2, 0, 2])
    #expect(g.shape == [3, 2, 2])
    #expect(g.scalars == [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
    #expect(x.gatherRows([]).shape == [0, 2, 2])
    #expect(x.gatherRows([1]).scalars == [4, 5, 6, 7])
    let v = Tensor<Double>(unchecked: [4], scalars: [5, 6, 7, 8])
    #expect(v.gatherRows([3, 1]) == Tensor(unchecked: [2], scalars: [8, 6]))
}

@Test func repeatedStacksCopiesOnTheFirstAxis() {
    let x = Tensor<Double>(unchecked: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let r = x.repeated(3)
    #expect(r.shape == [6, 3])
    #expect(r.scalars == [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6])
    #expect(x.repeated(0).shape == [0, 3])
    #expect(Tensor<Double>(scalar: 9).repeated(2) == Tensor(unchecked: [2], scalars: [9, 9]))
}
