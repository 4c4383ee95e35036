//! The README's and the crate docs' snippets are doc tests (their code runs
//! in `cargo test --doc`); this checks what doc tests cannot: that each Rust
//! snippet's crates are in the `[dependencies]` block written before it, with
//! versions that match this package's own dependencies, so a reader who
//! copies both gets code that compiles.

use std::collections::BTreeMap;
use std::path::Path;

/// A fenced block: its language (the info string up to a comma) and text.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => {
                let lang = info.split(',').next().unwrap_or("").trim().to_owned();
                open = Some(Block {
                    lang,
                    text: String::new(),
                    line: i + 1,
                });
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The code without string literals and `//` comments.
fn code_only(code: &str) -> String {
    let mut out = String::new();
    let mut chars = code.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ if !in_string => out.push(c),
            _ => {}
        }
    }
    out
}

/// The crates a Rust snippet names: the first segment of each path
/// (`tracing_subscriber::layer`), spelled as in Cargo.toml.
fn crates_used(code: &str) -> Vec<String> {
    let code = &code_only(code);
    let mut used = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(at) = code[i..].find("::") {
        let end = i + at;
        let start = code[..end]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let before = code[..start].trim_end();
        let is_first_segment = !before.ends_with("::");
        let name = &code[start..end];
        if is_first_segment
            && !name.is_empty()
            && bytes[start].is_ascii_lowercase()
            && !matches!(name, "std" | "core" | "alloc" | "crate" | "self" | "super")
        {
            let name = name.replace('_', "-");
            if !used.contains(&name) {
                used.push(name);
            }
        }
        i = end + 2;
    }
    used
}

/// `name = "1.2"` and `name = { version = "1.2", ... }` lines of the
/// `[dependencies]`-like tables of a TOML text.
fn dependencies(toml: &str, tables: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut in_table = false;
    for line in toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_table = tables.contains(&line);
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if !in_table {
            continue;
        }
        let value = value.trim();
        let version = if value.starts_with('{') {
            value
                .split("version")
                .nth(1)
                .and_then(|v| v.split('"').nth(1))
        } else {
            value.split('"').nth(1)
        };
        if let Some(version) = version {
            out.insert(name.trim().to_owned(), version.to_owned());
        }
    }
    out
}

/// The versions this package builds with: its own and its dependencies'.
fn package_versions() -> BTreeMap<String, String> {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    let mut versions = dependencies(&manifest, &["[dependencies]", "[dev-dependencies]"]);
    versions.insert("logconf".into(), env!("CARGO_PKG_VERSION").into());
    versions
}

/// Checks the snippets of one document; returns the problems found.
/// In crate docs (`bare_is_rust`), a block without a language is Rust.
fn check(name: &str, markdown: &str, bare_is_rust: bool) -> Vec<String> {
    let versions = package_versions();
    let mut problems = Vec::new();
    let mut deps: Option<BTreeMap<String, String>> = None;
    let mut rust_blocks = 0;
    for block in blocks(markdown) {
        if block.lang == "toml" && block.text.contains("[dependencies]") {
            let listed = dependencies(&block.text, &["[dependencies]"]);
            for (dep, wanted) in &listed {
                match versions.get(dep) {
                    // "0.3" is met by 0.3.23: the snippet's requirement is a
                    // prefix of what this package builds with.
                    Some(have) if have.starts_with(wanted.as_str()) => {}
                    Some(have) => problems.push(format!(
                        "{name}:{}: `{dep} = \"{wanted}\"`, but the package builds with {have}",
                        block.line
                    )),
                    None => problems.push(format!(
                        "{name}:{}: `{dep}` is not a dependency of the package",
                        block.line
                    )),
                }
            }
            deps = Some(listed);
        } else if block.lang == "rust"
            || block.lang == "no_run"
            || (bare_is_rust && block.lang.is_empty())
        {
            rust_blocks += 1;
            for krate in crates_used(&block.text) {
                let listed = deps.as_ref().is_some_and(|d| d.contains_key(&krate));
                if !listed {
                    problems.push(format!(
                        "{name}:{}: the snippet uses `{krate}`, which the `[dependencies]` block before it does not list",
                        block.line
                    ));
                }
            }
        }
    }
    if rust_blocks == 0 {
        problems.push(format!("{name}: no Rust snippet found"));
    }
    problems
}

#[test]
fn readme_snippets_have_their_dependencies() {
    let readme = include_str!("../README.md");
    let problems = check("README.md", readme, false);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn crate_doc_snippets_have_their_dependencies() {
    let lib = include_str!("../src/lib.rs");
    let docs: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let problems = check("src/lib.rs", &docs, true);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_placeholders_in_the_docs() {
    for (name, text) in [
        ("README.md", include_str!("../README.md")),
        ("src/lib.rs", include_str!("../src/lib.rs")),
    ] {
        assert!(!text.contains("<this repository>"), "{name}");
    }
}

#[test]
fn the_checker_finds_a_missing_dependency() {
    let doc = "```toml\n[dependencies]\nlogconf = \"0.1\"\n```\n\n```rust\nuse tracing_subscriber::layer::SubscriberExt as _;\nlet x = std::env::args();\n```\n";
    let problems = check("doc", doc, false);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`tracing-subscriber`"), "{problems:?}");
}
