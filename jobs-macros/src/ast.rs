//! Syntax tree of the `workflow!` input, parsed with syn.
//!
//! The types mirror the grammar and keep every token (keywords, names,
//! delimiters): later phases point their errors at them. Job bodies and
//! setting values are kept as raw tokens: rustc parses and checks them in the
//! expansion, and reports its own errors at their own spans.
//!
//! The parser is strict only about structure. What is well-formed but wrong
//! (a setting after an item, a modifier on a sequence, an unknown setting) is
//! kept in the tree and reported by the checker, together with the other
//! errors.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Lookahead1, Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token, braced, parenthesized, token};

/// The keywords of the language. They are contextual: anywhere a name is
/// expected they are names, except `requires` right after `job`, `sequence`
/// or `scheduler`, where a name `requires` is written `r#requires`.
pub(crate) mod kw {
    syn::custom_keyword!(job);
    syn::custom_keyword!(sequence);
    syn::custom_keyword!(scheduler);
    syn::custom_keyword!(requires);
    syn::custom_keyword!(critical);
    syn::custom_keyword!(noncritical);
    syn::custom_keyword!(forever);
    syn::custom_keyword!(clone);
}

/// The words that can start an item, for "did you mean" hints.
const ITEM_WORDS: [&str; 6] = [
    "job",
    "sequence",
    "scheduler",
    "critical",
    "noncritical",
    "forever",
];

/// The contents of the workflow, of a nested scheduler or of a sequence:
///
/// ```text
/// window = 4;
/// clone(client);
/// job fetch = download(client.clone());
/// job parse(fetch) { parse_page(&fetch)? }
/// ```
///
/// Settings and items are kept in source order; the checker reports settings
/// that come after an item, and settings inside a sequence.
pub(crate) struct Body {
    pub(crate) entries: Vec<Entry>,
}

/// A setting or an item.
pub(crate) enum Entry {
    Setting(Setting),
    Item(Item),
}

/// A setting of a scheduler:
///
/// ```text
/// window = 4;
/// clone(client, cache);
/// ```
pub(crate) enum Setting {
    /// `NAME = EXPR;`, for any name: the checker tells the known ones.
    Value { name: Ident, value: TokenStream },
    /// `clone(a, b);`
    Clone {
        clone_token: kw::clone,
        names: NameList,
    },
}

/// A job, a sequence or a nested scheduler, with the doc comments and the
/// modifiers written before it:
///
/// ```text
/// /// Fetches the page.
/// noncritical job fetch = download(url);
/// ```
pub(crate) struct Item {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) modifiers: Vec<Modifier>,
    pub(crate) kind: ItemKind,
}

/// `critical`, `noncritical` or `forever`.
pub(crate) enum Modifier {
    Critical(kw::critical),
    Noncritical(kw::noncritical),
    Forever(kw::forever),
}

pub(crate) enum ItemKind {
    Job(Job),
    Section(Section),
}

/// A job:
///
/// ```text
/// job parse(fetch) requires(login) { parse_page(&fetch)? }
/// job index requires(parse) = update_index();
/// ```
pub(crate) struct Job {
    pub(crate) name: Ident,
    /// `(a, b)`: upstream jobs whose outputs the body receives.
    pub(crate) inputs: Option<NameList>,
    pub(crate) requires: Option<Requires>,
    pub(crate) body: JobBody,
}

/// `= EXPR;` or `{ ... }`.
pub(crate) enum JobBody {
    /// The tokens of the expression, without `=` and `;`; never empty.
    Expr(TokenStream),
    /// The braced block, delimiters included.
    Block(Group),
}

/// `requires(a, b)`.
pub(crate) struct Requires {
    pub(crate) names: NameList,
}

/// `(a, b)`: one or more names, with an optional trailing comma.
pub(crate) struct NameList {
    pub(crate) names: Punctuated<Ident, Token![,]>,
}

/// A sequence or a nested scheduler:
///
/// ```text
/// sequence warmup requires(index) { job a = step(1); job b = step(2); }
/// scheduler deploy { window = 2; job push = push_image(); }
/// ```
pub(crate) struct Section {
    pub(crate) keyword: SectionKeyword,
    pub(crate) name: Option<Ident>,
    pub(crate) requires: Option<Requires>,
    pub(crate) body: Body,
}

/// Which kind of section.
pub(crate) enum SectionKeyword {
    Sequence(kw::sequence),
    Scheduler(kw::scheduler),
}

impl SectionKeyword {
    pub(crate) fn span(&self) -> Span {
        match self {
            SectionKeyword::Sequence(token) => token.span,
            SectionKeyword::Scheduler(token) => token.span,
        }
    }
}

impl Modifier {
    pub(crate) fn span(&self) -> Span {
        match self {
            Modifier::Critical(token) => token.span,
            Modifier::Noncritical(token) => token.span,
            Modifier::Forever(token) => token.span,
        }
    }

    pub(crate) fn word(&self) -> &'static str {
        match self {
            Modifier::Critical(_) => "critical",
            Modifier::Noncritical(_) => "noncritical",
            Modifier::Forever(_) => "forever",
        }
    }
}

impl Parse for Body {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut entries = Vec::new();
        while !input.is_empty() {
            if starts_setting(input) {
                entries.push(Entry::Setting(input.parse()?));
            } else {
                entries.push(Entry::Item(input.parse()?));
            }
        }
        Ok(Body { entries })
    }
}

/// A setting is `NAME =` or `clone(`; the words that start an item are never
/// taken for a setting name.
fn starts_setting(input: ParseStream) -> bool {
    if input.peek(kw::clone) && input.peek2(token::Paren) {
        return true;
    }
    input.peek(Ident)
        && input.peek2(Token![=])
        && !input.peek(kw::job)
        && !input.peek(kw::sequence)
        && !input.peek(kw::scheduler)
        && !input.peek(kw::critical)
        && !input.peek(kw::noncritical)
        && !input.peek(kw::forever)
}

