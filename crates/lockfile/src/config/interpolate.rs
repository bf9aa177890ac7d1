//! `${VAR}` references in configuration values, expanded from the environment.

/// Expands `${NAME}`, `${NAME:-fallback}` and `${NAME-fallback}` (Yarn's forms; Bun's `$NAME`
/// when `bare` is set). A variable that is not set and has no fallback is an error.
pub(crate) fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    bare: bool,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or("unterminated ${")?;
            out.push_str(&expand(&body[..end], env)?);
            rest = &body[end + 1..];
        } else if bare {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..len];
            match name.is_empty() {
                true => out.push('$'),
                false => out
                    .push_str(&env(name).ok_or(format!("environment variable {name} is not set"))?),
            }
            rest = &after[len..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn expand(body: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, fallback) = match body.split_once(":-").or_else(|| body.split_once('-')) {
        Some((n, f)) => (n, Some(f)),
        None => (body, None),
    };
    let value = env(name).filter(|v| !(v.is_empty() && body.contains(":-")));
    value
        .or(fallback.map(str::to_string))
        .ok_or(format!("environment variable {name} is not set"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation() {
        let env = |n: &str| (n == "TOKEN").then(|| "t0k".to_string());
        assert_eq!(interpolate("${TOKEN}", &env, false).unwrap(), "t0k");
        assert_eq!(interpolate("a-${NOPE:-fb}", &env, false).unwrap(), "a-fb");
        assert_eq!(interpolate("$TOKEN/x", &env, true).unwrap(), "t0k/x");
        assert_eq!(interpolate("$TOKEN", &env, false).unwrap(), "$TOKEN");
        assert!(interpolate("${NOPE}", &env, false)
            .unwrap_err()
            .contains("NOPE"));
    }
}
