/// MT19937, the Mersenne Twister of numpy's legacy `RandomState`, for fold assignments
/// that match scikit-learn's `KFold(shuffle=True, random_state=seed)` bit for bit.
///
/// `init(seed:)` is `init_genrand` (numpy seeds `RandomState(int)` this way),
/// ``nextUInt32()`` is `genrand_int32`, ``interval(_:)`` is numpy's `random_interval`
/// (mask rejection) and ``shuffle(_:)`` is `RandomState.shuffle` of a 1-D array.
struct SweepMersenneTwister: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `init_genrand(seed)`.
    init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// `genrand_int32`: the next 32 random bits.
    mutating func nextUInt32() -> UInt32 {
        if index >= 624 {
            for i in 0..<624 {
                let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
                var v = state[(i + 397) % 624] ^ (y >> 1)
                if y & 1 != 0 { v ^= 0x9908_B0DF }
                state[i] = v
            }
            index = 0
        }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// numpy's `random_interval(max)`: a uniform integer in `0...max` by masking to the
    /// next power of two minus one and rejecting values above `max` (`max` < 2^32).
    mutating func interval(_ max: Int) -> Int {
        guard max > 0 else { return 0 }
        var mask = UInt32(max)
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let v = nextUInt32() & mask
            if v <= UInt32(max) { return Int(v) }
        }
    }

    /// `RandomState.shuffle(x)` for a 1-D array: Fisher–Yates from the back.
    mutating func shuffle<T>(_ x: inout [T]) {
        guard x.count > 1 else { return }
        for i in stride(from: x.count - 1, to: 0, by: -1) {
            x.swapAt(i, interval(i))
        }
    }
}
