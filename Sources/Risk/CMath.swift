#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few C maths functions the core uses, behind one import so no other file needs a
/// platform `#if` (and so nothing here pulls in Foundation).
enum Math {
    @inline(__always) static func exp(_ x: Double) -> Double { Glibc_exp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Glibc_log(x) }
    @inline(__always) static func erfc(_ x: Double) -> Double { Glibc_erfc(x) }
    @inline(__always) static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}

@inline(__always) private func Glibc_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_erfc(_ x: Double) -> Double { erfc(x) }
