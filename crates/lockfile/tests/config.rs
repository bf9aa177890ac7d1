//! Registry configuration of Yarn (`.yarnrc.yml`, `.yarnrc`) and Bun (`bunfig.toml`).

use std::fs;

use sigverify_lockfile::{manager_config_with_env, Auth, Manager, Secret};

fn env(name: &str) -> Option<String> {
    match name {
        "CORP_TOKEN" => Some("s3cr3t-corp".into()),
        "NPM_TOKEN" => Some("s3cr3t-npm".into()),
        _ => None,
    }
}

#[test]
fn yarnrc_yml_registries_scopes_tokens_and_env() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".yarnrc.yml"),
        "nodeLinker: node-modules\nnpmRegistryServer: \"https://registry.corp.example\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\nnpmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.corp.example/\"\n    npmAuthToken: \"${CORP_TOKEN}\"\n  other:\n    npmAuthIdent: \"user:${MISSING:-pw}\"\nnpmRegistries:\n  \"//npm.corp.example\":\n    npmAlwaysAuth: false\n",
    )
    .unwrap();
    let config = manager_config_with_env(dir.path(), Manager::YarnBerry, &env).unwrap();
    let default = &config.default_registry;
    assert_eq!(
        default.url.as_deref(),
        Some("https://registry.corp.example")
    );
    assert_eq!(default.auth, Some(Auth::Token(Secret::new("s3cr3t-npm"))));
    assert_eq!(default.always_auth, Some(true));
    let corp = config.registry_for("@corp/pkg");
    assert_eq!(corp.url.as_deref(), Some("https://npm.corp.example/"));
    assert_eq!(corp.auth, Some(Auth::Token(Secret::new("s3cr3t-corp"))));
    let other = &config.scopes["@other"];
    assert_eq!(
        other.auth,
        Some(Auth::Basic {
            username: "user".into(),
            password: Secret::new("pw")
        })
    );
    // A scope without its own server uses the default registry.
    assert_eq!(config.registry_for("@other/x").url, default.url);
    assert_eq!(
        config.registries["//npm.corp.example"].always_auth,
        Some(false)
    );
    let printed = format!("{config:?}");
    assert!(!printed.contains("s3cr3t"), "{printed}");
    assert_eq!(config.files, vec![dir.path().join(".yarnrc.yml")]);
}

#[test]
fn yarnrc_yml_errors_name_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmAuthToken: \"${NOPE}\"\n",
    )
    .unwrap();
    let err = manager_config_with_env(dir.path(), Manager::YarnBerry, &env).unwrap_err();
    assert_eq!(err.code(), "EMANAGERCONFIG");
    assert!(
        err.to_string()
            .ends_with(".yarnrc.yml:1:15: npmAuthToken: environment variable NOPE is not set"),
        "{err}"
    );
    fs::write(dir.path().join(".yarnrc.yml"), "npmScopes: [\n").unwrap();
    let err = manager_config_with_env(dir.path(), Manager::YarnBerry, &env).unwrap_err();
    assert_eq!(err.code(), "EMANAGERCONFIG");
}

#[test]
fn yarnrc_classic_registries() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".yarnrc"),
        "registry \"https://r.example/\"\n\"@corp:registry\" \"https://c.example/\"\n",
    )
    .unwrap();
    let config = manager_config_with_env(dir.path(), Manager::Yarn, &env).unwrap();
    assert_eq!(
        config.default_registry.url.as_deref(),
        Some("https://r.example/")
    );
    assert_eq!(
        config.scopes["@corp"].url.as_deref(),
        Some("https://c.example/")
    );
}

#[test]
fn bunfig_registry_string_or_table_and_scopes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bunfig.toml"),
        "[install]\nregistry = { url = \"https://registry.corp.example/\", token = \"$NPM_TOKEN\" }\n\n[install.scopes]\ncorp = { token = \"${CORP_TOKEN}\", url = \"https://npm.corp.example/\" }\n\"@other\" = \"https://other.example/\"\nbasic = { username = \"u\", password = \"p\", url = \"https://b.example/\" }\n",
    )
    .unwrap();
    let config = manager_config_with_env(dir.path(), Manager::Bun, &env).unwrap();
    assert_eq!(
        config.default_registry.url.as_deref(),
        Some("https://registry.corp.example/")
    );
    assert_eq!(
        config.default_registry.auth,
        Some(Auth::Token(Secret::new("s3cr3t-npm")))
    );
    assert_eq!(
        config.scopes["@corp"].auth,
        Some(Auth::Token(Secret::new("s3cr3t-corp")))
    );
    assert_eq!(
        config.registry_for("@other/x").url.as_deref(),
        Some("https://other.example/")
    );
    assert!(
        matches!(&config.scopes["@basic"].auth, Some(Auth::Basic { username, .. }) if username == "u")
    );
    assert!(!format!("{config:?}").contains("s3cr3t"));
    fs::write(
        dir.path().join("bunfig.toml"),
        "[install]\nregistry = \"https://plain.example/\"\n",
    )
    .unwrap();
    let config = manager_config_with_env(dir.path(), Manager::Bun, &env).unwrap();
    assert_eq!(
        config.default_registry.url.as_deref(),
        Some("https://plain.example/")
    );
    assert_eq!(config.default_registry.auth, None);
}

#[test]
fn bunfig_errors_have_positions() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bunfig.toml"), "[install]\nregistry = \n").unwrap();
    let err = manager_config_with_env(dir.path(), Manager::Bun, &env).unwrap_err();
    assert_eq!(err.code(), "EMANAGERCONFIG");
    assert!(err.to_string().contains("bunfig.toml:2:"), "{err}");
    fs::write(dir.path().join("bunfig.toml"), "[install]\nregistry = 7\n").unwrap();
    let err = manager_config_with_env(dir.path(), Manager::Bun, &env).unwrap_err();
    assert!(
        err.to_string()
            .contains("install.registry: expected a URL or a table"),
        "{err}"
    );
}

#[test]
fn npm_and_pnpm_use_npmrc() {
    let dir = tempfile::tempdir().unwrap();
    for m in [Manager::Npm, Manager::Pnpm] {
        assert_eq!(
            manager_config_with_env(dir.path(), m, &env).unwrap(),
            Default::default()
        );
    }
}
