//! The publish order, worked out from `cargo metadata --format-version 1 --no-deps`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The one workspace member that must never reach a registry.
const XTASK: &str = "xtask";

/// A workspace member, as far as publishing cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// `false` for `publish = false`.
    pub publish: bool,
    /// Internal normal and build dependencies, with their version requirement.
    pub internal_deps: Vec<(String, String)>,
}

/// Which crates a release publishes, in an order where each comes after what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOrder {
    /// Crates to publish, dependencies first.
    pub publish: Vec<String>,
    /// Members with `publish = false`.
    pub unpublished: Vec<String>,
}

/// Reads the workspace members from `cargo metadata` JSON.
pub fn members(metadata: &str) -> Result<Vec<Member>, String> {
    let root: Value = serde_json::from_str(metadata).map_err(|e| {
        format!(
            "`cargo metadata` printed something that is not JSON ({e}); run it by hand to see why"
        )
    })?;
    let ids: BTreeSet<&str> = root["workspace_members"]
        .as_array()
        .ok_or("`cargo metadata` output has no `workspace_members`; is this cargo too old?")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let packages = root["packages"]
        .as_array()
        .ok_or("`cargo metadata` output has no `packages`")?;
    let workspace: Vec<&Value> = packages
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| ids.contains(id)))
        .collect();
    let names: BTreeSet<&str> = workspace
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    workspace
        .iter()
        .map(|package| {
            let name = text(package, "name")?;
            let publish = match &package["publish"] {
                Value::Null => true,
                Value::Array(registries) if registries.is_empty() => false,
                Value::Array(registries) if registries.iter().any(|r| r == "crates-io") => true,
                other => {
                    return Err(format!(
                        "`{name}` may only be published to {other}; this release publishes to crates.io, \
                         so set `publish = false` or allow crates-io"
                    ));
                }
            };
            let internal_deps = package["dependencies"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|dep| matches!(dep["kind"].as_str(), None | Some("build")))
                .filter_map(|dep| {
                    let dep_name = dep["name"].as_str()?;
                    let is_internal = names.contains(dep_name) && dep["path"].is_string();
                    is_internal.then(|| (dep_name.to_string(), dep["req"].as_str().unwrap_or("*").to_string()))
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            Ok(Member {
                version: text(package, "version")?,
                name,
                publish,
                internal_deps,
            })
        })
        .collect()
}

fn text(package: &Value, field: &str) -> Result<String, String> {
    package[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("a package in `cargo metadata` output has no `{field}`"))
}

/// Orders the publishable members so that every crate follows its internal normal and
/// build dependencies (dev-dependencies do not constrain publishing). Ties go
/// alphabetically, so the order is stable.
///
/// Fails when `xtask` is publishable, when a published crate needs an unpublished one,
/// when an internal dependency has no version requirement, or on a cycle (named).
pub fn publish_order(members: &[Member]) -> Result<PublishOrder, String> {
    if let Some(xtask) = members.iter().find(|m| m.name == XTASK && m.publish) {
        return Err(format!(
            "`{}` is publishable; add `publish = false` to xtask/Cargo.toml",
            xtask.name
        ));
    }
    let published: BTreeMap<&str, &Member> = members
        .iter()
        .filter(|m| m.publish)
        .map(|m| (m.name.as_str(), m))
        .collect();
    let mut unpublished: Vec<String> = members
        .iter()
        .filter(|m| !m.publish)
        .map(|m| m.name.clone())
        .collect();
    unpublished.sort();
    for member in published.values() {
        for (dep, req) in &member.internal_deps {
            if !published.contains_key(dep.as_str()) {
                return Err(format!(
                    "`{}` depends on `{dep}`, which has `publish = false`; publish `{dep}` or drop the dependency",
                    member.name
                ));
            }
            if req == "*" {
                return Err(format!(
                    "`{}` depends on `{dep}` by path only; crates.io needs a version, so use `{dep}.workspace = true`",
                    member.name
                ));
            }
        }
    }
    // Kahn's algorithm over "dependency before dependent".
    let mut waiting_on: BTreeMap<&str, BTreeSet<&str>> = published
        .values()
        .map(|m| {
            (
                m.name.as_str(),
                m.internal_deps.iter().map(|(d, _)| d.as_str()).collect(),
            )
        })
        .collect();
    let mut order = Vec::with_capacity(published.len());
    loop {
        let ready: Vec<&str> = waiting_on
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(name, _)| *name)
            .collect();
        let Some(&next) = ready.first() else { break };
        waiting_on.remove(next);
        for deps in waiting_on.values_mut() {
            deps.remove(next);
        }
        order.push(next.to_string());
    }
    if !waiting_on.is_empty() {
        return Err(format!(
            "internal dependencies form a cycle ({}); crates.io cannot publish a cycle, so break it",
            find_cycle(&waiting_on).join(" -> ")
        ));
    }
    Ok(PublishOrder {
        publish: order,
        unpublished,
    })
}

