//! Unit tests of every phase, without rustc: graph algorithms on vectors,
//! parser and checker on token streams, expansion snapshots.

use proc_macro2::TokenStream;

use crate::check::{Model, NodeKind, parse_and_check};

fn tokens(source: &str) -> TokenStream {
    source.parse().expect("test input must tokenize")
}

/// Each error as `line:column: message`, lines counted from the start of
/// `source`, columns from 1.
fn errors(source: &str) -> Vec<String> {
    match parse_and_check(tokens(source)) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .into_iter()
            .map(|e| {
                let start = e.span().start();
                format!("{}:{}: {}", start.line, start.column + 1, e)
            })
            .collect(),
    }
}

fn model(source: &str) -> Model {
    match parse_and_check(tokens(source)) {
        Ok(model) => model,
        Err(error) => panic!(
            "unexpected errors: {:?}",
            error.into_iter().map(|e| e.to_string()).collect::<Vec<_>>()
        ),
    }
}

/// Names of the nodes, in the model's order.
fn order(model: &Model) -> Vec<String> {
    model.order.iter().map(|&n| name(model, n)).collect()
}

fn name(model: &Model, node: usize) -> String {
    match &model.nodes[node].name {
        Some(name) => name.to_string(),
        None => format!("#{node}"),
    }
}

fn requires(model: &Model, node: &str) -> Vec<String> {
    let index = (0..model.nodes.len())
        .find(|&n| name(model, n) == node)
        .expect("no such node");
    model.nodes[index]
        .requires
        .iter()
        .map(|&n| name(model, n))
        .collect()
}

mod graph {
    use crate::graph::Graph;

    fn cycles(nodes: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
        Graph::new(nodes, edges).cycles()
    }

    fn order(nodes: usize, edges: &[(usize, usize)]) -> Vec<usize> {
        Graph::new(nodes, edges).topological_order()
    }

    #[test]
    fn self_loop() {
        assert_eq!(cycles(2, &[(0, 1), (1, 1)]), vec![vec![1]]);
    }

    #[test]
    fn two_cycle() {
        assert_eq!(cycles(2, &[(0, 1), (1, 0)]), vec![vec![0, 1]]);
    }

    #[test]
    fn three_cycle_starts_at_earliest_node() {
        // 2 -> 0 -> 1 -> 2, found from node 0 through edge 1 first.
        let edges = [(2, 0), (0, 1), (1, 2)];
        assert_eq!(cycles(3, &edges), vec![vec![1, 2, 0]]);
        // Entered in the middle: the DFS starts at 0, but 0 is not on the
        // cycle 1 -> 2 -> 1; the cycle is rotated to start at 1.
        let edges = [(0, 2), (2, 1), (1, 2)];
        assert_eq!(cycles(3, &edges), vec![vec![2, 1]]);
    }

    #[test]
    fn two_disjoint_cycles() {
        let edges = [(0, 1), (1, 0), (2, 3), (3, 4), (4, 2), (1, 2)];
        assert_eq!(cycles(5, &edges), vec![vec![0, 1], vec![2, 3, 4]]);
    }

