//! Error accumulator: collect every error of a phase, then report them at once.

use std::fmt::Display;

use proc_macro2::Span;

/// Errors of one phase, each with the source position of the token it points at.
///
/// The position is an ordinal handed out while walking the input in source
/// order, so errors found by different checks still come out in the order of
/// the tokens they point at, whatever order the checks ran in.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<(u32, syn::Error)>,
}

impl Errors {
    /// Records an error at `span`, the token at source position `at`.
    pub(crate) fn error(&mut self, at: u32, span: Span, message: impl Display) {
        self.errors.push((at, syn::Error::new(span, message)));
    }

    /// All errors combined into one, in source order (ties in the order found).
    pub(crate) fn propagate(mut self) -> syn::Result<()> {
        self.errors.sort_by_key(|&(at, _)| at);
        let mut iter = self.errors.into_iter().map(|(_, error)| error);
        let Some(mut all) = iter.next() else {
            return Ok(());
        };
        for error in iter {
            all.combine(error);
        }
        Err(all)
    }
}
