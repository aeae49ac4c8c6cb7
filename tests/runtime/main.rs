//! Behaviour tests of the runtime API, one module per topic.

mod basics;
mod common;
mod critical;
mod sequence;
mod validation;