    #[test]
    fn cycles_sharing_a_node_are_both_reported() {
        let edges = [(0, 1), (1, 0), (0, 2), (2, 0)];
        assert_eq!(cycles(3, &edges), vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn a_cycle_sharing_an_edge_with_a_reported_one_is_left_out() {
        // 0 -> 1 -> 2 -> 0 and 0 -> 1 -> 0 share the edge 0 -> 1.
        let edges = [(0, 1), (1, 2), (2, 0), (1, 0)];
        assert_eq!(cycles(3, &edges), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn diamond_is_not_a_cycle() {
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
        assert!(cycles(4, &edges).is_empty());
        assert_eq!(order(4, &edges), vec![3, 1, 2, 0]);
    }

    #[test]
    fn order_keeps_declaration_order_when_it_can() {
        assert_eq!(order(4, &[(1, 0), (2, 1), (3, 0)]), vec![0, 1, 2, 3]);
        // 0 requires 2: 2 comes first, then the earliest ready node.
        assert_eq!(order(4, &[(0, 2)]), vec![1, 2, 0, 3]);
    }

    #[test]
    fn order_puts_nodes_on_cycles_last() {
        assert_eq!(order(4, &[(1, 2), (2, 1), (3, 0)]), vec![0, 3, 1, 2]);
    }

    #[test]
    fn edges_out_of_range_are_ignored() {
        assert!(cycles(1, &[(0, 5), (7, 0)]).is_empty());
        assert_eq!(order(1, &[(0, 5)]), vec![0]);
    }

    #[test]
    fn long_chain_has_no_recursion_limit() {
        let n = 10_000;
        // Each node requires the next one: the DFS goes 10,000 deep.
        let mut edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        assert!(cycles(n, &edges).is_empty());
        let expected: Vec<usize> = (0..n).rev().collect();
        assert_eq!(order(n, &edges), expected);
        edges.push((n - 1, 0));
        let found = cycles(n, &edges);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0], (0..n).collect::<Vec<_>>());
    }
}

mod parse {
    use super::*;

    #[test]
    fn every_construct() {
        let m = model(
            r#"
            timeout = Duration::from_secs(30);
            window = 4;
            label = "main";
            shutdown_timeout = None;
            clone(url, bus,);

            /// Fetches.
            ///
            /// Twice.
            job fetch = download(url.clone());
            job parse(fetch) { parse_page(&fetch)? }
            job index requires(parse,) = update_index();
            forever job monitor = watch_progress(bus.clone());
            noncritical job notify requires(index) = ping_chat();
            critical job r#type = async { 1 };

            sequence warmup {
                job a = step(1);
                job b = step(2);
            }
            sequence requires(warmup) {}
            /// Ships it.
            noncritical scheduler deploy requires(warmup, index) {
                window = 2;
                job push = push_image();
                job roll requires(push) = rollout();
            }
            scheduler {}
            "#,
        );
        assert_eq!(m.scopes.len(), 3);
        assert_eq!(m.scopes[0].settings.len(), 4);
        assert_eq!(m.scopes[1].settings.len(), 1);
        let names: Vec<String> = (0..m.nodes.len()).map(|n| name(&m, n)).collect();
        assert_eq!(
            names,
            [
                "fetch", "parse", "index", "monitor", "notify", "r#type", "a", "b", "deploy",
                "push", "roll", "#11"
            ]
        );
        let fetch = &m.nodes[0];
        assert_eq!(fetch.docs.as_deref(), Some("Fetches.\n\nTwice."));
        assert!(fetch.critical && !fetch.forever);
        assert!(m.nodes[3].forever && m.nodes[3].critical);
        assert!(!m.nodes[4].critical);
        assert!(!m.nodes[8].critical);
        assert_eq!(m.nodes[8].docs.as_deref(), Some("Ships it."));
        let NodeKind::Job(parse) = &m.nodes[1].kind else {
            panic!()
        };
        assert_eq!(parse.inputs.len(), 1);
        assert_eq!(parse.inputs[0].node, Some(0));
        assert!(m.nodes[1].requires.is_empty());
        assert_eq!(requires(&m, "index"), ["parse"]);
        assert_eq!(requires(&m, "b"), ["a"]);
        assert_eq!(requires(&m, "deploy"), ["b", "index"]);
        assert_eq!(requires(&m, "roll"), ["push"]);
        // Clones only where the body mentions the variable.
        let NodeKind::Job(fetch) = &m.nodes[0].kind else {
            panic!()
        };
        assert_eq!(
            fetch
                .clones
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            ["url"]
        );
        let NodeKind::Job(monitor) = &m.nodes[3].kind else {
            panic!()
        };
        assert_eq!(
            monitor
                .clones
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>(),
            ["bus"]
        );
        let NodeKind::Job(push) = &m.nodes[9].kind else {
            panic!()
        };
        assert!(push.clones.is_empty());
        // Fields: named jobs and schedulers of each scope.
        let fields: Vec<String> = m.scopes[0].fields.iter().map(|&n| name(&m, n)).collect();
        assert_eq!(
            fields,
            [
                "fetch", "parse", "index", "monitor", "notify", "r#type", "a", "b", "deploy"
            ]
        );
    }

    #[test]
    fn clones_for_variables_named_in_format_strings() {
        let m = model(
            r##"
            clone(bus, width, log, other, r#type);
            job a { println!("{bus} {:>width$} {{other}}", 1) }
            job b { log(b"{other}", r#"{type:?}"#) }
            "##,
        );
        let clones = |node: usize| -> Vec<String> {
            let NodeKind::Job(job) = &m.nodes[node].kind else {
                panic!()
            };
            job.clones.iter().map(ToString::to_string).collect()
        };
        assert_eq!(clones(0), ["bus", "width"]);
        assert_eq!(clones(1), ["log", "r#type"]);
    }

    #[test]
    fn blocks_that_never_yield() {
        let m = model(
            r#"
            forever job a { loop { tick().await; } }
            forever job b { let x = 1; loop { if x == 2 { break; } } }
            job c { todo!() }
            job d { std::panic!("no"); }
            job e { loop { tick().await }; }
            job f { 'outer: loop { select! { _ = x => break 'outer } } }
            job g = async { loop {} };
            job h { loop {} 1 }
            "#,
        );
        let diverges: Vec<bool> = m
            .nodes
            .iter()
            .map(|node| match &node.kind {
                NodeKind::Job(job) => job.diverges,
                NodeKind::Scheduler(_) => panic!(),
            })
            .collect();
        assert_eq!(
            diverges,
            [true, false, true, true, true, false, false, false]
        );
    }

    #[test]
    fn forward_references_are_ordered() {
        let m = model(
            "
            job report(total) { total }
            job total(a, b) { a + b }
            job a = one();
            job b = two();
            ",
        );
        assert_eq!(order(&m), ["a", "b", "total", "report"]);
    }

    #[test]
    fn contextual_keywords_as_names() {
        let m = model(
            "
            job job = x();
            job sequence requires(job) = x();
            job window = x();
            job clone = x();
            job r#requires requires(clone) = x();
            sequence scheduler requires(r#requires, window) {}
            ",
        );
        assert_eq!(requires(&m, "sequence"), ["job"]);
        assert_eq!(requires(&m, "r#requires"), ["clone"]);
    }

    #[test]
    fn nested_schedulers_and_sequences() {
        let m = model(
            "
            sequence {
                job a = x();
                sequence inner requires(z) {
                    job b = x();
                    scheduler s { job c = x(); job d requires(c) = x(); }
                }
                sequence {}
                job e = x();
            }
            job z = x();
            job after requires(inner) = x();
            ",
        );
        assert_eq!(requires(&m, "b"), ["z", "a"]);
        assert_eq!(requires(&m, "s"), ["b"]);
        assert_eq!(requires(&m, "e"), ["s"]);
        assert_eq!(requires(&m, "after"), ["s"]);
        assert_eq!(requires(&m, "d"), ["c"]);
        // One order for all scopes; nested nodes have no requirements outside.
        assert_eq!(order(&m), ["a", "c", "d", "z", "b", "s", "e", "after"]);
    }

    #[test]
    fn expected_item() {
        assert_eq!(
            errors("job a = x(); 42"),
            ["1:14: expected one of: `job`, `sequence`, `scheduler`"]
        );
        assert_eq!(
            errors("jbo a = x();"),
            ["1:1: expected one of: `job`, `sequence`, `scheduler`; did you mean `job`?"]
        );
        assert_eq!(
            errors("forevr job a = x();"),
            ["1:1: expected one of: `job`, `sequence`, `scheduler`; did you mean `forever`?"]
        );
        assert_eq!(
            errors("critical 3"),
            ["1:10: expected one of: `job`, `sequence`, `scheduler`"]
        );
    }

    #[test]
    fn bad_jobs() {
        assert_eq!(errors("job = x();"), ["1:5: expected a name after `job`"]);
        assert_eq!(
            errors("job requires(a) = x();"),
            [
                "1:5: expected a name after `job`, found `requires` (write `r#requires` for a job named `requires`)"
            ]
        );
        assert_eq!(
            errors("job type = x();"),
            ["1:5: expected identifier, found keyword `type`"]
        );
        assert_eq!(
            errors("job a x();"),
            ["1:7: expected one of: parentheses, `requires`, `=`, curly braces"]
        );
        assert_eq!(
            errors("job a(b) x();"),
            ["1:10: expected one of: `requires`, `=`, curly braces"]
        );
        assert_eq!(errors("job a = ;"), ["1:9: expected an expression"]);
        assert_eq!(
            errors("job a()= x();"),
            ["1:6: expected at least one name in the list"]
        );
        assert_eq!(errors("job a(b c) = x();"), ["1:9: expected `,`"]);
        assert_eq!(
            errors("job a requires(b, 1) = x();"),
            ["1:19: expected identifier"]
        );
    }

    #[test]
    fn missing_semicolon_at_the_end() {
        // The error is at the end of the input: the whole invocation, in a
        // real expansion.
        assert_eq!(errors("job a = x()").len(), 1);
        assert_eq!(errors("scheduler { job a = x() }"), ["1:25: expected `;`"]);
    }

    #[test]
    fn bad_sections() {
        assert_eq!(
            errors("sequence s job a = x();"),
            ["1:12: expected `requires` or curly braces"]
        );
        assert_eq!(
            errors("scheduler 3 {}"),
            ["1:11: expected one of: identifier, `requires`, curly braces"]
        );
        assert_eq!(errors("sequence { window = 3 }"), ["1:23: expected `;`"]);
    }

    #[test]
    fn block_body_may_have_a_semicolon() {
        let m = model("job a { 1 }; job b { 2 }");
        assert_eq!(m.nodes.len(), 2);
    }
}

mod check {
    use super::*;

    #[test]
    fn unknown_names() {
        assert_eq!(
            errors(
                "
job fetch = x();
job parse(fecth) = x();
job store requires(parse, nothing_like_it) = x();
scheduler deploy { job push requires(pusj) = x(); }
"
            ),
            [
                "3:11: cannot find `fecth` in this workflow; did you mean `fetch`?",
                "4:27: cannot find `nothing_like_it` in this workflow",
                "5:38: cannot find `pusj` in the scheduler `deploy`; did you mean `push`?",
            ]
        );
    }

    #[test]
    fn duplicate_names() {
        assert_eq!(
            errors(
                "
job a = x();
job a = x();
sequence a {}
scheduler s { job a = x(); }
job s = x();
job r#b = x();
job b = x();
"
            ),
            [
                "3:5: the name `a` is defined multiple times",
                "4:10: the name `a` is defined multiple times",
                "6:5: the name `s` is defined multiple times",
                "8:5: the name `b` is defined multiple times",
            ]
        );
    }

    #[test]
    fn requires_itself() {
        assert_eq!(
            errors(
                "
job a requires(a) = x();
job b(b) = x();
sequence s requires(s) { job c = x(); }
scheduler d requires(d) {}
sequence t { job e = x(); job f requires(t) = x(); }
sequence u requires(g) { job g = x(); }
"
            ),
            [
                "2:16: job `a` cannot require itself",
                "3:7: job `b` cannot require itself",
                "4:21: sequence `s` cannot require itself",
                "5:22: scheduler `d` cannot require itself",
                "6:42: job `f` cannot require `t`, the sequence it belongs to",
                "7:21: sequence `u` cannot require `g`, one of its own items",
            ]
        );
    }

    #[test]
    fn cycles() {
        assert_eq!(
            errors(
                "
job store requires(parse) = x();
job parse requires(fetch) = x();
job fetch requires(store) = x();
job a(b) = x();
job b requires(a) = x();
"
            ),
            [
                r#"2:20: cyclic requirement: `store` -> `parse` -> `fetch` -> `store` (`->` means "requires")"#,
                r#"3:20: cyclic requirement: `store` -> `parse` -> `fetch` -> `store` (`->` means "requires")"#,
                r#"4:20: cyclic requirement: `store` -> `parse` -> `fetch` -> `store` (`->` means "requires")"#,
                r#"5:7: cyclic requirement: `a` -> `b` -> `a` (`->` means "requires")"#,
                r#"6:16: cyclic requirement: `a` -> `b` -> `a` (`->` means "requires")"#,
            ]
        );
    }

    #[test]
    fn cycle_through_a_sequence() {
        // `b` follows `a`, `a` requires `c`, `c` requires the sequence (`b`).
        assert_eq!(
            errors(
                "
sequence s {
    job a requires(c) = x();
    job b = x();
}
job c requires(s) = x();
"
            ),
            [
                r#"3:20: cyclic requirement: `a` -> `c` -> `b` -> `a` (`->` means "requires")"#,
                r#"4:9: cyclic requirement: `a` -> `c` -> `b` -> `a` (`->` means "requires")"#,
                r#"6:16: cyclic requirement: `a` -> `c` -> `b` -> `a` (`->` means "requires")"#,
            ]
        );
    }

    #[test]
    fn cycle_of_nested_schedulers() {
        assert_eq!(
            errors("scheduler p requires(q) {} scheduler q requires(p) {}"),
            [
                r#"1:22: cyclic requirement: `p` -> `q` -> `p` (`->` means "requires")"#,
                r#"1:49: cyclic requirement: `p` -> `q` -> `p` (`->` means "requires")"#,
            ]
        );
    }

    #[test]
    fn across_scheduler_boundaries() {
        assert_eq!(
            errors(
                "
job fetch = x();
scheduler deploy {
    job push requires(fetch) = x();
    job roll requires(deploy) = x();
    scheduler inner { job deep = x(); }
}
job index requires(push) = x();
job late(deep) = x();
scheduler requires(fetch) { job anonymous = x(); }
job other requires(anonymous) = x();
scheduler left { job l requires(r) = x(); }
scheduler right { job r = x(); }
scheduler own requires(mine) { job mine = x(); }
"
            ),
            [
                "4:23: job `push` cannot require `fetch`, which is outside the scheduler `deploy`; \
                 make `deploy` require `fetch` instead",
                "5:23: job `roll` cannot require `deploy`, the scheduler it belongs to",
                "8:20: job `index` cannot require `push`, which belongs to the nested scheduler `deploy`; \
                 require `deploy` instead",
                "9:10: job `late` cannot require `deep`, which belongs to the nested scheduler `deploy`; \
                 require `deploy` instead",
                "11:20: job `other` cannot require `anonymous`, which belongs to a nested scheduler without \
                 a name; name that scheduler and require it instead",
                "12:33: job `l` cannot require `r`, which belongs to the scheduler `right`; \
                 make `left` require `right` instead",
                "14:24: scheduler `own` cannot require `mine`, one of its own jobs",
            ]
        );
    }

    #[test]
    fn inputs_must_be_jobs() {
        assert_eq!(
            errors("scheduler s {} sequence q { job a = x(); } job b(s, q) = x();"),
            [
                "1:50: `s` is a scheduler, not a job: only jobs have an output to take; \
                 write `requires(s)` to wait for it",
                "1:53: `q` is a sequence, not a job: only jobs have an output to take; \
                 write `requires(q)` to wait for it",
            ]
        );
    }

    #[test]
    fn forever_requirements() {
        assert_eq!(
            errors(
                "
forever job monitor = x();
job index requires(monitor) = x();
job report(monitor) = x();
forever job watcher requires(monitor) = x();
sequence s { job a = x(); forever job b = x(); }
job after requires(s) = x();
sequence t requires(monitor) { job c = x(); }
sequence { forever job d = x(); job e = x(); }
forever scheduler f {}
scheduler requires(f) {}
"
            ),
            [
                "3:20: job `index` cannot require the forever job `monitor`: it would never start",
                "4:12: job `report` cannot take the output of the forever job `monitor`: it would never start",
                "7:20: job `after` cannot require `s`, whose last item is the forever job `b`: it would never start",
                "8:21: sequence `t` cannot require the forever job `monitor`: its first item, job `c`, \
                 would never start",
                "9:37: job `e` cannot follow the forever job `d` in a sequence: it would never start",
                "11:20: this scheduler cannot require the forever scheduler `f`: it would never start",
            ]
        );
    }

    #[test]
    fn modifiers() {
        assert_eq!(
            errors(
                "
critical noncritical job a = x();
forever forever job b = x();
noncritical forever critical scheduler c {}
forever sequence d {}
"
            ),
            [
                "2:10: conflicting modifiers `critical` and `noncritical`",
                "3:9: repeated modifier `forever`",
                "4:21: conflicting modifiers `noncritical` and `critical`",
                "5:1: a sequence takes no modifiers; put `forever` on its items",
            ]
        );
    }

    #[test]
    fn attributes() {
        assert_eq!(
            errors(
                "
#[inline] job a = x();
/// fine
job b = x();
/// not here
sequence c {}
#[doc(hidden)] job d = x();
"
            ),
            [
                "2:1: unsupported attribute; only doc comments are allowed here",
                "5:1: doc comments are not supported on a sequence",
                "7:1: unsupported attribute; only doc comments are allowed here",
            ]
        );
    }

    #[test]
    fn settings() {
        assert_eq!(
            errors(
                "
windw = 4;
window = 0;
window = 2;
clone = x;
clone(a, b, a);
clone(c);
job a = x();
timeout = y;
sequence { label = z; }
scheduler { window = 0usize; window = 1; }
"
            ),
            [
                "2:1: unknown setting `windw`; expected one of: `label`, `window`, `timeout`, \
                 `shutdown_timeout`, `clone`",
                "3:10: `window` must be at least 1",
                "4:1: `window` is already set for this scheduler",
                "5:1: `clone` takes a list of variables: `clone(a, b);`",
                "6:13: `a` is listed twice",
                "7:1: `clone` is already set for this scheduler; list every variable in one `clone(...)`",
                "9:1: settings must come before the items of their scheduler",
                "10:12: settings are not allowed in a sequence; set `label` on the enclosing scheduler",
                "11:22: `window` must be at least 1",
                "11:30: `window` is already set for this scheduler",
            ]
        );
    }

    #[test]
    fn inputs_lists() {
        let many: Vec<String> = (0..14).map(|i| format!("j{i}")).collect();
        let jobs: String = many.iter().map(|j| format!("job {j} = x();\n")).collect();
        let source = format!(
            "{jobs}job all({}) = x();\njob twice(j0, j0) = x();",
            many.join(", ")
        );
        assert_eq!(
            errors(&source),
            [
                "15:59: a job takes at most 12 inputs",
                "15:64: a job takes at most 12 inputs",
                "16:15: `j0` is listed twice",
            ]
        );
    }

    #[test]
    fn many_errors_in_source_order() {
        assert_eq!(
            errors(
                "
job a requires(b) = x();
critical critical job b requires(a, zz) = x();
windw = 1;
"
            ),
            [
                r#"2:16: cyclic requirement: `a` -> `b` -> `a` (`->` means "requires")"#,
                "3:10: repeated modifier `critical`",
                r#"3:34: cyclic requirement: `a` -> `b` -> `a` (`->` means "requires")"#,
                "3:37: cannot find `zz` in this workflow",
                "4:1: settings must come before the items of their scheduler",
            ]
        );
    }

    #[test]
    fn best_model_after_errors() {
        let (model, errors) = crate::check::analyze(tokens(
            "
job a requires(b) = x();
job b requires(a) = x();
job c(nothing) = x();
job d(a) = x();
job a = x();
",
        ))
        .expect("parses");
        assert!(errors.is_some());
        // The cycle's edges and the unknown input are dropped; `d` keeps `a`.
        assert!(model.nodes[0].requires.is_empty() && model.nodes[1].requires.is_empty());
        let NodeKind::Job(c) = &model.nodes[2].kind else {
            panic!()
        };
        assert_eq!(c.inputs[0].node, None);
        let NodeKind::Job(d) = &model.nodes[3].kind else {
            panic!()
        };
        assert_eq!(d.inputs[0].node, Some(0));
        // The duplicate is a node, not a field.
        assert_eq!(model.nodes.len(), 5);
        assert_eq!(model.scopes[0].fields, [0, 1, 2, 3]);
    }
}

mod expand {
    use std::path::PathBuf;

    use quote::quote;

    use super::tokens;

    /// The expansion of `workflow! { BODY }`, as a function body, pretty-printed.
    fn expand(body: &str) -> String {
        let expansion = crate::expand::workflow(tokens(&format!("jobs_core; {body}")));
        let file = quote! {
            fn expansion() {
                let workflow = #expansion;
            }
        };
        match syn::parse2::<syn::File>(file) {
            Ok(file) => prettyplease::unparse(&file),
            Err(error) => panic!("the expansion does not parse: {error}\n{expansion}"),
        }
    }

    /// Compares with `tests/snapshots/NAME.rs`; `JOBS_MACROS_BLESS=1` writes
    /// it instead, to review with `git diff`.
    fn snapshot(name: &str, body: &str) {
        let actual =
            format!("// workflow! {{{body}}}\n\n{}", expand(body)).replace("\n\n\n", "\n\n");
        let path: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "snapshots",
            &format!("{name}.rs"),
        ]
        .iter()
        .collect();
        if std::env::var_os("JOBS_MACROS_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().expect("has a parent"))
                .expect("create the snapshot folder");
            std::fs::write(&path, &actual).expect("write the snapshot");
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            expected == actual,
            "the expansion differs from {}; rerun with JOBS_MACROS_BLESS=1 and review the diff\n{actual}",
            path.display()
        );
    }

    #[test]
    fn design_example() {
        snapshot(
            "design_example",
            r#"
    timeout = Duration::from_secs(30);
    window = 4;
    clone(url, bus);

    /// Downloads the page.
    job fetch = download(url);
    job parse(fetch) { parse_page(&fetch)? }
    job index requires(parse) = update_index();
    forever job monitor = watch_progress(bus);
    noncritical job notify requires(index) = ping_chat();

    sequence warmup {
        job a = step(1);
        job b = step(2);
    }
    scheduler deploy requires(warmup, index) {
        window = 2;
        job push = push_image();
        job roll requires(push) = rollout();
    }
"#,
        );
    }

    #[test]
    fn inputs() {
        snapshot(
            "inputs",
            r#"
    clone(client);
    job report(total) = publish(total, client);
    job total(a, r#b) { a + r#b }
    job a { 1 }
    job r#b = async { Ok::<_, std::io::Error>(2) };
"#,
        );
    }

    #[test]
    fn nested() {
        snapshot(
            "nested",
            r#"
    label = "outer";
    noncritical scheduler stage {
        shutdown_timeout = None;
        scheduler inner { job deep = deep(); }
        forever job spin = spin();
    }
    scheduler requires(stage) { job hidden = hidden(); }
"#,
        );
    }

    #[test]
    fn empty() {
        snapshot("empty", "");
    }

    #[test]
    fn check_errors() {
        // The cycle's edges and the unknown input are left out; `c` consumes
        // an unknown input, so its body is left out, and so is `d`'s.
        snapshot(
            "check_errors",
            r#"
    window = 0;
    job a requires(b) = x();
    job b requires(a) = y();
    job c(nothing) = z(nothing);
    job d(c) = w(c);
"#,
        );
    }

    #[test]
    fn large_workflows_are_expanded_in_chunks() {
        let mut body = String::from("job j0 = x();\n");
        for i in 1..300 {
            body.push_str(&format!("job j{i}(j{}) {{ j{} + 1 }}\n", i - 1, i - 1));
        }
        let text = expand(&body);
        // One prepared body and 300 handles: five blocks of at most 64
        // statements, besides the tuple of constructors.
        assert_eq!(text.matches("let (").count(), 1 + 5, "{text}");
    }

    #[test]
    fn parse_error() {
        snapshot("parse_error", "job a = x(); jbo b = y();");
    }
}

mod fuzz {
    use proc_macro2::{
        Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree,
    };
    use proptest::prelude::*;

    use crate::check::{NodeKind, analyze};

    const WORDS: &[&str] = &[
        "job",
        "sequence",
        "scheduler",
        "requires",
        "critical",
        "noncritical",
        "forever",
        "clone",
        "label",
        "window",
        "timeout",
        "shutdown_timeout",
        "doc",
        "a",
        "b",
        "c",
        "type",
        "fn",
        "self",
        "x",
    ];

    #[derive(Debug, Clone)]
    enum Token {
        Ident(&'static str, bool),
        Punct(char, bool),
        Int(u8),
        Str,
        Group(u8, Vec<Token>),
    }

    fn token() -> impl Strategy<Value = Token> {
        let leaf = prop_oneof![
            4 => (prop::sample::select(WORDS), prop::bool::weighted(0.1)).prop_map(|(w, raw)| Token::Ident(w, raw)),
            3 => (prop::sample::select(&['=', ';', ',', '#', '!', '.', '?', '&', ':', '-', '>'][..]), any::<bool>())
                .prop_map(|(c, joint)| Token::Punct(c, joint)),
            1 => (0u8..3).prop_map(Token::Int),
            1 => Just(Token::Str),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            (0u8..4, prop::collection::vec(inner, 0..8)).prop_map(|(d, body)| Token::Group(d, body))
        })
    }

    fn to_tokens(tokens: &[Token]) -> TokenStream {
        tokens
            .iter()
            .map(|token| match token {
                Token::Ident(word, raw) => {
                    let raw = *raw && !matches!(*word, "self");
                    let ident = if raw {
                        Ident::new_raw(word, Span::call_site())
                    } else {
                        Ident::new(word, Span::call_site())
                    };
                    TokenTree::Ident(ident)
                }
                Token::Punct(c, joint) => {
                    let spacing = if *joint {
                        Spacing::Joint
                    } else {
                        Spacing::Alone
                    };
                    TokenTree::Punct(Punct::new(*c, spacing))
                }
                Token::Int(n) => TokenTree::Literal(Literal::u8_unsuffixed(*n)),
                Token::Str => TokenTree::Literal(Literal::string("s")),
                Token::Group(d, body) => {
                    let delimiter = match d {
                        0 => Delimiter::Parenthesis,
                        1 => Delimiter::Brace,
                        2 => Delimiter::Bracket,
                        _ => Delimiter::None,
                    };
                    TokenTree::Group(Group::new(delimiter, to_tokens(body)))
                }
            })
            .collect()
    }

    fn expand(body: TokenStream) -> TokenStream {
        let mut input: TokenStream = "jobs_core;".parse().expect("tokenizes");
        input.extend(body);
        crate::expand::workflow(input)
    }

    /// A mostly well-formed workflow: items with names from a small pool,
    /// random modifiers, lists and nesting.
    fn workflow_source() -> impl Strategy<Value = String> {
        let name = || prop::sample::select(&["a", "b", "c", "d", "e", "f", "g"][..]);
        let list = prop::collection::vec(name(), 0..4).prop_map(|names| names.join(", "));
        let modifiers = prop::sample::select(
            &[
                "",
                "forever ",
                "noncritical ",
                "critical ",
                "forever forever ",
            ][..],
        );
        let job = (
            modifiers,
            name(),
            prop::option::of(list.clone()),
            prop::option::of(list.clone()),
            any::<bool>(),
        )
            .prop_map(|(m, n, inputs, requires, block)| {
                let inputs = inputs.map(|l| format!("({l})")).unwrap_or_default();
                let requires = requires
                    .map(|l| format!(" requires({l})"))
                    .unwrap_or_default();
                let body = if block {
                    "{ 1 }".to_owned()
                } else {
                    "= x();".to_owned()
                };
                format!("{m}job {n}{inputs}{requires} {body}\n")
            });
        let setting = prop::sample::select(
            &[
                "window = 2;\n",
                "window = 0;\n",
                "clone(a);\n",
                "windw = 1;\n",
            ][..],
        )
        .prop_map(str::to_owned);
        let leaf = prop_oneof![4 => job, 1 => setting];
        leaf.prop_recursive(3, 40, 6, move |inner| {
            (
                prop::sample::select(
                    &[
                        "sequence",
                        "scheduler",
                        "forever scheduler",
                        "noncritical scheduler",
                    ][..],
                ),
                prop::option::of(name()),
                prop::option::of(list.clone()),
                prop::collection::vec(inner, 0..6),
            )
                .prop_map(|(kind, n, requires, items)| {
                    let n = n.unwrap_or("");
                    let requires = requires
                        .map(|l| format!(" requires({l})"))
                        .unwrap_or_default();
                    format!("{kind} {n}{requires} {{\n{}}}\n", items.concat())
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_tokens_never_panic(tokens in prop::collection::vec(token(), 0..24)) {
            let tokens = to_tokens(&tokens);
            let _ = analyze(tokens.clone());
            let _ = expand(tokens);
        }

        #[test]
        fn workflows_check_and_expand(items in prop::collection::vec(workflow_source(), 0..10)) {
            let source = items.concat();
            let tokens: TokenStream = source.parse().expect("tokenizes");
            if let Ok((model, errors)) = analyze(tokens.clone()) {
                // Whatever the errors, each node comes after what it needs.
                let mut position = vec![usize::MAX; model.nodes.len()];
                for (i, &n) in model.order.iter().enumerate() {
                    position[n] = i;
                }
                prop_assert!(position.iter().all(|&p| p != usize::MAX));
                for (n, node) in model.nodes.iter().enumerate() {
                    if errors.is_none() {
                        for &r in &node.requires {
                            prop_assert!(position[r] < position[n], "{source}");
                        }
                        if let NodeKind::Job(job) = &node.kind {
                            for input in &job.inputs {
                                let source_node = input.node.expect("resolved without errors");
                                prop_assert!(position[source_node] < position[n]);
                            }
                        }
                    }
                }
            }
            // The expansion is always an expression that syn can parse.
            let expansion = expand(tokens);
            prop_assert!(syn::parse2::<syn::Expr>(expansion.clone()).is_ok(), "{source}\n{expansion}");
        }
    }
}
