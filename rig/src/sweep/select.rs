//! Which cases a `pumprig sweep` runs: a shard of the sweep (`--shard K/N`) and `--case` filters.
//! Sharding is stateless: case `i` belongs to shard `i mod N + 1`, so every machine of a CI matrix
//! picks its cases from the scenario alone, and the shards together hold every case once.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::plan::{Case, SweepPlan};

/// Shard `k` of `n` (1-based), written `K/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// Whether case `index` belongs to this shard.
    pub fn holds(self, index: usize) -> bool {
        index % self.n == self.k - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}`: a shard is K/N with 1 <= K <= N, e.g. 1/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl TryFrom<String> for Shard {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Shard> for String {
    fn from(s: Shard) -> String {
        s.to_string()
    }
}

/// The cases of `plan` in `shard` (all without one) that match any of `filters` (all without
/// any), in case order.
pub fn select<'a>(
    plan: &'a SweepPlan,
    shard: Option<Shard>,
    filters: &'a [String],
) -> impl Iterator<Item = Case> + 'a {
    plan.cases()
        .filter(move |c| shard.is_none_or(|s| s.holds(c.index)))
        .filter(move |c| filters.is_empty() || filters.iter().any(|f| c.matches(f)))
}
