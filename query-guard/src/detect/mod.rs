//! Detectors: each reads a scope's fingerprinted statements and returns findings.
//!
//! One detector per file, each with its doc (what it finds, why it matters, how to fix it):
//! - [`budget`]: counted statements over the scope's limits;
//! - [`n_plus_one`]: the same statement shape run again and again in one scope.

pub mod budget;
pub mod n_plus_one;
