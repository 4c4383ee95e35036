//! Did-you-mean suggestions for misspelt keys, classes, levels and names.

/// The optimal-string-alignment (restricted Damerau-Levenshtein) distance
/// between `a` and `b`, counted in characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back, one back, current.
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How far a word may be from a candidate to be suggested: 1 for short
/// words, 2 otherwise.
fn threshold(word: &str) -> usize {
    if word.chars().count() <= 4 { 1 } else { 2 }
}

/// The closest candidate to `word` within the threshold, ignoring ASCII
/// case (a difference of case alone counts as one edit, so `MaxBytes`
/// still suggests `maxBytes`). Very long words get no suggestion.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if word.len() > 200 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for cand in candidates {
        if cand == word || cand.len() > 200 {
            continue;
        }
        let d = if cand.eq_ignore_ascii_case(word) {
            1
        } else {
            distance(&lower, &cand.to_ascii_lowercase())
        };
        if d <= threshold(word) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// ``did you mean `X`?`` when a candidate is close enough.
pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// ``expected one of `a`, `b` or `c` ``.
pub(crate) fn one_of(candidates: &[&str]) -> String {
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    match quoted.split_last() {
        None => String::from("nothing is accepted here"),
        Some((last, [])) => format!("expected {last}"),
        Some((last, rest)) => format!("expected one of {} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("loggres", "loggers"), 1);
        assert_eq!(distance("ca", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("fil", "file"), 1);
    }

    #[test]
    fn suggestions() {
        let keys = ["version", "loggers", "handlers", "root"];
        assert_eq!(closest("loggres", keys), Some("loggers"));
        assert_eq!(closest("handler", keys), Some("handlers"));
        assert_eq!(closest("rot", keys), Some("root"));
        assert_eq!(closest("xyz", keys), None);
        assert_eq!(closest("MaxBytes", ["maxBytes"]), Some("maxBytes"));
        assert_eq!(closest("DEBG", ["DEBUG", "INFO"]), Some("DEBUG"));
        assert_eq!(closest("inf", ["DEBUG", "INFO"]), Some("INFO"));
        assert_eq!(closest("x", ["DEBUG", "INFO"]), None);
        assert_eq!(
            did_you_mean("fil", ["file"]).as_deref(),
            Some("did you mean `file`?")
        );
        assert_eq!(one_of(&["a", "w"]), "expected one of `a` or `w`");
        assert_eq!(one_of(&["a"]), "expected `a`");
    }
}
