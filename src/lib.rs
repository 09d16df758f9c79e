//! meshlint: an offline analyzer for Istio service-mesh configuration.
//!
//! The pipeline, one module per stage: [`load`] (files → documents with spans) → [`model`]
//! (typed resources) → [`mesh`] (the index and traffic graph) → [`rules`] (passes) →
//! [`report`] (human, json). [`engine`] runs them in order.

pub mod authz;
pub mod config;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod escape;
pub mod load;
pub mod mesh;
pub mod model;
pub mod report;
pub mod rules;
pub mod simulate;
pub mod source;
