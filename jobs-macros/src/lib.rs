//! The `workflow!` macro of `jobs-core`. Use it through `jobs-core`, which
//! forwards its own path to it, so that generated code names the runtime even
//! when the dependency is renamed.

mod ast;
mod check;
mod expand;
mod graph;
mod report;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Not public API: called by `jobs_core::workflow!` as
/// `workflow_impl! { $crate; BODY }`.
#[doc(hidden)]
#[proc_macro]
pub fn workflow_impl(input: TokenStream) -> TokenStream {
    expand::workflow(input.into()).into()
}
