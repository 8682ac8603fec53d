//! Glob matching as `github.com/bmatcuk/doublestar` v1.3.4 `Match` does (the version Harbor
//! v2.15.2 pins in `src/go.mod`), which Harbor's `lib/selector/selectors/doublestar` uses for
//! retention and immutability patterns: `/` separates components, `**` as a whole component
//! matches any number of components, `*` any run within one, `?` one character, `[...]` a class
//! (`^` or `!` negates, `a-z` ranges), `{a,b}` alternatives, `\` escapes.

/// `doublestar.Match(pattern, name)`; a malformed pattern (`ErrBadPattern` in Go) is `Err`.
/// Harbor's `match` treats an empty pattern as matching everything; that is the caller's job.
pub fn matches(pattern: &str, name: &str) -> Result<bool, String> {
    for alternative in expand_braces(pattern)? {
        let pattern_parts = split(&alternative);
        let name_parts: Vec<&str> = name.split('/').collect();
        if match_components(&pattern_parts, &name_parts)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Splits on `/` outside escapes and classes.
fn split(pattern: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = parts.last_mut().unwrap();
                last.push('\\');
                if let Some(n) = chars.next() {
                    last.push(n);
                }
            }
            '[' => {
                in_class = true;
                parts.last_mut().unwrap().push(c);
            }
            ']' => {
                in_class = false;
                parts.last_mut().unwrap().push(c);
            }
            '/' if !in_class => parts.push(String::new()),
            _ => parts.last_mut().unwrap().push(c),
        }
    }
    parts
}

/// `{a,b}` alternatives expanded into whole patterns (nested braces included).
fn expand_braces(pattern: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '{' => {
                let mut depth = 0;
                let mut j = i;
                let mut splits = Vec::new();
                loop {
                    if j >= chars.len() {
                        return Err("syntax error in pattern".into());
                    }
                    match chars[j] {
                        '\\' => j += 1,
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => splits.push(j),
                        _ => {}
                    }
                    j += 1;
                }
                let prefix: String = chars[..i].iter().collect();
                let suffix: String = chars[j + 1..].iter().collect();
                let mut bounds = vec![i];
                bounds.extend(splits);
                bounds.push(j);
                let mut out = Vec::new();
                for w in bounds.windows(2) {
                    let middle: String = chars[w[0] + 1..w[1]].iter().collect();
                    out.extend(expand_braces(&format!("{prefix}{middle}{suffix}"))?);
                }
                return Ok(out);
            }
            _ => i += 1,
        }
    }
    Ok(vec![pattern.to_string()])
}

fn match_components(pattern: &[String], name: &[&str]) -> Result<bool, String> {
    let Some((first, rest)) = pattern.split_first() else {
        return Ok(name.is_empty());
    };
    if first == "**" {
        // A trailing `**` takes whatever is left; otherwise try every suffix of the name.
        if rest.is_empty() {
            return Ok(true);
        }
        for skip in 0..=name.len() {
            if match_components(rest, &name[skip..])? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    let Some((head, tail)) = name.split_first() else {
        return Ok(false);
    };
    let p: Vec<char> = first.chars().collect();
    let n: Vec<char> = head.chars().collect();
    Ok(match_component(&p, &n)? && match_components(rest, tail)?)
}

/// One component: `*`, `?`, classes and escapes (a `**` inside a component acts as `*`).
fn match_component(p: &[char], n: &[char]) -> Result<bool, String> {
    let Some((&c, rest)) = p.split_first() else {
        return Ok(n.is_empty());
    };
    match c {
        '*' => {
            for skip in 0..=n.len() {
                if match_component(rest, &n[skip..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => Ok(!n.is_empty() && match_component(rest, &n[1..])?),
        '[' => {
            let close = rest
                .iter()
                .position(|&x| x == ']')
                .ok_or("syntax error in pattern")?;
            let class = &rest[..close];
            let Some(&ch) = n.first() else {
                return Ok(false);
            };
            let (negate, class) = match class.first() {
                Some('^' | '!') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= ch && ch <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == ch;
                    i += 1;
                }
            }
            Ok(hit != negate && match_component(&rest[close + 1..], &n[1..])?)
        }
        '\\' => {
            let (&lit, rest) = rest.split_first().ok_or("syntax error in pattern")?;
            Ok(n.first() == Some(&lit) && match_component(rest, &n[1..])?)
        }
        _ => Ok(n.first() == Some(&c) && match_component(rest, &n[1..])?),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn doublestar_v1_semantics() {
        for (pattern, name, want) in [
            ("**", "nginx", true),
            ("**", "team/tool", true),
            ("*", "team/tool", false),
            ("team/*", "team/tool", true),
            ("team/**", "team/a/b", true),
            ("**/tool", "team/tool", true),
            ("**/tool", "tool", true),
            ("v1.*", "v1.2", true),
            ("v1.*", "v2.0", false),
            ("{latest,snapshot}", "snapshot", true),
            ("{latest,snapshot}", "stable", false),
            ("v[0-9]", "v7", true),
            ("v[!0-9]", "v7", false),
            ("?a", "ba", true),
            ("rel-\\*", "rel-*", true),
            ("rel-\\*", "rel-x", false),
        ] {
            assert_eq!(matches(pattern, name), Ok(want), "{pattern} vs {name}");
        }
        assert!(matches("{a,b", "a").is_err());
    }
}
