//! The data the sandbox serves, made up from seeds: the demo tenant, every passenger figure,
//! the totals of `getTotalData` and the shares of the demographics. Every handler takes its
//! figures from here, so the methods agree with each other (see "How the figures agree" in
//! the project's `docs/sandbox.md`).

pub(crate) mod devices;
pub(crate) mod flow;
pub(crate) mod random;
pub(crate) mod revision;
pub(crate) mod shares;
pub(crate) mod tenant;
pub(crate) mod totals;
