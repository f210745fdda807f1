//! The demographics' shares: how a window's visitors split by gender and by age group.

use crate::synthesis::random::seed;

/// The age groups: `ageDivisionType`, `ageFrom`, `ageTo` (`None`: open-ended), weight.
pub(crate) const AGE_GROUPS: [(i64, i64, Option<i64>, u32); 5] = [
    (0, 0, Some(18), 8),
    (1, 19, Some(30), 34),
    (2, 31, Some(45), 33),
    (3, 46, Some(59), 17),
    (4, 60, None, 8),
];

/// A window's visitors split two ways; each split adds up to the visitors exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shares {
    /// Unknown, male, female.
    pub(crate) genders: [u64; 3],
    /// One count per entry of [`AGE_GROUPS`], in its order.
    pub(crate) ages: Vec<u64>,
}

/// The split of `visitors` visitors of the stores named by `ids`. The shares depend on who is
/// asked about, not on the window.
pub(crate) fn shares(ids: &[String], visitors: u64) -> Shares {
    let mut rng = fastrand::Rng::with_seed(seed(&[ids.join(",").as_bytes(), b"demographics"]));
    let gender_weights = [rng.u32(2..8), rng.u32(35..50), rng.u32(45..60)];
    let genders = split(visitors, &gender_weights);
    let age_weights: Vec<u32> = AGE_GROUPS
        .iter()
        .map(|(_, _, _, w)| w * rng.u32(80..120))
        .collect();
    Shares {
        genders: [genders[0], genders[1], genders[2]],
        ages: split(visitors, &age_weights),
    }
}

/// `total` split by `weights`, the parts adding up to `total` exactly (largest remainders
/// rounded up).
fn split(total: u64, weights: &[u32]) -> Vec<u64> {
    let sum: u64 = weights.iter().map(|w| u64::from(*w)).sum::<u64>().max(1);
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u64, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(*w);
        let whole = u64::try_from(exact / u128::from(sum)).unwrap_or(u64::MAX);
        parts.push(whole);
        remainders.push((u64::try_from(exact % u128::from(sum)).unwrap_or(0), i));
    }
    let given: u64 = parts.iter().sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = usize::try_from(total - given).unwrap_or(0);
    for (_, i) in remainders.into_iter().take(left) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up() {
        for total in [0, 1, 7, 999, 123_457] {
            let parts = split(total, &[3, 40, 57]);
            assert_eq!(parts.iter().sum::<u64>(), total);
            let s = shares(&["S_1001".to_owned()], total);
            assert_eq!(s.genders.iter().sum::<u64>(), total);
            assert_eq!(s.ages.iter().sum::<u64>(), total);
            assert_eq!(s.ages.len(), AGE_GROUPS.len());
        }
        assert_eq!(split(10, &[1, 1]), vec![5, 5]);
    }
}
