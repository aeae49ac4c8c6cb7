//! Behaviour tests of the runtime API, one module per topic.

mod asynciojobs_bugs;
mod basics;
mod cancellation;
mod common;
mod critical;
mod drawing;
mod events;
mod faults;
mod forever;
mod loops;
mod nesting;
mod sequence;
mod shutdown;
mod single_task;
mod surgery;
mod tasks;
mod timeout;
mod validation;
mod window;
