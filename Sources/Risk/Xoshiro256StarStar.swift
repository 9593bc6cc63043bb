/// xoshiro256** (Blackman & Vigna, 2018): a fast 64-bit generator with a 2²⁵⁶ − 1 period,
/// seeded through SplitMix64 so that any 64-bit seed gives a well-mixed state. Deterministic
/// across platforms, which `SystemRandomNumberGenerator` is not.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inline(__always) public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform double in the open interval (0, 1): 53 random bits, offset by half a step.
    @inline(__always) public mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Standard normal draws by Marsaglia's polar method (exact, two draws per accepted pair).
public struct NormalSampler: Sendable {
    private var generator: Xoshiro256StarStar
    private var spare: Double?

    public init(seed: UInt64) { generator = Xoshiro256StarStar(seed: seed) }

    public mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        while true {
            let u = 2 * generator.nextOpenUnit() - 1
            let v = 2 * generator.nextOpenUnit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let scale = Math.sqrt(-2 * Math.log(s) / s)
                spare = v * scale
                return u * scale
            }
        }
    }
}
