//! Our npm lifecycle hooks in a package.json text: add them (chained in front of the user's own
//! scripts) and take exactly them out again, keeping the file's formatting.

use serde::Serialize;
use serde_json::Value;

use crate::error::ManifestError;
use crate::jsonedit::{self, Layout, Object};

/// One of the lifecycle scripts we install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Hook {
    /// Runs before dependencies are installed on npm 12 (after them on npm 7-11).
    Preinstall,
    /// Runs after the whole install.
    Postinstall,
}

impl Hook {
    /// Both hooks, in the order they run.
    pub const ALL: [Hook; 2] = [Hook::Preinstall, Hook::Postinstall];

    /// The `scripts` key.
    pub fn key(self) -> &'static str {
        match self {
            Hook::Preinstall => "preinstall",
            Hook::Postinstall => "postinstall",
        }
    }

    /// Our command for this hook.
    pub fn command(self) -> &'static str {
        match self {
            // Nothing is extracted yet (npm 12): only the lockfile can be checked.
            Hook::Preinstall => "npm-sigverify verify --lockfile-only",
            Hook::Postinstall => "npm-sigverify verify",
        }
    }

    /// Ours first, then the user's script grouped in a subshell: whatever it holds (`|| true`,
    /// `; exit 0`), a failed verification stops npm before it runs. `cmd.exe` groups with the
    /// same parentheses.
    fn chained_prefix(self) -> String {
        format!("{} && (", self.command())
    }

    /// The form older versions wrote (`ours && theirs`), which `theirs` could turn into a
    /// success: it is regrouped on the next `init`.
    fn ungrouped_prefix(self) -> String {
        format!("{} && ", self.command())
    }

    fn chain(self, existing: &str) -> String {
        format!("{}{existing})", self.chained_prefix())
    }

    /// The user's script inside our chain, if `script` is one.
    fn unchain(self, script: &str) -> Option<String> {
        let inner = script.strip_prefix(&self.chained_prefix())?;
        inner.strip_suffix(')').map(str::to_string)
    }
}

/// What happened to one hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum HookChange {
    /// The script did not exist: ours was added.
    Added,
    /// The user had a script: ours now runs first, then theirs.
    Chained {
        /// The user's script.
        existing: String,
    },
    /// Ours was already there (first in the chain): nothing to do.
    AlreadyPresent,
    /// The script was exactly ours: it was removed.
    Removed,
    /// Ours was chained in front of the user's: only ours was taken out.
    Unchained {
        /// The user's script, which stays.
        kept: String,
    },
    /// Ours was not there: nothing to take out.
    NotPresent,
}

/// The edited text and what changed, per hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The new package.json text (identical to the input when nothing changed).
    pub text: String,
    /// One entry per hook, in [`Hook::ALL`] order.
    pub changes: Vec<(Hook, HookChange)>,
}

impl Edit {
    /// Whether the text differs from the input.
    pub fn changed(&self) -> bool {
        self.changes
            .iter()
            .any(|(_, c)| !matches!(c, HookChange::AlreadyPresent | HookChange::NotPresent))
    }
}

/// The user's current scripts, checked: a string or absent for each hook.
fn current_scripts(text: &str) -> Result<[Option<String>; 2], ManifestError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| ManifestError::Malformed(e.to_string()))?;
    let root = doc.as_object().ok_or(ManifestError::Field {
        field: "(root)".into(),
        expected: "an object",
    })?;
    let scripts = match root.get("scripts") {
        None => return Ok([None, None]),
        Some(Value::Object(s)) => s,
        Some(_) => {
            return Err(ManifestError::Field {
                field: "scripts".into(),
                expected: "an object",
            })
        }
    };
    let get = |hook: Hook| match scripts.get(hook.key()) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ManifestError::Field {
            field: format!("scripts.{}", hook.key()),
            expected: "a string",
        }),
    };
    Ok([get(Hook::Preinstall)?, get(Hook::Postinstall)?])
}

/// Adds our hooks to a package.json text (idempotent).
pub fn add_hooks(text: &str) -> Result<Edit, ManifestError> {
    let (bom, body) = split_bom(text);
    let current = current_scripts(body)?;
    let mut out = body.to_string();
    let mut changes = Vec::new();
    for (hook, existing) in Hook::ALL.into_iter().zip(current) {
        let (value, change) = match existing {
            None => (hook.command().to_string(), HookChange::Added),
            Some(s) if s == hook.command() || hook.unchain(&s).is_some() => {
                changes.push((hook, HookChange::AlreadyPresent));
                continue;
            }
            Some(s) => {
                let theirs = s
                    .strip_prefix(&hook.ungrouped_prefix())
                    .unwrap_or(&s)
                    .to_string();
                check_groupable(hook, &theirs)?;
                (
                    hook.chain(&theirs),
                    HookChange::Chained { existing: theirs },
                )
            }
        };
        out = set_script(&out, hook.key(), &value)?;
        changes.push((hook, change));
    }
    Ok(Edit {
        text: format!("{bom}{out}"),
        changes,
    })
}

