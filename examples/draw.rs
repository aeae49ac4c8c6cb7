//! Draws a workflow after a run, its jobs coloured by how they ended: writes
//! `workflow.dot` (Graphviz), `workflow.mmd` (Mermaid) and `workflow.svg` into the
//! directory given as argument (`target/draw/` by default).
//!
//! Run with `cargo run --example draw [DIR] [--layout-rs]`.
//!
//! The SVG is drawn by Graphviz's `dot` when it is on PATH, else (or with
//! `--layout-rs`) by the pure-Rust layout-rs, which draws no clusters: the jobs of a
//! nested scheduler are named after it (`deploy/push`) instead.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use jobs_core::workflow;

async fn step(ms: u64) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(ms)
}

async fn fail(ms: u64, why: &str) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Err(why.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (flags, dirs): (Vec<String>, _) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let dir = PathBuf::from(dirs.first().map_or("target/draw", String::as_str));
    let pure_rust = flags.iter().any(|flag| flag == "--layout-rs");
    let flow = workflow! {
        label = "release";
        job fetch = step(10);
        job build(fetch) { step(fetch * 2).await? }
        job test requires(build) = step(20);
        noncritical job docs requires(fetch) = fail(15, "no space left on device");
        noncritical job publish(docs) { step(docs).await? }
        forever job monitor { loop { tokio::time::sleep(Duration::from_millis(5)).await } }
        scheduler deploy requires(test) {
            window = 1;
            job push = step(10);
            job eu requires(push) = step(10);
            job us requires(push) = step(10);
        }
        noncritical job notify requires(deploy) = step(5);
    };
    let outcome = flow.run().await?;
    // The untyped view of the typed outcome: it lists and draws itself.
    let outcome = outcome.runtime();
    print!("{}", outcome.list());

    std::fs::create_dir_all(&dir)?;
    let dot = outcome.dot();
    std::fs::write(dir.join("workflow.dot"), &dot)?;
    std::fs::write(dir.join("workflow.mmd"), outcome.mermaid())?;
    let graphviz = if pure_rust { None } else { graphviz(&dot) };
    let (svg, renderer) = match graphviz {
        Some(svg) => (svg, "Graphviz dot"),
        None => (layout_rs(&flatten(&dot)), "layout-rs"),
    };
    std::fs::write(dir.join("workflow.svg"), svg)?;
    println!(
        "wrote workflow.dot, workflow.mmd and workflow.svg (drawn by {renderer}) in {}",
        dir.display()
    );
    Ok(())
}

