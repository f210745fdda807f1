//! Checks on `cargo tree --prefix none`: which groups of crates a build pulls in.

use std::path::Path;

use crate::cmd::Invocation;

/// For each group with at least one crate listed in `tree` (`cargo tree --prefix none`
/// output: one `name vX.Y.Z ...` per line), the crates of that group that are listed,
/// joined with `/`.
fn groups_in(tree: &str, groups: &[&[&str]]) -> Vec<String> {
    let listed: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let found = groups.iter().map(|group| {
        let found: Vec<&str> = group
            .iter()
            .copied()
            .filter(|n| listed.contains(n))
            .collect();
        found.join("/")
    });
    found.filter(|names| !names.is_empty()).collect()
}

/// Runs `tree` and fails when it lists crates of more than `at_most` of `groups`.
pub fn check(
    root: &Path,
    tree: &Invocation,
    groups: &[&[&str]],
    at_most: usize,
) -> Result<(), String> {
    println!("    {}", tree.display());
    let found = groups_in(&tree.stdout(root)?, groups);
    if found.len() <= at_most {
        let found = if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        };
        println!("    found {found}");
        return Ok(());
    }
    let first = found[0]
        .split('/')
        .next()
        .expect("a found group names a crate");
    let why = tree
        .display()
        .replace("--prefix none", &format!("-i {first}"));
    let all: Vec<String> = groups.iter().map(|g| g.join("/")).collect();
    Err(format!(
        "it lists {}, but at most {at_most} of these may appear: {}; see why with `{why}`",
        found.join(", "),
        all.join(", ")
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
            groups_in(tree, &[&["tokio"], &["hyper"], &["reqwest"]]),
            ["tokio"]
        );
        let providers: &[&[&str]] = &[&["ring"], &["aws-lc-rs", "aws-lc-sys"]];
        let aws = "rustls v0.23.0\naws-lc-rs v1.19.0\naws-lc-sys v0.47.0\n";
        assert_eq!(groups_in(aws, providers), ["aws-lc-rs/aws-lc-sys"]);
        let both = format!("{aws}ring v0.17.14\n");
        assert_eq!(
            groups_in(&both, providers),
            ["ring", "aws-lc-rs/aws-lc-sys"]
        );
        assert!(groups_in("rustls v0.23.0\nrustls-pki-types v1.0.0\n", providers).is_empty());
    }
}
