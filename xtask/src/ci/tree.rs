//! Checks on `cargo tree --prefix none`: which groups of crates a build pulls in.

use std::path::Path;

use crate::cmd::Invocation;

/// For each group with at least one crate listed in `tree` (`cargo tree --prefix none`
/// output: one `name vX.Y.Z ...` per line), the crates of that group that are listed.
pub fn groups_in(tree: &str, groups: &[&[&'static str]]) -> Vec<Vec<&'static str>> {
    let listed: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    groups
        .iter()
        .map(|group| {
            group
                .iter()
                .copied()
                .filter(|name| listed.contains(name))
                .collect::<Vec<_>>()
        })
        .filter(|found| !found.is_empty())
        .collect()
}

/// Runs `tree` and fails when it lists crates of more than `at_most` of `groups`.
pub fn check(
    root: &Path,
    tree: &Invocation,
    groups: &[&[&'static str]],
    at_most: usize,
) -> Result<(), String> {
    println!("    {}", tree.display());
    let output = tree.stdout(root)?;
    let found = groups_in(&output, groups);
    let names = |list: &[Vec<&str>]| {
        list.iter()
            .map(|g| g.join("/"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if found.len() <= at_most {
        println!(
            "    found {}",
            if found.is_empty() {
                "none".to_string()
            } else {
                names(&found)
            }
        );
        return Ok(());
    }
    let why = tree
        .display()
        .replace("--prefix none", &format!("-i {}", found[0][0]));
    Err(format!(
        "it lists {}, but at most {at_most} of these may appear: {}; see why with `{why}`",
        names(&found),
        names(&groups.iter().map(|g| g.to_vec()).collect::<Vec<_>>()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDERS: &[&[&str]] = &[&["ring"], &["aws-lc-rs", "aws-lc-sys"]];

    #[test]
    fn matches_crates_by_exact_name() {
        let tree = "opretail v0.1.0 (/w/crates/opretail)\nureq v3.1.0\ntokio v1.48.0\ntokio v1.48.0 (*)\n\
                    tokio-util v0.7.0\nhyper-util v0.1.0\nmy-reqwest-helper v1.0.0\n";
        let found = groups_in(tree, &[&["tokio"], &["hyper"], &["reqwest"]]);
        assert_eq!(found, [vec!["tokio"]]);
    }

    #[test]
    fn a_group_counts_once_whichever_of_its_crates_appear() {
        let aws = "rustls v0.23.0\naws-lc-rs v1.19.0\naws-lc-sys v0.47.0\n";
        assert_eq!(groups_in(aws, PROVIDERS), [vec!["aws-lc-rs", "aws-lc-sys"]]);
        let both = format!("{aws}ring v0.17.14\n");
        assert_eq!(
            groups_in(&both, PROVIDERS),
            [vec!["ring"], vec!["aws-lc-rs", "aws-lc-sys"]]
        );
        assert!(groups_in("rustls v0.23.0\nrustls-pki-types v1.0.0\n", PROVIDERS).is_empty());
    }
}
