//! The one rule for yes/no keys (`propagate`, `disable_existing_loggers`,
//! `delay`, `validate`, `incremental`, logconf's own switches).
//!
//! | written | read as |
//! |---|---|
//! | YAML/JSON booleans (`true`, `no`, `Off`, ...) | themselves |
//! | the integers `1` and `0` | true, false |
//! | the strings `true`/`false`, `yes`/`no`, `on`/`off`, in any case | their plain meaning |
//! | anything else (`2`, `"maybe"`, `null`, a float, a list) | a problem |
//!
//! Python takes any value with a truth value: every non-empty string is
//! true there, the string `"false"` included, and so is every non-zero
//! number. logconf reads the words by their meaning and refuses what has
//! none, so a config never says the opposite of what it does.

use crate::tree::Value;

/// Why a value is not a yes/no: the message and a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NotTruthy {
    /// Lowercase, no trailing period.
    pub(crate) message: String,
    /// What to write instead.
    pub(crate) help: Option<String>,
}

/// The words accepted as yes, compared without case.
const YES: [&str; 3] = ["true", "yes", "on"];
/// The words accepted as no, compared without case.
const NO: [&str; 3] = ["false", "no", "off"];

/// The longest string quoted back in a message, in characters.
const SHOWN: usize = 40;

/// Reads `value` as a yes/no, by the rule in the module's table.
pub(crate) fn truthy(value: &Value) -> Result<bool, NotTruthy> {
    let help = || Some("write `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`)".into());
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Int(1) => Ok(true),
        Value::Int(0) => Ok(false),
        Value::Int(n) => Err(NotTruthy {
            message: format!("expected a boolean, found the integer `{n}`"),
            help: help(),
        }),
        Value::Str(s) => {
            let word = s.as_str();
            if YES.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                Ok(true)
            } else if NO.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                Ok(false)
            } else {
                let shown: String = s.chars().take(SHOWN).collect();
                let more = if s.chars().count() > SHOWN { "..." } else { "" };
                Err(NotTruthy {
                    message: format!("expected a boolean, found the string `{shown}{more}`"),
                    help: help(),
                })
            }
        }
        other => Err(NotTruthy {
            message: format!("expected a boolean, found {}", other.kind()),
            help: help(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Value) -> Result<bool, String> {
        truthy(&value).map_err(|e| e.message)
    }

    #[test]
    fn booleans_and_zero_one() {
        assert_eq!(read(Value::Bool(true)), Ok(true));
        assert_eq!(read(Value::Bool(false)), Ok(false));
        assert_eq!(read(Value::Int(1)), Ok(true));
        assert_eq!(read(Value::Int(0)), Ok(false));
        assert_eq!(
            read(Value::Int(2)),
            Err("expected a boolean, found the integer `2`".into())
        );
        assert_eq!(
            read(Value::Int(-1)),
            Err("expected a boolean, found the integer `-1`".into())
        );
    }

    #[test]
    fn words_in_any_case() {
        for (word, meaning) in [
            ("true", true),
            ("TRUE", true),
            ("Yes", true),
            ("oN", true),
            ("false", false),
            ("False", false),
            ("NO", false),
            ("off", false),
        ] {
            assert_eq!(read(Value::Str(word.into())), Ok(meaning), "{word:?}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(
            read(Value::Str("maybe".into())),
            Err("expected a boolean, found the string `maybe`".into())
        );
        assert_eq!(
            read(Value::Str(" off".into())),
            Err("expected a boolean, found the string ` off`".into())
        );
        assert_eq!(
            read(Value::Str("1".into())),
            Err("expected a boolean, found the string `1`".into())
        );
        assert_eq!(
            read(Value::Str(String::new())),
            Err("expected a boolean, found the string ``".into())
        );
        assert_eq!(
            read(Value::Str("y".repeat(50))),
            Err(format!(
                "expected a boolean, found the string `{}...`",
                "y".repeat(40)
            ))
        );
        assert_eq!(
            read(Value::Null),
            Err("expected a boolean, found null".into())
        );
        assert_eq!(
            read(Value::Float(1.0)),
            Err("expected a boolean, found a float".into())
        );
        assert_eq!(
            read(Value::Seq(Vec::new())),
            Err("expected a boolean, found a list".into())
        );
    }
}
