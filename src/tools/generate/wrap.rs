//! Python's `textwrap.wrap`, as oslo-config-generator calls it: the same
//! chunks (words, runs of spaces, hyphenated words split after the hyphen,
//! em-dashes), the same greedy filling, long words never broken.

/// The characters `textwrap` treats as white space.
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Python's `\w`: letters, digits and `_`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `textwrap`'s `letter`, `[^\d\W]`: a word character that is not a digit.
fn is_letter(c: char) -> bool {
    is_word(c) && !c.is_ascii_digit()
}

/// `textwrap`'s `word_punct`, `[\w!"'&.,?]`.
fn is_word_punct(c: char) -> bool {
    is_word(c) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// Whether an em-dash (two or more `-` followed by a word character) starts
/// at `at`.
fn em_dash_at(s: &[char], at: usize) -> bool {
    let mut end = at;
    while end < s.len() && s[end] == '-' {
        end += 1;
    }
    end - at >= 2 && end < s.len() && is_word(s[end])
}

/// `TextWrapper._split`: `wordsep_re` applied to a line.
fn chunks(s: &[char]) -> Vec<String> {
    let n = s.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if is_ws(s[i]) {
            let mut j = i;
            while j < n && is_ws(s[j]) {
                j += 1;
            }
            out.push(s[i..j].iter().collect());
            i = j;
            continue;
        }
        // An em-dash between words.
        if s[i] == '-' && i > 0 && is_word_punct(s[i - 1]) && em_dash_at(s, i) {
            let mut j = i;
            while s[j] == '-' {
                j += 1;
            }
            out.push(s[i..j].iter().collect());
            i = j;
            continue;
        }
        // A word, possibly hyphenated: the shortest run of non-space
        // characters that ends at a space, at the end, before an em-dash,
        // or just after a hyphen between letters.
        let mut j = i + 1;
        let end = loop {
            if j == n || is_ws(s[j]) {
                break j;
            }
            if s[j] == '-' {
                let behind = (j >= 2 && is_letter(s[j - 2]) && is_letter(s[j - 1]))
                    || (j >= 3 && is_letter(s[j - 3]) && s[j - 2] == '-' && is_letter(s[j - 1]));
                let ahead = j + 1 < n
                    && is_letter(s[j + 1])
                    && ((j + 2 < n && is_letter(s[j + 2])) || (j + 3 < n && s[j + 2] == '-' && is_letter(s[j + 3])));
                if behind && ahead {
                    break j + 1;
                }
                if is_word_punct(s[j - 1]) && em_dash_at(s, j) {
                    break j;
                }
            }
            j += 1;
        };
        out.push(s[i..end].iter().collect());
        i = end;
    }
    out
}

/// Python's `str.expandtabs(8)` on one line.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let spaces = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', spaces));
            col += spaces;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

fn blank(chunk: &str) -> bool {
    chunk.chars().all(char::is_whitespace)
}

/// `textwrap.wrap(line, width, initial_indent=indent,
/// subsequent_indent=indent, break_long_words=False,
/// replace_whitespace=False)`.
pub fn wrap_line(line: &str, width: usize, indent: &str) -> Vec<String> {
    let text: Vec<char> = expand_tabs(line).chars().collect();
    let mut chunks = chunks(&text);
    chunks.reverse();
    let room = width.saturating_sub(indent.chars().count());
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut cur_len = 0;
        // Drop white space at the start of every line but the first.
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(next) = chunks.last() {
            let len = next.chars().count();
            if cur_len + len <= room {
                cur_len += len;
                cur.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        // A word longer than a whole line goes on a line of its own,
        // unbroken.
        if chunks.last().is_some_and(|c| c.chars().count() > room) && cur.is_empty() {
            cur.push(chunks.pop().unwrap_or_default());
        }
        if cur.last().is_some_and(|c| blank(c)) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(format!("{indent}{}", cur.concat()));
        }
    }
    lines
}

/// Python's `str.splitlines()`.
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break =
            matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}');
        if is_break {
            out.push(&text[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' {
                if let Some((j, '\n')) = chars.peek().copied() {
                    chars.next();
                    next = j + 1;
                }
            }
            start = next;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// oslo-config-generator's `_format_help`: every line of `text` wrapped to
/// `width` columns as `# ` comments; an empty line becomes `#`. Each line
/// ends with `\n`.
pub fn comment_block(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in split_lines(text) {
        let wrapped = wrap_line(line, width, "# ");
        if wrapped.is_empty() {
            out.push('#');
        } else {
            out.push_str(&wrapped.join("\n"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        chunks(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn chunks_like_textwrap() {
        // The example in textwrap's own source.
        assert_eq!(
            split("Hello there -- you goof-ball, use the -b option!"),
            [
                "Hello", " ", "there", " ", "--", " ", "you", " ", "goof-", "ball,", " ", "use", " ", "the", " ", "-b",
                " ", "option!"
            ]
        );
        assert_eq!(
            split("end-user x-y ab-c re-re-do"),
            ["end-", "user", " ", "x-y", " ", "ab-c", " ", "re-", "re-", "do"]
        );
        assert_eq!(split("what--ever"), ["what", "--", "ever"]);
        assert_eq!(split("1-2-3 a  b"), ["1-2-3", " ", "a", "  ", "b"]);
    }

    #[test]
    fn wraps_like_oslo() {
        let help = "When set to True, service tokens must contain a role from the service_token_roles list to \
                    be considered valid. This prevents end-user tokens from being used as service tokens.";
        assert_eq!(
            comment_block(help, 70),
            "# When set to True, service tokens must contain a role from the\n\
             # service_token_roles list to be considered valid. This prevents end-\n\
             # user tokens from being used as service tokens.\n"
        );
        assert_eq!(comment_block("a\n\nb", 70), "# a\n#\n# b\n");
        assert_eq!(comment_block("   ", 70), "#\n");
        let long = "x".repeat(100);
        assert_eq!(comment_block(&format!("a {long} b"), 70), format!("# a\n# {long}\n# b\n"));
    }

    #[test]
    fn splitlines_like_python() {
        assert_eq!(split_lines("a\nb\r\nc\rd\n"), ["a", "b", "c", "d"]);
        assert_eq!(split_lines(""), Vec::<&str>::new());
        assert_eq!(split_lines("\n"), [""]);
    }
}
