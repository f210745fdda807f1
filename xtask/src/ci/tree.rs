//! Checks on `cargo tree --prefix none`: which groups of crates a build pulls in.

use std::path::Path;

use crate::cmd::Invocation;

/// The groups (`a/b`: crates that count as one) of which `tree` lists a crate, each with the
/// first of its crates listed. `tree` is `cargo tree --prefix none` output: one
/// `name vX.Y.Z ...` per line.
fn groups_in<'g>(tree: &str, groups: &[&'g str]) -> Vec<(&'g str, &'g str)> {
    let listed: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let first_listed = |group: &&'g str| {
        let name = group.split('/').find(|name| listed.contains(name))?;
        Some((*group, name))
    };
    groups.iter().filter_map(first_listed).collect()
}

/// Runs `tree` and fails when it lists crates of more than `at_most` of `groups`.
pub fn check(
    root: &Path,
    tree: &Invocation,
    groups: &[&str],
    at_most: usize,
) -> Result<(), String> {
    println!("    {}", tree.display());
    let found = groups_in(&tree.stdout(root)?, groups);
    let names: Vec<&str> = found.iter().map(|(group, _)| *group).collect();
    if found.len() <= at_most {
        println!(
            "    found {}",
            if found.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        );
        return Ok(());
    }
    let why = tree
        .display()
        .replace("--prefix none", &format!("-i {}", found[0].1));
    Err(format!(
        "it lists {}, but at most {at_most} of these may appear: {}; see why with `{why}`",
        names.join(", "),
        groups.join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_crates_by_exact_name_and_counts_a_group_once() {
        let tree = "opretail v0.1.0 (/w/crates/opretail)\nureq v3.1.0\ntokio v1.48.0\ntokio v1.48.0 (*)\n\
                    tokio-util v0.7.0\nhyper-util v0.1.0\nmy-reqwest-helper v1.0.0\n";
        assert_eq!(
            groups_in(tree, &["tokio", "hyper", "reqwest"]),
            [("tokio", "tokio")]
        );
        let providers = ["ring", "aws-lc-rs/aws-lc-sys"];
        let aws = "rustls v0.23.0\naws-lc-sys v0.47.0\naws-lc-rs v1.19.0\n";
        assert_eq!(
            groups_in(aws, &providers),
            [("aws-lc-rs/aws-lc-sys", "aws-lc-rs")]
        );
        let both = format!("{aws}ring v0.17.14\n");
        assert_eq!(groups_in(&both, &providers).len(), 2);
        assert!(groups_in("rustls v0.23.0\nrustls-pki-types v1.0.0\n", &providers).is_empty());
    }
}
