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
    let lower: Vec<char> = word.to_lowercase().chars().collect();
    let limit = (lower.len() / 3).max(1);
    let mut rows = Rows::default();
    let mut best: Option<(usize, &str)> = None;
    let mut other: Vec<char> = Vec::new();
    for c in candidates {
        // Names are ASCII as a rule: their length in bytes rules most out
        // before any lowercasing.
        if c.is_ascii() && c.len().abs_diff(lower.len()) > limit {
            continue;
        }
        other.clear();
        other.extend(c.chars().flat_map(char::to_lowercase));
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        // Letters one has and the other lacks each cost an edit: a bound
        // in linear time that rules out most candidates before the table.
        if letters_apart(&lower, &other) > bound {
            continue;
        }
        // The distance is at least the difference in length: most
        // candidates are ruled out without computing it (a file of a
        // hundred thousand unknown options must not take minutes).
        if other.len().abs_diff(lower.len()) > limit {
            continue;
        }
        if let Some(d) = rows.distance(&lower, &other, bound) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A lower bound of the edit distance (with swaps) between `a` and `b`:
/// the larger of the counts of characters one has more of than the other
/// (the "bag distance"), counted over ASCII; other characters count as one
/// kind.
fn letters_apart(a: &[char], b: &[char]) -> usize {
    let mut counts = [0i32; 129];
    let slot = |c: char| if c.is_ascii() { c as usize } else { 128 };
    for &c in a {
        counts[slot(c)] += 1;
    }
    for &c in b {
        counts[slot(c)] -= 1;
    }
    let (more, fewer) = counts.iter().fold((0usize, 0usize), |(m, f), &n| {
        if n > 0 { (m + n as usize, f) } else { (m, f + n.unsigned_abs() as usize) }
    });
    more.max(fewer)
}

/// The rows of the distance table, kept between candidates.
#[derive(Default)]
struct Rows {
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// Levenshtein distance, counting an adjacent swap as one edit, if it
    /// is at most `bound` (it stops as soon as a row exceeds it).
    fn distance(&mut self, a: &[char], b: &[char], bound: usize) -> Option<usize> {
        let n = b.len() + 1;
        self.prev2.clear();
        self.prev2.resize(n, 0);
        self.prev.clear();
        self.prev.extend(0..n);
        for i in 1..=a.len() {
            self.cur.clear();
            self.cur.resize(n, i);
            for j in 1..n {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (self.prev[j] + 1).min(self.cur[j - 1] + 1).min(self.prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(self.prev2[j - 2] + 1);
                }
                self.cur[j] = d;
            }
            if self.cur.iter().min().is_some_and(|m| *m > bound) {
                return None;
            }
            std::mem::swap(&mut self.prev2, &mut self.prev);
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        Some(self.prev[n - 1]).filter(|d| *d <= bound)
    }
}

/// Levenshtein distance, counting an adjacent swap as one edit.
#[cfg(test)]
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    Rows::default().distance(&a, &b, usize::MAX).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn the_bag_bound_never_exceeds_the_distance() {
        let words = ["auth_url", "auth_ulr", "pasword", "password", "", "abc", "region_name", "regoin_name", "ÿx"];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                assert!(super::letters_apart(&ca, &cb) <= distance(a, b), "{a} / {b}");
            }
        }
    }

    #[test]
    fn distances() {
        assert_eq!(distance("auth_url", "auth_url"), 0);
        assert_eq!(distance("auth_ulr", "auth_url"), 1);
        assert_eq!(distance("pasword", "password"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
