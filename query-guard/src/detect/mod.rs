//! Detectors: each reads a scope's fingerprinted statements and returns findings.
//!
//! One detector per file, each with its doc (what it finds, why it matters, how to fix it):
//! - [`budget`]: counted statements over the scope's limits;
//! - [`n_plus_one`]: the same statement shape run again and again from one call site, alone or
//!   as a repeated sequence;
//! - [`duplicates`]: the same read with the same values run more than once;
//! - [`slow`]: statement shapes with runs over the slow threshold.

pub mod budget;
pub mod duplicates;
pub mod n_plus_one;
pub mod slow;
