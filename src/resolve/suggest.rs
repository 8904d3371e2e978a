//! "Did you mean ...?" for misspelt groups and options.

/// The candidate closest to `word` by edit distance, if close enough to be
/// a likely typo (at most a third of the word's length, and at least 1).
///
/// ```
/// use stackauth::resolve::did_you_mean;
/// assert_eq!(did_you_mean("auth_ulr", ["auth_url", "auth_type"]), Some("auth_url"));
/// assert_eq!(did_you_mean("zzz", ["auth_url"]), None);
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        // The distance is at least the difference in length: most
        // candidates are ruled out without computing it (a file of a
        // million unknown options must not take minutes).
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn distances() {
        assert_eq!(distance("auth_url", "auth_url"), 0);
        assert_eq!(distance("auth_ulr", "auth_url"), 1);
        assert_eq!(distance("pasword", "password"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