/// Takes exactly our hooks out of a package.json text, leaving the user's scripts intact.
/// A `scripts` object left empty by this is removed too, so init + remove gives back the file.
pub fn remove_hooks(text: &str) -> Result<Edit, ManifestError> {
    let (bom, body) = split_bom(text);
    let current = current_scripts(body)?;
    let mut out = body.to_string();
    let mut changes = Vec::new();
    for (hook, existing) in Hook::ALL.into_iter().zip(current) {
        let change = match existing {
            Some(s) if s == hook.command() => {
                out = delete_script(&out, hook.key())?;
                HookChange::Removed
            }
            Some(s) if hook.unchain(&s).is_some() => {
                let kept = hook.unchain(&s).expect("checked");
                out = set_script(&out, hook.key(), &kept)?;
                HookChange::Unchained { kept }
            }
            Some(s) if s.starts_with(&hook.ungrouped_prefix()) => {
                let kept = s[hook.ungrouped_prefix().len()..].to_string();
                out = set_script(&out, hook.key(), &kept)?;
                HookChange::Unchained { kept }
            }
            _ => HookChange::NotPresent,
        };
        changes.push((hook, change));
    }
    Ok(Edit {
        text: format!("{bom}{out}"),
        changes,
    })
}

/// A script that cannot sit inside `( ... )` safely: a shell comment would swallow the closing
/// parenthesis, and a line break ends the command on Windows.
fn check_groupable(hook: Hook, script: &str) -> Result<(), ManifestError> {
    let comment = script.starts_with('#') || script.contains(" #") || script.contains("\t#");
    if comment || script.contains('\n') || !balanced(script) {
        return Err(ManifestError::Field {
            field: format!("scripts.{}", hook.key()),
            expected: "a script without shell comments, line breaks or unbalanced parentheses (npm-sigverify wraps it as `npm-sigverify ... && ( your script )`): change it, then run init again",
        });
    }
    Ok(())
}

/// True when every `(` outside quotes has its `)`, never closing more than it opened: an
/// unmatched `)` would end our group early and let the rest run after a failed verification.
fn balanced(script: &str) -> bool {
    let (mut depth, mut quote, mut escaped) = (0i32, None::<char>, false);
    for c in script.chars() {
        match (quote, c) {
            _ if escaped => escaped = false,
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && quote.is_none()
}

/// npm strips a UTF-8 byte order mark; keep it, but scan what follows.
fn split_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    }
}

/// The `scripts` object (created empty at the end of the root if missing), its layout and depth.
fn scripts_object(text: &str) -> Result<(String, Object, Layout), ManifestError> {
    let root = jsonedit::root(text)?;
    let layout = Layout::of(text, &root);
    let text = match root.find("scripts") {
        Some(_) => text.to_string(),
        None => jsonedit::insert(text, &root, 0, &layout, "scripts", "{}"),
    };
    let root = jsonedit::root(&text)?;
    let (_, member) = root
        .find("scripts")
        .ok_or_else(|| ManifestError::Malformed("scripts vanished".into()))?;
    let scripts = jsonedit::object_at(&text, member.value_start)?;
    Ok((text, scripts, layout))
}

fn set_script(text: &str, key: &str, value: &str) -> Result<String, ManifestError> {
    let (text, scripts, layout) = scripts_object(text)?;
    let value_json = serde_json::to_string(value).expect("a string serialises");
    Ok(match scripts.find(key) {
        Some((_, member)) => jsonedit::replace(&text, member, &value_json),
        None => jsonedit::insert(&text, &scripts, 1, &layout, key, &value_json),
    })
}

fn delete_script(text: &str, key: &str) -> Result<String, ManifestError> {
    let (text, scripts, _) = scripts_object(text)?;
    let Some((index, _)) = scripts.find(key) else {
        return Ok(text);
    };
    if scripts.members.len() > 1 {
        return Ok(jsonedit::remove(&text, &scripts, index));
    }
    // Our hook was the only script: drop the whole `scripts` member.
    let root = jsonedit::root(&text)?;
    let (at, _) = root.find("scripts").expect("scripts exists");
    Ok(jsonedit::remove(&text, &root, at))
}
