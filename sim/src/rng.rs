//! Seed splitting: one run seed gives each random component its own independent, version-stable
//! ChaCha stream, so adding noise to one part never shifts the noise of another.

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

/// Stream for a named component: SplitMix64 finaliser over the seed and the component's name.
pub fn stream(seed: u64, component: &str) -> ChaCha8Rng {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for b in component.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(h ^ (h >> 31))
}
