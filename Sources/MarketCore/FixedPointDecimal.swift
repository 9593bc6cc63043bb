/// Exact conversion between decimal strings and scaled integers, shared by `Price` and friends.
public enum FixedPointDecimal {
    /// Parses `[+-]digits[.digits]` into an integer scaled by 10^decimals.
    /// Rejects exponents, spaces, more fraction digits than `decimals` (unless they are zeros)
    /// and values that overflow Int64.
    public static func parse(_ text: some StringProtocol, decimals: Int) -> Int64? {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            sawDigit = true
            let digit = Int64(byte - UInt8(ascii: "0"))
            if sawPoint {
                if fractionDigits == decimals {
                    if digit != 0 { return nil }  // more precision than we can hold exactly
                    continue
                }
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                if o1 || o2 { return nil }
                whole = sum
            }
        }
        guard sawDigit else { return nil }
        for _ in fractionDigits..<decimals { fraction *= 10 }
        let (scaled, o1) = whole.multipliedReportingOverflow(by: pow10(decimals))
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        return negative ? -total : total
    }

    /// Formats a scaled integer as the shortest exact decimal string.
    public static func format(_ value: Int64, decimals: Int) -> String {
        let scale = pow10(decimals)
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = magnitude % UInt64(scale)
        var result = value < 0 ? "-" : ""
        result += String(whole)
        if fraction != 0 {
            var digits = decimals
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let text = String(fraction)
            result += "." + String(repeating: "0", count: digits - text.count) + text
        }
        return result
    }

    @inlinable public static func pow10(_ n: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<n { result *= 10 }
        return result
    }
}
