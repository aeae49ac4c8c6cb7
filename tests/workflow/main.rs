//! Behaviour tests of workflows built with `workflow!`, one module per topic.
//!
//! Timing is virtual (`start_paused`): assertions on when things happen are
//! exact, in milliseconds since the test started.

mod basics;
mod clone;
mod common;
mod custom;
mod details;
mod drawing;
mod failures;
mod hygiene;
mod inputs;
mod modifiers;
mod nesting;
mod sequences;
