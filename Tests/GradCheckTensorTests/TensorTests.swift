import GradCheckTensor
import Testing

/// Construction, shapes, indexing and conversions of `Tensor`.

@Test func initChecksElementCount() {
    #expect(throws: TensorError.shapeMismatch(expected: 6, got: 5)) {
        try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
    }
    #expect(throws: TensorError.shapeMismatch(expected: 1, got: 0)) {
        try Tensor<Double>(shape: [], scalars: [])
    }
    #expect(throws: TensorError.shapeMismatch(expected: 0, got: 1)) {
        try Tensor<Float>(shape: [3, 0], scalars: [1])
    }
    let t = try? Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t?.shape == [2, 3])
    #expect(t?.scalars == [1, 2, 3, 4, 5, 6])
}

@Test func initRejectsNegativeAxes() {
    // Checked before the count: [-1, -2] has product 2, which would otherwise match.
    #expect(throws: TensorError.invalidShape([-1, -2])) {
        try Tensor<Double>(shape: [-1, -2], scalars: [1, 2])
    }
    #expect(throws: TensorError.invalidShape([2, -1])) {
        try Tensor<Double>(shape: [2, -1], scalars: [])
    }
}

@Test func errorDescriptionsNameTheProblem() {
    #expect(TensorError.shapeMismatch(expected: 6, got: 5).description == "expected 6 values for the shape, got 5")
    #expect(TensorError.invalidShape([2, -1]).description.contains("[2, -1]"))
    #expect(TensorError.incompatibleShapes(operation: "add", lhs: [2], rhs: [3]).description == "add: incompatible shapes [2] and [3]")
}

@Test func scalarZerosAndRepeating() {
    let s = Tensor<Double>(scalar: 2.5)
    #expect(s.shape == [] && s.rank == 0 && s.count == 1 && s.scalar == 2.5)
    let z = Tensor<Float>.zeros([2, 0, 3])
    #expect(z.count == 0 && z.rank == 3)
    let r = Tensor<Double>(repeating: 7, shape: [2, 2])
    #expect(r.scalars == [7, 7, 7, 7])
    #expect(Tensor<Double>(unchecked: [1, 1, 1], scalars: [4]).scalar == 4)
}

@Test func stridesAreRowMajor() {
    #expect(Tensor<Double>.strides(of: [2, 3, 4]) == [12, 4, 1])
    #expect(Tensor<Double>.strides(of: []) == [])
    #expect(Tensor<Double>.strides(of: [5]) == [1])
    #expect(Tensor<Double>.zeros([3, 1, 2]).strides == [2, 2, 1])
}

@Test func indexOfFlatInvertsRowMajorOrder() {
    let shape = [2, 3, 4]
    let t = Tensor<Double>.zeros(shape)
    var flat = 0
    for i in 0..<2 {
        for j in 0..<3 {
            for k in 0..<4 {
                #expect(t.index(ofFlat: flat) == [i, j, k])
                #expect(Tensor<Double>.index(ofFlat: flat, shape: shape) == [i, j, k])
                flat += 1
            }
        }
    }
    #expect(Tensor<Double>.index(ofFlat: 17, shape: [4, 5]) == [3, 2])
    #expect(Tensor<Double>(scalar: 1).index(ofFlat: 0) == [])
}

@Test func reshapedKeepsElementsAndChecksCount() throws {
    let t = TT.randomTensor([2, 3, 4], seed: 1)
    let r = try t.reshaped([6, 4])
    #expect(r.shape == [6, 4] && r.scalars == t.scalars)
    #expect(t.reshaped(unchecked: [24]).scalars == t.scalars)
    #expect(throws: TensorError.shapeMismatch(expected: 25, got: 24)) { try t.reshaped([5, 5]) }
    #expect(throws: TensorError.invalidShape([-2, -12])) { try t.reshaped([-2, -12]) }
}

@Test func valueSemantics() {
    let a = Tensor<Double>(unchecked: [2], scalars: [1, 2])
    var b = a
    b.scalars[0] = 10
    #expect(a.scalars == [1, 2])
    #expect(a != b)
    #expect(a == Tensor(unchecked: [2], scalars: [1, 2]))
    // Same scalars, different shape: not equal.
    #expect(Tensor<Double>(unchecked: [1, 2], scalars: [1, 2]) != a)
}

@Test func convertedRoundsToTheOtherType() {
    let d = Tensor<Double>(unchecked: [3], scalars: [0.1, 1e40, -2])
    let f = d.converted(to: Float.self)
    #expect(f.shape == [3])
    #expect(f.scalars[0] == Float(0.1))
    #expect(f.scalars[1] == .infinity)
    #expect(f.converted(to: Double.self).scalars[2] == -2)
}

@Test func isFiniteAndMaxAbs() {
    #expect(Tensor<Double>(unchecked: [3], scalars: [1, -4, 2]).maxAbs() == 4)
    #expect(Tensor<Double>.zeros([0]).maxAbs() == 0)
    #expect(Tensor<Double>(unchecked: [3], scalars: [1, .nan, 2]).maxAbs().isNaN)
    #expect(Tensor<Double>(unchecked: [3], scalars: [9, -.infinity, .nan]).maxAbs().isNaN)
    #expect(Tensor<Float>(unchecked: [2], scalars: [1, -.infinity]).maxAbs() == .infinity)
    #expect(Tensor<Double>(unchecked: [2], scalars: [1, 2]).isFinite)
    #expect(!Tensor<Double>(unchecked: [2], scalars: [1, .infinity]).isFinite)
    #expect(!Tensor<Double>(unchecked: [2], scalars: [.nan, 2]).isFinite)
}

@Test func descriptionShowsShapeAndHead() {
    let t = Tensor<Double>(unchecked: [7], scalars: [1, 2, 3, 4, 5, 6, 7])
    #expect(t.description == "Tensor(shape: [7], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, …])")
    #expect(Tensor<Double>(unchecked: [2], scalars: [1, 2]).description == "Tensor(shape: [2], [1.0, 2.0])")
}

@Test func rowAndColumnCounts() {
    let t = Tensor<Double>.zeros([2, 3, 4])
    #expect(t.rowCount == 6 && t.columnCount == 4)
    #expect(Tensor<Double>(scalar: 1).rowCount == 1 && Tensor<Double>(scalar: 1).columnCount == 1)
    // Rows are the product of the leading axes, also when the last axis is empty.
    #expect(Tensor<Double>.zeros([3, 0]).rowCount == 3)
    #expect(Tensor<Double>.zeros([2, 3, 0]).rowCount == 6)
    #expect(Tensor<Double>.zeros([0, 3]).rowCount == 0)
    #expect(Tensor<Double>.zeros([5]).rowCount == 1)
}
