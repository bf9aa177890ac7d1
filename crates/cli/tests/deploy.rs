//! `deploy/`: every Kubernetes manifest validates against the schema of the API fields it uses
//! (deploy/schemas, unknown keys are errors), and the pieces agree with each other and with the
//! binary: flags and environment variables `serve` really reads, probe paths and ports, the
//! Service's selector and ports, the HPA's target with CPU and memory requests to scale on, the
//! Secret keys and the ConfigMap policy (which must load), and the Dockerfile's build and ports.
//! (Docker itself is not available where these tests run; the image is built in CI elsewhere.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Real(r) => r.parse::<f64>().map_or(Value::Null, |f| json!(f)),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or("?").to_string(), to_json(v)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Every document of deploy/kubernetes, by `kind/name`.
fn manifests() -> BTreeMap<String, Value> {
    let dir = root().join("deploy/kubernetes");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in
            YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        {
            let value = to_json(&doc);
            let name = value["metadata"]["name"]
                .as_str()
                .unwrap_or("-")
                .to_string();
            out.insert(format!("{}/{name}", value["kind"].as_str().unwrap()), value);
        }
    }
    out
}

#[test]
fn every_manifest_validates_against_the_api_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("deploy/schemas/kubernetes-subset.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let all = manifests();
    assert!(all.len() >= 8, "{:?}", all.keys());
    for (id, doc) in &all {
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{id}: {errors:#?}");
    }
    // The schema is not a rubber stamp: a misspelt field fails.
    let mut wrong = all["Deployment/npm-sigverify"].clone();
    wrong["spec"]["template"]["spec"]["containers"][0]["resource"] = json!({});
    assert!(!validator.is_valid(&wrong));
}

fn serve_help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_npm-sigverify"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_deployment_uses_only_flags_and_variables_serve_reads() {
    let all = manifests();
    let container = &all["Deployment/npm-sigverify"]["spec"]["template"]["spec"]["containers"][0];
    let help = serve_help();
    for arg in container["args"].as_array().unwrap() {
        let arg = arg.as_str().unwrap();
        if arg.starts_with("--") {
            assert!(help.contains(arg), "serve has no {arg}");
        }
    }
    let read_directly = ["NPM_SIGVERIFY_CACHE_KEY", "NPM_SIGVERIFY_UPSTREAM_TOKEN"];
    for env in container["env"].as_array().unwrap() {
        let name = env["name"].as_str().unwrap();
        assert!(
            help.contains(&format!("[env: {name}=")) || read_directly.contains(&name),
            "serve does not read {name}"
        );
    }
}

#[test]
fn probes_ports_service_and_autoscaler_agree() {
    let all = manifests();
    let deployment = &all["Deployment/npm-sigverify"];
    let pod = &deployment["spec"]["template"];
    let container = &pod["spec"]["containers"][0];
    let ports: BTreeMap<&str, i64> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["containerPort"].as_i64().unwrap(),
            )
        })
        .collect();
    let env = |name: &str| {
        container["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        env("NPM_SIGVERIFY_OPS_LISTEN").unwrap(),
        format!("0.0.0.0:{}", ports["ops"])
    );
    assert_eq!(
        env("NPM_SIGVERIFY_LISTEN").unwrap(),
        format!("0.0.0.0:{}", ports["registry"])
    );
    for (probe, path) in [
        ("startupProbe", "/healthz"),
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
    ] {
        assert_eq!(container[probe]["httpGet"]["path"], path, "{probe}");
        assert_eq!(container[probe]["httpGet"]["port"], "ops", "{probe}");
    }
    let service = &all["Service/npm-sigverify"];
    for (key, value) in service["spec"]["selector"].as_object().unwrap() {
        assert_eq!(
            &pod["metadata"]["labels"][key], value,
            "the Service selects no pod"
        );
    }
    for port in service["spec"]["ports"].as_array().unwrap() {
        assert!(ports.contains_key(port["targetPort"].as_str().unwrap()));
    }
    let hpa = &all["HorizontalPodAutoscaler/npm-sigverify"]["spec"];
    assert_eq!(
        hpa["scaleTargetRef"]["name"],
        deployment["metadata"]["name"]
    );
    let scaled: Vec<&str> = hpa["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(scaled, ["cpu", "memory"]);
    for resource in ["cpu", "memory"] {
        assert!(
            container["resources"]["requests"][resource].is_string(),
            "utilization needs a {resource} request"
        );
    }
}

#[test]
fn secrets_and_the_policy_config_map_are_wired_and_the_policy_loads() {
    let all = manifests();
    let pod = &all["Deployment/npm-sigverify"]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let secret = &all["Secret/npm-sigverify-secrets"]["stringData"];
    for env in container["env"].as_array().unwrap() {
        if let Some(reference) = env["valueFrom"]["secretKeyRef"].as_object() {
            assert_eq!(reference["name"], "npm-sigverify-secrets");
            assert!(
                secret.get(reference["key"].as_str().unwrap()).is_some(),
                "{env}"
            );
        }
    }
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let policy_path = args[args.iter().position(|a| *a == "--policy").unwrap() + 1];
    let mount = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "policy")
        .unwrap();
    let key = policy_path
        .strip_prefix(&format!("{}/", mount["mountPath"].as_str().unwrap()))
        .expect("the policy is in the mounted ConfigMap");
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "policy")
        .unwrap();
    let config_map = &all[&format!(
        "ConfigMap/{}",
        volume["configMap"]["name"].as_str().unwrap()
    )];
    let text = config_map["data"][key]
        .as_str()
        .expect("the ConfigMap holds the policy file");
    sigverify_policy::load_str(key, text, sigverify_policy::Format::Yaml)
        .expect("the ConfigMap's policy loads");
}

#[test]
fn the_dockerfile_builds_this_binary_and_runs_serve_on_the_manifests_ports() {
    let text = std::fs::read_to_string(root().join("deploy/Dockerfile")).unwrap();
    assert!(text.contains("-p sigverify-cli --bin npm-sigverify"));
    let cli = std::fs::read_to_string(root().join("crates/cli/Cargo.toml")).unwrap();
    assert!(cli.contains("name = \"sigverify-cli\"") && cli.contains("name = \"npm-sigverify\""));
    assert!(text.contains("ENTRYPOINT [\"/usr/local/bin/npm-sigverify\", \"serve\"]"));
    assert!(text.contains("STOPSIGNAL SIGTERM"));
    assert!(text.contains("EXPOSE 8080 8081"));
    assert!(
        text.contains("NPM_SIGVERIFY_LISTEN=0.0.0.0:8080")
            && text.contains("NPM_SIGVERIFY_OPS_LISTEN=0.0.0.0:8081")
    );
    // The build context is the repository: build outputs and installed modules stay out.
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    for excluded in ["target", "node_modules", ".git", "*.node"] {
        assert!(
            ignore.lines().any(|l| l == excluded),
            ".dockerignore lacks {excluded}"
        );
    }
    let kustomization = &manifests()["Kustomization/-"];
    let listed: Vec<&str> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for entry in std::fs::read_dir(root().join("deploy/kubernetes")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            file == "kustomization.yaml" || listed.contains(&file.as_str()),
            "{file} is not in the kustomization"
        );
    }
}
