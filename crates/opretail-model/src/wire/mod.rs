//! What travels on the wire below the methods: the envelope and its decoding, lenient
//! numbers and strings, return codes, entity ids, time windows and the `_timestamp`.

#[macro_use]
pub(crate) mod lenient;

pub(crate) mod decode;
pub(crate) mod id;
pub(crate) mod measure;
pub(crate) mod return_code;
pub(crate) mod timestamp;
pub(crate) mod window;