/// The graph drawn by `dot -Tsvg`, if Graphviz is installed.
fn graphviz(dot: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(dot.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    output.status.success().then_some(())?;
    String::from_utf8(output.stdout).ok()
}

/// The graph drawn by layout-rs.
fn layout_rs(dot: &str) -> String {
    let graph = layout::gv::DotParser::new(dot)
        .process()
        .expect("layout-rs parses the flattened DOT");
    let mut builder = layout::gv::GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut svg = layout::backends::svg::SVGWriter::new();
    builder.get().do_it(false, false, false, &mut svg);
    svg.finalize()
}

/// A job of our DOT: its id, its attributes, the clusters it is in (outermost first).
struct Job {
    id: String,
    attrs: String,
    path: Vec<String>,
}

/// An edge of our DOT, and the clusters it leaves (`ltail`) or enters (`lhead`).
struct Edge {
    tails: Vec<String>,
    heads: Vec<String>,
    ltail: Option<String>,
    lhead: Option<String>,
}

/// Reads the lines of our DOT: jobs, edges, and clusters (id and name) in order.
fn parse(dot: &str) -> (Vec<Job>, Vec<Edge>, Vec<(String, String)>) {
    let (mut jobs, mut edges, mut clusters) = (Vec::new(), Vec::new(), Vec::new());
    let mut path = Vec::new();
    for line in dot.lines() {
        if let Some(cluster) = line.strip_prefix("subgraph cluster_") {
            path.push(cluster.trim_end_matches('{').to_owned());
        } else if line == "}" {
            path.pop();
        } else if let Some(attrs) = line.strip_prefix("graph [") {
            // The cluster's attributes, with its label `7: deploy`.
            if let (Some(cluster), Some((_, name))) = (path.last(), number_name(attrs)) {
                clusters.push((cluster.clone(), name.to_owned()));
            }
        } else if let Some((tail, rest)) = line.split_once(" -> ") {
            let rest = rest.trim_end_matches(';');
            let (head, attrs) = rest.split_once(" [").unwrap_or((rest, ""));
            let cluster = |key: &str| {
                let at = attrs.find(key)? + key.len();
                Some(attrs[at..].split([',', ']']).next()?.to_owned())
            };
            edges.push(Edge {
                tails: vec![tail.to_owned()],
                heads: vec![head.to_owned()],
                ltail: cluster("ltail=cluster_"),
                lhead: cluster("lhead=cluster_"),
            });
        } else if let Some((id, attrs)) = line.split_once(" [") {
            let (id, attrs) = (id.to_owned(), attrs.to_owned());
            jobs.push(Job {
                id,
                attrs,
                path: path.clone(),
            });
        }
    }
    (jobs, edges, clusters)
}

/// Our DOT as layout-rs can draw it: without clusters, `lhead`/`ltail` and dashed
/// boxes. The jobs of a nested scheduler are named after it (`8: deploy/push`), an
/// edge into or out of it goes to each of its first or last jobs, forever jobs say
/// so, and `penwidth` is `width` there.
fn flatten(dot: &str) -> String {
    let (jobs, mut edges, clusters) = parse(dot);
    let forever = |job: &Job| job.attrs.contains("dashed");
    // Innermost clusters first, so that the edges inside a cluster are between jobs.
    for (cluster, _) in clusters.iter().rev() {
        let inside: Vec<&Job> = jobs.iter().filter(|j| j.path.contains(cluster)).collect();
        let is_inside = |id: &String| inside.iter().any(|j| &j.id == id);
        let inner: Vec<&Edge> = (edges.iter())
            .filter(|e| e.tails.iter().chain(&e.heads).all(is_inside))
            .collect();
        let ids = |jobs: Vec<&&Job>| jobs.iter().map(|j| j.id.clone()).collect::<Vec<_>>();
        let first = inside
            .iter()
            .filter(|j| !inner.iter().any(|e| e.heads.contains(&j.id)));
        let last = inside
            .iter()
            .filter(|j| !inner.iter().any(|e| e.tails.contains(&j.id)));
        // Forever jobs are not waited for, unless there is nothing else.
        let (forever, finite): (Vec<&&Job>, _) = last.partition(|j| forever(j));
        let entries = ids(first.collect());
        let exits = ids(if finite.is_empty() { forever } else { finite });
        for edge in &mut edges {
            if edge.lhead.as_ref() == Some(cluster) {
                edge.heads = entries.clone();
            }
            if edge.ltail.as_ref() == Some(cluster) {
                edge.tails = exits.clone();
            }
        }
    }

    let mut out = String::from("digraph workflow {\n");
    for job in &jobs {
        let names = job
            .path
            .iter()
            .map(|c| clusters.iter().find(|(id, _)| id == c));
        let prefix: String = names
            .flatten()
            .map(|(_, name)| format!("{name}/"))
            .collect();
        let attrs = match (job.id.strip_prefix("anchor_"), number_name(&job.attrs)) {
            // The invisible anchor of an empty scheduler: a box with its name.
            (Some(number), _) => {
                format!(
                    "label=\"{number}: {}\",shape=\"box\"]",
                    prefix.trim_end_matches('/')
                )
            }
            (None, Some((number, name))) => {
                let mark = if forever(job) { " (forever)" } else { "" };
                let label = format!("label=\"{number}: {prefix}{name}{mark}\"");
                let old = format!("label=\"{number}: {name}\"");
                job.attrs
                    .replacen(&old, &label, 1)
                    .replace("penwidth=", "width=")
            }
            (None, None) => job.attrs.clone(),
        };
        out.push_str(&format!("{} [{attrs}\n", job.id));
    }
    for edge in &edges {
        for tail in &edge.tails {
            for head in &edge.heads {
                out.push_str(&format!("{tail} -> {head};\n"));
            }
        }
    }
    out.push_str("}\n");
    out
}

/// The number and name in `label="7: deploy"`, in a list of attributes.
fn number_name(attrs: &str) -> Option<(&str, &str)> {
    let start = attrs.find("label=\"")? + "label=\"".len();
    let len = attrs[start..].find('"')?;
    attrs[start..start + len].split_once(": ")
}
