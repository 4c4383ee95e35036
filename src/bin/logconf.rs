//! `logconf`: check logging configs in CI, explain where a target's records
//! go, and convert Python's `fileConfig` INI files.
//!
//! ```text
//! logconf check [--format text|json|github] FILE...
//! logconf explain FILE TARGET [LEVEL]
//! logconf convert FILE.conf
//! ```

use std::io::Write as _;
use std::process::ExitCode;

const USAGE: &str = "\
usage: logconf check [--format text|json|github] FILE...
       logconf explain FILE TARGET [LEVEL]
       logconf convert FILE.conf

check    loads each file (YAML; JSON or fileConfig INI by extension) and
         reports every problem with its place; exits 1 if any file has one
explain  prints the logger chain, effective level and handlers a record
         from TARGET reaches; with LEVEL, what happens to a record at it
convert  prints a fileConfig INI file (logging.conf) as the YAML
         dictConfig that configures the same";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("explain") => explain(&args[1..]),
        Some("convert") => convert(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// How `check` prints problems.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// The error's own text, as `init()` returns it.
    Text,
    /// One JSON object per problem, one per line.
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let mut format = Format::Text;
    let mut files = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--format" => {
                format = match rest.next().map(String::as_str) {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    Some("github") => Format::Github,
                    other => {
                        return Err(format!(
                            "--format takes text, json or github, not {}",
                            other.unwrap_or("nothing")
                        ));
                    }
                }
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return Err(USAGE.to_owned());
    }
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for file in files {
        match logconf::Config::from_path(file) {
            Ok(_) => {
                if format == Format::Text {
                    let _ = writeln!(out, "{file}: ok");
                }
            }
            Err(err) => {
                failed = true;
                let _ = match format {
                    Format::Text => writeln!(out, "{err}"),
                    Format::Json => write_json(&mut out, file, &err),
                    Format::Github => write_github(&mut out, file, &err),
                };
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One JSON object per problem (or one for an error without problems).
fn write_json(
    out: &mut impl std::io::Write,
    file: &str,
    err: &logconf::Error,
) -> std::io::Result<()> {
    if err.problems().is_empty() {
        let line = serde_json::json!({"file": file, "message": err.to_string()});
        return writeln!(out, "{line}");
    }
    for p in err.problems() {
        let line = serde_json::json!({
            "file": file,
            "line": p.line(),
            "column": p.column(),
            "key_path": p.key_path(),
            "message": p.message(),
            "help": p.help(),
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// GitHub Actions' `::error file=F,line=L,col=C,title=T::message`.
fn write_github(
    out: &mut impl std::io::Write,
    file: &str,
    err: &logconf::Error,
) -> std::io::Result<()> {
    // Workflow commands escape `%`, CR and LF in data; also `:` and `,` in properties.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    if err.problems().is_empty() {
        return writeln!(
            out,
            "::error file={}::{}",
            prop(file),
            data(&err.to_string())
        );
    }
    for p in err.problems() {
        let mut place = format!("file={}", prop(file));
        if let (Some(line), Some(col)) = (p.line(), p.column()) {
            place.push_str(&format!(",line={line},col={col}"));
        }
        let mut message = p.message().to_owned();
        if let Some(help) = p.help() {
            message.push_str("; ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::error {place},title={}::{}",
            prop(p.key_path()),
            data(&message)
        )?;
    }
    Ok(())
}

fn explain(args: &[String]) -> Result<ExitCode, String> {
    let (file, target, level) = match args {
        [file, target] => (file, target, None),
        [file, target, level] => (file, target, Some(level)),
        _ => return Err(USAGE.to_owned()),
    };
    let config = logconf::Config::from_path(file).map_err(|e| e.to_string())?;
    let text = match level {
        None => config.explain(target),
        Some(level) => {
            let level: logconf::Level = level
                .parse()
                .map_err(|e| format!("{e}; levels are names like INFO or numbers"))?;
            config.explain_at(target, level)
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn convert(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else {
        return Err(USAGE.to_owned());
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("read {file}: {e}"))?;
    match logconf::Config::ini_to_yaml(&text) {
        Ok(yaml) => {
            print!("{yaml}");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            // Problems are placed in the file the user named.
            println!("{}", err.to_string().replace("<string>", file));
            Ok(ExitCode::FAILURE)
        }
    }
}
