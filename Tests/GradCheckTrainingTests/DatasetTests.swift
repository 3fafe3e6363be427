import GradCheckNN
import GradCheckTensor
import Testing
@testable import GradCheckTraining

struct DatasetTests {
    static let csv = """
        a,b,label
        1,10,0
        2,20,1
        3,30,2
        4,40,0
        5,50,1
        6,60,2
        7,70,0
        8,80,1
        9,90,2
        10,100,0
        """

    func model(inputs: Int = 2, loss: String = "\"sparse_categorical_crossentropy\"", classes: Int = 3,
               last: String = "softmax") throws -> Model {
        try Fixture.model(json: Fixture.mlpJSON(inputs: inputs, classes: classes, loss: loss, lastActivation: last))
    }

    @Test func readsFeaturesAndLabels() throws {
        let data = try Dataset(table: CSVTable.parse(Self.csv), model: model())
        #expect(data.count == 10)
        #expect(data.featureNames == ["a", "b"])
        #expect(data.inputs.prefix(4) == [1, 10, 2, 20])
        #expect(data.targets.prefix(3) == [0, 1, 2])
        #expect(data.targetsAreLabels)
        let (x, y) = data.batch([2, 0], as: Float.self)
        #expect(x.shape == [2, 2])
        #expect(x.scalars == [3, 30, 1, 10])
        #expect(y == .labels([2, 0]))
    }

    @Test func anotherLabelColumn() throws {
        let text = "y,p,q\n1,0.5,0.25\n0,1.5,2.5\n"
        let data = try Dataset(table: CSVTable.parse(text), label: "y", model: model(classes: 2))
        #expect(data.featureNames == ["p", "q"])
        #expect(data.targets == [1, 0])
        #expect(throws: SpecError.self) { try Dataset(table: CSVTable.parse(text), label: "lable", model: model(classes: 2)) }
    }

    @Test func oneHotForCategoricalAndValuesForRegression() throws {
        let cat = try Dataset(table: CSVTable.parse(Self.csv), model: model(loss: "\"categorical_crossentropy\""))
        #expect(cat.targetShape == [3])
        #expect(Array(cat.targets.prefix(6)) == [1, 0, 0, 0, 1, 0])
        let reg = try Dataset(table: CSVTable.parse(Self.csv), model: model(loss: "\"mean_squared_error\"", classes: 1, last: "linear"))
        #expect(reg.targetShape == [1])
        #expect(!reg.targetsAreLabels)
        let (_, y) = reg.batch([1], as: Double.self)
        #expect(y == .values(Tensor(unchecked: [1, 1], scalars: [1])))
    }

    @Test func featureCountMismatchNamesTheFileAndTheShapes() throws {
        let error = #expect(throws: SpecError.self) {
            try Dataset(table: CSVTable.parse(Self.csv), model: self.model(inputs: 64), file: "data.csv")
        }
        #expect(error?.file == "data.csv")
        #expect(error?.message.contains("2 feature columns") == true)
        #expect(error?.message.contains("[64]") == true)
    }

    @Test func badLabelsAreErrorsWithTheirLine() throws {
        let text = "a,b,label\n1,2,0\n3,4,7\n"
        let error = #expect(throws: SpecError.self) {
            try Dataset(table: CSVTable.parse(text), model: self.model(), file: "d.csv")
        }
        #expect(error?.path == "line 3, column \"label\"")
        let half = "a,b,label\n1,2,0.5\n"
        #expect(throws: SpecError.self) { try Dataset(table: CSVTable.parse(half), model: self.model()) }
    }

    @Test func splitSizesFollowKeras() throws {
        let data = Fixture.blobs(count: 101)
        let (train, validation) = data.split(validationFraction: 0.2, seed: 3)
        #expect(validation.count == 20)
        #expect(train.count == 81)
        let (t0, v0) = data.split(validationFraction: 0, seed: 3)
        #expect(t0.count == 101 && v0.count == 0)
    }

    @Test func shuffledSplitIsSeededAndAPartition() throws {
        let data = Fixture.blobs(count: 50)
        let a = data.split(validationFraction: 0.3, seed: 7)
        let b = data.split(validationFraction: 0.3, seed: 7)
        let c = data.split(validationFraction: 0.3, seed: 8)
        #expect(a.train == b.train && a.validation == b.validation)
        #expect(a.validation != c.validation)
        // Every sample lands in exactly one part.
        var rows = Set<[Double]>()
        for part in [a.train, a.validation] {
            for i in 0..<part.count { rows.insert(Array(part.inputs[(i * 4)..<((i + 1) * 4)])) }
        }
        #expect(rows.count == 50)
    }

    @Test func lastSplitTakesTheLastSamplesUnshuffled() throws {
        let data = try Dataset(table: CSVTable.parse(Self.csv), model: model())
        let (train, validation) = data.split(validationFraction: 0.2, seed: 1, order: .last)
        #expect(train.inputs.first == 1)
        #expect(validation.inputs == [9, 90, 10, 100])
    }

    @Test func standardisationIsFittedOnTheTrainingPartOnly() throws {
        let data = try Dataset(table: CSVTable.parse(Self.csv), model: model())
        let prepared = PreparedData(data, validationSplit: 0.2, seed: 1, order: .last)
        // Training rows are 1...8: mean 4.5, population sd sqrt(5.25).
        let s = try #require(prepared.standardizer)
        #expect(s.means == [4.5, 45])
        #expect(abs(s.scales[0] - 5.25.squareRoot()) < 1e-12)
        let trainColumn = stride(from: 0, to: prepared.train.inputs.count, by: 2).map { prepared.train.inputs[$0] }
        #expect(abs(trainColumn.reduce(0, +)) < 1e-12)
        // Validation rows 9 and 10 use the training statistics: not centred.
        #expect(abs(prepared.validation.inputs[0] - (9 - 4.5) / 5.25.squareRoot()) < 1e-12)
    }

    @Test func constantColumnsStayZeroAndNaNStaysInItsRow() throws {
        let text = "a,b,label\n1,5,0\n2,5,1\nnan,5,0\n3,5,1\n"
        let data = try Dataset(table: CSVTable.parse(text), model: model(classes: 2))
        let s = data.standardizer()
        #expect(s.means[0] == 2)      // the NaN is left out of the statistics
        #expect(s.scales[1] == 1)     // no spread: centred, not scaled
        let z = data.standardized(with: s)
        #expect(z.inputs[1] == 0)
        #expect(z.inputs[4].isNaN)
        #expect(z.inputs.enumerated().filter { $0.element.isNaN }.map(\.offset) == [4])
    }

    @Test func epochOrdersAreSeededPermutationsAndBatchesCoverThem() {
        let data = Fixture.blobs(count: 70)
        let o1 = data.epochOrder(epoch: 1, seed: 5)
        #expect(o1 == data.epochOrder(epoch: 1, seed: 5))
        #expect(o1 != data.epochOrder(epoch: 2, seed: 5))
        #expect(o1.sorted() == Array(0..<70))
        #expect(data.epochOrder(epoch: 1, seed: 5, shuffle: false) == Array(0..<70))
        let batches = Dataset.batches(of: o1, batchSize: 32)
        #expect(batches.map(\.count) == [32, 32, 6])
        #expect(batches.flatMap { Array($0) } == o1)
    }
}
