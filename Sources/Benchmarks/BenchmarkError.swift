/// A benchmark that could not run or whose result is wrong (a row count that does not match).
public struct BenchmarkError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