impl Parse for Setting {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(kw::clone) && input.peek2(token::Paren) {
            let clone_token = input.parse()?;
            let names = input.parse()?;
            input.parse::<Token![;]>()?;
            return Ok(Setting::Clone { clone_token, names });
        }
        let name = input.parse()?;
        input.parse::<Token![=]>()?;
        let value = parse_expr_tokens(input)?;
        Ok(Setting::Value { name, value })
    }
}

/// Takes the tokens up to the next `;` at this level (an expression never
/// holds one outside of a group), and the `;`.
fn parse_expr_tokens(input: ParseStream) -> syn::Result<TokenStream> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![;]) {
        tokens.extend([input.parse::<TokenTree>()?]);
    }
    if tokens.is_empty() {
        return Err(input.error("expected an expression"));
    }
    input.parse::<Token![;]>()?;
    Ok(tokens)
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let mut modifiers = Vec::new();
        loop {
            if input.peek(kw::critical) {
                modifiers.push(Modifier::Critical(input.parse()?));
            } else if input.peek(kw::noncritical) {
                modifiers.push(Modifier::Noncritical(input.parse()?));
            } else if input.peek(kw::forever) {
                modifiers.push(Modifier::Forever(input.parse()?));
            } else {
                break;
            }
        }
        let lookahead = input.lookahead1();
        let kind = if lookahead.peek(kw::job) {
            ItemKind::Job(input.parse()?)
        } else if lookahead.peek(kw::sequence) {
            let keyword = SectionKeyword::Sequence(input.parse()?);
            ItemKind::Section(Section::parse_rest(keyword, input)?)
        } else if lookahead.peek(kw::scheduler) {
            let keyword = SectionKeyword::Scheduler(input.parse()?);
            ItemKind::Section(Section::parse_rest(keyword, input)?)
        } else {
            return Err(with_suggestion(lookahead.error(), input));
        };
        Ok(Item {
            attrs,
            modifiers,
            kind,
        })
    }
}

/// Adds "did you mean `job`?" to an error at a word close to a keyword.
fn with_suggestion(error: syn::Error, input: ParseStream) -> syn::Error {
    let word = input.cursor().ident().map(|(ident, _)| ident.to_string());
    match word.and_then(|word| closest(&word, ITEM_WORDS)) {
        Some(keyword) => {
            syn::Error::new(error.span(), format!("{error}; did you mean `{keyword}`?"))
        }
        None => error,
    }
}

impl Parse for Job {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<kw::job>()?;
        if input.peek(kw::requires) {
            // error: expected a name after `job`, found `requires` (write `r#requires` for a job named `requires`)
            return Err(input.error(
                "expected a name after `job`, found `requires` \
                 (write `r#requires` for a job named `requires`)",
            ));
        }
        if !input.peek(Ident::peek_any) {
            return Err(input.error("expected a name after `job`"));
        }
        // A Rust keyword gets syn's "expected identifier, found keyword".
        let name = input.parse()?;
        let mut lookahead = input.lookahead1();
        let inputs = if lookahead.peek(token::Paren) {
            let inputs = input.parse()?;
            lookahead = input.lookahead1();
            Some(inputs)
        } else {
            None
        };
        let requires = if lookahead.peek(kw::requires) {
            let requires = input.parse()?;
            lookahead = input.lookahead1();
            Some(requires)
        } else {
            None
        };
        let body = parse_job_body(input, lookahead)?;
        Ok(Job {
            name,
            inputs,
            requires,
            body,
        })
    }
}

fn parse_job_body(input: ParseStream, lookahead: Lookahead1) -> syn::Result<JobBody> {
    if lookahead.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(JobBody::Expr(parse_expr_tokens(input)?))
    } else if lookahead.peek(token::Brace) {
        let group: Group = input.parse()?;
        // A block body needs no `;`, but one is easily written after it.
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
        }
        Ok(JobBody::Block(group))
    } else {
        Err(lookahead.error())
    }
}

impl Parse for Requires {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<kw::requires>()?;
        Ok(Requires {
            names: input.parse()?,
        })
    }
}

impl Parse for NameList {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        let paren_token = parenthesized!(content in input);
        let names = Punctuated::parse_terminated(&content)?;
        if names.is_empty() {
            return Err(syn::Error::new(
                paren_token.span.join(),
                "expected at least one name in the list",
            ));
        }
        Ok(NameList { names })
    }
}

impl Section {
    fn parse_rest(keyword: SectionKeyword, input: ParseStream) -> syn::Result<Self> {
        let mut lookahead = input.lookahead1();
        let name = if !input.peek(kw::requires) && lookahead.peek(Ident) {
            let name = input.parse()?;
            lookahead = input.lookahead1();
            Some(name)
        } else {
            None
        };
        let requires = if lookahead.peek(kw::requires) {
            let requires = input.parse()?;
            lookahead = input.lookahead1();
            Some(requires)
        } else {
            None
        };
        if !lookahead.peek(token::Brace) {
            return Err(lookahead.error());
        }
        let content;
        braced!(content in input);
        let body = content.parse()?;
        Ok(Section {
            keyword,
            name,
            requires,
            body,
        })
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// likely typo (the first one on ties).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = word.chars().count().max(3) / 3;
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        if let Some(distance) = edit_distance(word, candidate, limit)
            && best.is_none_or(|(d, _)| distance < d)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Edit distance between `a` and `b` (insertions, deletions, substitutions
/// and swaps of two neighbours), if it is at most `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Rows i - 2, i - 1 and i of the usual dynamic programming table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}
