//! Signs the platform vendor's worked example and prints what was signed (secret masked) and
//! the resulting `_sig`.

use opretail_sign::{SignMethod, explain, sign};

fn main() {
    let secret = "test";
    let pairs = [
        ("_aid", "S107"),
        ("orgid", "1"),
        ("_akey", "test"),
        ("_requestMode", "post"),
        ("_mt", "open.demo.queryOpenAccount"),
        ("_sm", "md5"),
        ("_version", "v1"),
        ("_timestamp", "20171221132407"),
    ];
    println!("canonical: {}", explain(&pairs, secret));
    println!("_sig:      {}", sign(SignMethod::Md5, secret, &pairs));
}
