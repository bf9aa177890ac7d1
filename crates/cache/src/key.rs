//! Key derivation: verdict keys over named parts, and file names for the
//! disk cache.

use crate::Namespace;
use sha2::{Digest, Sha256};

/// Domain tag so a verdict key can never equal a hash of anything else.
const VERDICT_DOMAIN: &[u8] = b"npm-sigverify verdict-key v1\0";

/// Builds a verdict key: sha256 (hex) over a canonical encoding of named
/// parts, e.g. `[("package", "lodash@4.17.21"), ("integrity", ..),
/// ("evidence", ..), ("policy", ..), ("trust", ..), ("tool", "0.1.0")]`.
///
/// Canonical means: parts are sorted by name (then value), and every name
/// and value is length-prefixed, so neither the order the caller lists
/// them in nor where one string ends and the next begins can collide.
pub fn verdict_key(parts: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = parts.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    hasher.update(VERDICT_DOMAIN);
    hasher.update((sorted.len() as u64).to_be_bytes());
    for (name, value) in sorted {
        hash_field(&mut hasher, name.as_bytes());
        hash_field(&mut hasher, value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn hash_field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The sha256 hex name of a key's file: any registry URL or package name,
/// however hostile (`../`, NUL, 10 kB long), maps to 64 safe characters.
pub(crate) fn file_hash(ns: Namespace, key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(ns.as_str().as_bytes());
    hasher.update([0u8]);
    hasher.update(key.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: [(&str, &str); 6] = [
        ("package", "lodash@4.17.21"),
        ("integrity", "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="),
        ("evidence", "3f1c"),
        ("policy", "9a0b"),
        ("trust", "77aa"),
        ("tool", "0.1.0"),
    ];

    #[test]
    fn changing_any_one_part_changes_the_key() {
        let base = verdict_key(&BASE);
        assert_eq!(base.len(), 64);
        for i in 0..BASE.len() {
            let mut changed = BASE;
            let value = format!("{}x", changed[i].1);
            changed[i].1 = &value;
            assert_ne!(verdict_key(&changed), base, "value of part {i}");
            let mut renamed = BASE;
            let name = format!("{}x", renamed[i].0);
            renamed[i].0 = &name;
            assert_ne!(verdict_key(&renamed), base, "name of part {i}");
        }
        assert_ne!(verdict_key(&BASE[..5]), base, "dropped part");
    }

    #[test]
    fn order_does_not_matter_but_boundaries_do() {
        let mut reversed = BASE;
        reversed.reverse();
        assert_eq!(verdict_key(&reversed), verdict_key(&BASE));
        assert_ne!(verdict_key(&[("ab", "c")]), verdict_key(&[("a", "bc")]));
        assert_ne!(
            verdict_key(&[("a", "b"), ("c", "d")]),
            verdict_key(&[("a", "b\0c"), ("", "d")])
        );
    }

    #[test]
    fn file_hash_depends_on_namespace_and_is_path_safe() {
        let key = "https://registry.npmjs.org/../../etc/passwd\0";
        let a = file_hash(Namespace::Packument, key);
        assert_ne!(a, file_hash(Namespace::Keys, key));
        assert!(a.len() == 64 && a.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
