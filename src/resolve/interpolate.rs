//! `$opt` and `${group.opt}` substitution, as oslo.config does it with
//! Python's `string.Template.safe_substitute`.
//!
//! - `$name` and `${name}`: names match `[_a-z][._a-z0-9]*`, any case.
//! - `$$` and `\$` give a literal `$`.
//! - A `$` not followed by a name is left as is.
//! - A name with a dot is `group.option`; otherwise the option is looked up
//!   in the same group, then in `[DEFAULT]`.

/// A piece of a string to substitute.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A literal `$` (from `$$` or `\$`).
    Dollar,
    /// A reference to an option.
    Ref(&'a str),
}

fn is_name_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: u8) -> bool {
    c == b'_' || c == b'.' || c.is_ascii_alphanumeric()
}

/// Whether `s` holds anything to substitute (a fast path for most values).
pub(crate) fn has_template(s: &str) -> bool {
    s.contains('$')
}

/// Splits `s` into literal text, escaped dollars and references.
pub(crate) fn pieces(s: &str) -> Vec<Piece<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut lit = 0;
    let mut i = 0;
    while i < b.len() {
        let (skip, piece) = match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'$')) => (2, Some(Piece::Dollar)),
            (b'$', Some(b'$')) => (2, Some(Piece::Dollar)),
            (b'$', Some(b'{')) => {
                let start = i + 2;
                let mut j = start;
                while j < b.len() && is_name_char(b[j]) {
                    j += 1;
                }
                if j > start && is_name_start(b[start]) && b.get(j) == Some(&b'}') {
                    (j + 1 - i, Some(Piece::Ref(&s[start..j])))
                } else {
                    (1, None)
                }
            }
            (b'$', Some(c)) if is_name_start(*c) => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && is_name_char(b[j]) {
                    j += 1;
                }
                (j - i, Some(Piece::Ref(&s[start..j])))
            }
            _ => (1, None),
        };
        if let Some(p) = piece {
            if lit < i {
                out.push(Piece::Text(&s[lit..i]));
            }
            out.push(p);
            i += skip;
            lit = i;
        } else {
            i += skip;
        }
    }
    if lit < b.len() {
        out.push(Piece::Text(&s[lit..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Piece::*;
    use super::*;

    #[test]
    fn splits_like_string_template() {
        assert_eq!(pieces("a$b/c"), vec![Text("a"), Ref("b"), Text("/c")]);
        assert_eq!(pieces("${g.o}x"), vec![Ref("g.o"), Text("x")]);
        assert_eq!(pieces("$$x"), vec![Dollar, Text("x")]);
        assert_eq!(pieces("\\$x"), vec![Dollar, Text("x")]);
        assert_eq!(pieces("$1 and $"), vec![Text("$1 and $")]);
        assert_eq!(pieces("${unclosed"), vec![Text("${unclosed")]);
        assert_eq!(pieces("$Host.name"), vec![Ref("Host.name")]);
    }
}
