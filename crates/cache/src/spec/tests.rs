use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn explicit_spec_wins_over_env_and_empty_env_is_ignored() {
    let e = env(&[(CACHE_ENV, "redis://ci-cache:6379")]);
    assert_eq!(spec_from_env(Some("off"), &e).as_deref(), Some("off"));
    assert_eq!(
        spec_from_env(None, &e).as_deref(),
        Some("redis://ci-cache:6379")
    );
    assert_eq!(spec_from_env(None, &env(&[(CACHE_ENV, " ")])), None);
    assert_eq!(spec_from_env(None, &env(&[])), None);
}

#[test]
fn specs_parse_into_backends() {
    let e = env(&[("HOME", "/home/u")]);
    let parse = |s| CacheSpec::parse(s, &e);
    assert_eq!(parse(Some("off")).unwrap(), CacheSpec::Off);
    assert_eq!(parse(Some("NONE")).unwrap(), CacheSpec::Off);
    assert_eq!(
        parse(Some("/tmp/c")).unwrap(),
        CacheSpec::Disk("/tmp/c".into())
    );
    assert_eq!(
        parse(Some("rel/dir")).unwrap(),
        CacheSpec::Disk("rel/dir".into())
    );
    let CacheSpec::Redis(target) = parse(Some("redis://127.0.0.1:6390/3")).unwrap() else {
        panic!("not redis");
    };
    assert_eq!(target.db(), 3);
    for bad in ["", "ftp://x", "redis://h:1/x", "redis://h:1/-1", "redis://"] {
        let err = parse(Some(bad)).unwrap_err();
        assert_eq!(err.code(), "ECACHESPEC", "{bad}");
    }
}

#[test]
fn default_dirs_follow_each_os_convention() {
    let e = env(&[
        ("HOME", "/home/u"),
        ("LOCALAPPDATA", r"C:\Users\u\AppData\Local"),
    ]);
    let linux = default_dir_for("linux", &e).unwrap();
    assert_eq!(linux, PathBuf::from("/home/u/.cache/npm-sigverify"));
    let xdg = env(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/x/cache")]);
    assert_eq!(
        default_dir_for("linux", &xdg).unwrap(),
        PathBuf::from("/x/cache/npm-sigverify")
    );
    // A relative XDG_CACHE_HOME is invalid per the spec and ignored.
    let rel = env(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "rel")]);
    assert_eq!(default_dir_for("linux", &rel).unwrap(), linux);
    let mac = default_dir_for("macos", &e).unwrap();
    assert_eq!(mac, PathBuf::from("/home/u/Library/Caches/npm-sigverify"));
    let win = default_dir_for("windows", &e).unwrap();
    assert!(win.ends_with("npm-sigverify") && win.starts_with(r"C:\Users\u\AppData\Local"));
    assert_eq!(
        default_dir_for("linux", &env(&[])).unwrap_err().code(),
        "ECACHEDIR"
    );
}

#[test]
fn password_never_shows_in_debug_display_or_errors() {
    let target = RedisTarget::parse("redis://user:s3cr%40t@cache.internal:6379/2").unwrap();
    for shown in [format!("{target}"), format!("{target:?}")] {
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains("cache.internal:6379/2"), "{shown}");
    }
    assert_eq!(
        target.redact("auth s3cr@t and s3cr%40t failed"),
        "auth *** and *** failed"
    );
    let err = CacheSpec::parse(Some("redis://:hunter2@h:1/notadb"), &env(&[])).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("hunter2"), "{text}");
    let err = CacheSpec::parse(Some("rediss://:hunter2@h:1/x"), &env(&[])).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"));
}
