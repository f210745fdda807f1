//! `opretail call --json`: a JSON body, the signed form in the query, against the sandbox
//! built into the binary.

mod common;

#[test]
fn call_sends_a_json_body_and_refuses_anything_but_an_object() {
    let out = common::output(common::isolated_command("json-body").args([
        "--sandbox",
        "call",
        "open.sandbox.echo",
        "--json",
        r#"{"order":{"lines":[1,2]},"name":"中文"}"#,
        "q=signed",
    ]));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let data = common::json(&out.stdout);
    assert_eq!(data["q"], "signed");
    assert_eq!(data["name"], "中文");
    assert_eq!(data["order"], r#"{"lines":[1,2]}"#);
    for bad in ["[1]", "{", "\"text\""] {
        let out = common::output(common::isolated_command("json-body").args([
            "--sandbox",
            "call",
            "open.sandbox.echo",
            "--json",
            bad,
        ]));
        assert_eq!(out.status, Some(2), "{bad}: {}", out.stderr);
        assert!(out.stderr.contains("--json"), "{bad}: {}", out.stderr);
    }
}