/// Walks from any remaining crate along its dependencies until a crate repeats. Every
/// remaining crate still waits on another remaining one, so the walk always closes a loop.
fn find_cycle(waiting_on: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<String> {
    let Some(mut current) = waiting_on.keys().next().copied() else {
        return Vec::new();
    };
    let mut path: Vec<&str> = Vec::new();
    loop {
        if let Some(start) = path.iter().position(|name| *name == current) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            cycle.push(current.to_string());
            return cycle;
        }
        path.push(current);
        match waiting_on.get(current).and_then(|deps| deps.iter().next()) {
            Some(next) => current = next,
            None => return path.iter().map(|s| s.to_string()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, publish: Value, deps: &[(&str, Option<&str>)]) -> Value {
        let dependencies: Vec<Value> = deps
            .iter()
            .map(|(dep, kind)| {
                json!({
                    "name": dep,
                    "req": "^0.1.0",
                    "kind": kind,
                    "path": format!("/ws/crates/{dep}"),
                })
            })
            .collect();
        json!({
            "name": name,
            "version": "0.1.0",
            "id": format!("path+file:///ws/crates/{name}#0.1.0"),
            "publish": publish,
            "dependencies": dependencies,
        })
    }

    fn metadata(packages: &[Value]) -> String {
        let ids: Vec<&Value> = packages.iter().map(|p| &p["id"]).collect();
        json!({ "packages": packages, "workspace_members": ids, "version": 1 }).to_string()
    }

    /// The shape of this workspace: six libraries, the CLI and xtask, with an external
    /// dependency and dev-dependencies that must not constrain the order.
    fn workspace_fixture() -> String {
        let mut serde = package("serde_json", Value::Null, &[]);
        serde["id"] =
            json!("registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.0");
        let mut packages = vec![
            package("opretail-sign", Value::Null, &[]),
            package(
                "opretail-model",
                Value::Null,
                &[("opretail-sign", None), ("opretail-sandbox", Some("dev"))],
            ),
            package("opretail-reqwest", Value::Null, &[("opretail-model", None)]),
            package("opretail-ureq", Value::Null, &[("opretail-model", None)]),
            package(
                "opretail",
                Value::Null,
                &[
                    ("opretail-reqwest", None),
                    ("opretail-ureq", None),
                    ("opretail-model", None),
                ],
            ),
            package(
                "opretail-sandbox",
                Value::Null,
                &[("opretail-model", None), ("opretail-sign", Some("build"))],
            ),
            package(
                "opretail-cli",
                Value::Null,
                &[("opretail", None), ("opretail-sandbox", None)],
            ),
            package("xtask", json!([]), &[("serde_json", None)]),
        ];
        let text = metadata(&packages);
        // An external package that is listed but not a member must be ignored.
        packages.push(serde);
        let mut root: Value = serde_json::from_str(&text).expect("fixture is JSON");
        root["packages"] = json!(packages);
        root.to_string()
    }

    fn order_of(metadata: &str) -> Result<PublishOrder, String> {
        publish_order(&members(metadata)?)
    }

    #[test]
    fn orders_this_workspace_dependencies_first() {
        let order = order_of(&workspace_fixture()).expect("orders");
        assert_eq!(
            order.publish,
            [
                "opretail-sign",
                "opretail-model",
                "opretail-reqwest",
                "opretail-sandbox",
                "opretail-ureq",
                "opretail",
                "opretail-cli"
            ]
        );
        assert_eq!(order.unpublished, ["xtask"]);
    }

    #[test]
    fn every_crate_follows_its_dependencies() {
        let members = members(&workspace_fixture()).expect("parses");
        let order = publish_order(&members).expect("orders");
        let position = |name: &str| order.publish.iter().position(|n| n == name);
        for member in members.iter().filter(|m| m.publish) {
            for (dep, _) in &member.internal_deps {
                assert!(
                    position(dep) < position(&member.name),
                    "{dep} before {}",
                    member.name
                );
            }
        }
    }

    #[test]
    fn dev_dependency_cycles_are_allowed() {
        // model dev-depends on sandbox, sandbox depends on model: fine for publishing.
        let members = members(&workspace_fixture()).expect("parses");
        let model = members
            .iter()
            .find(|m| m.name == "opretail-model")
            .expect("present");
        assert_eq!(
            model.internal_deps,
            [("opretail-sign".to_string(), "^0.1.0".to_string())]
        );
    }

    #[test]
    fn a_cycle_is_named() {
        let text = metadata(&[
            package("a", Value::Null, &[("b", None)]),
            package("b", Value::Null, &[("c", Some("build"))]),
            package("c", Value::Null, &[("a", None)]),
            package("d", Value::Null, &[]),
        ]);
        let err = order_of(&text).expect_err("cycle refused");
        assert!(err.contains("a -> b -> c -> a"), "{err}");
    }

    #[test]
    fn a_publishable_xtask_is_refused() {
        let text = metadata(&[package("xtask", Value::Null, &[])]);
        let err = order_of(&text).expect_err("refused");
        assert!(err.contains("publish = false"), "{err}");
    }

    #[test]
    fn a_published_crate_needing_an_unpublished_one_is_refused() {
        let text = metadata(&[
            package("helper", json!([]), &[]),
            package("lib", Value::Null, &[("helper", None)]),
        ]);
        let err = order_of(&text).expect_err("refused");
        assert!(err.contains("`lib` depends on `helper`"), "{err}");
    }

    #[test]
    fn a_path_only_dependency_is_refused() {
        let mut lib = package("lib", Value::Null, &[("base", None)]);
        lib["dependencies"][0]["req"] = json!("*");
        let text = metadata(&[package("base", Value::Null, &[]), lib]);
        let err = order_of(&text).expect_err("refused");
        assert!(err.contains("by path only"), "{err}");
    }

    #[test]
    fn another_registry_only_is_refused() {
        let text = metadata(&[package("lib", json!(["my-registry"]), &[])]);
        let err = order_of(&text).expect_err("refused");
        assert!(err.contains("my-registry"), "{err}");
        let ok = metadata(&[package("lib", json!(["crates-io"]), &[])]);
        assert_eq!(order_of(&ok).expect("crates-io allowed").publish, ["lib"]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(members("not json").is_err());
        assert!(members("{}").is_err());
    }
}
