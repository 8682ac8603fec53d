//! The `provider "harbor"` block through the real `terraform`: the Go provider's documented block,
//! environment variables, and one clear diagnostic for each way connecting can fail (bad
//! credentials, an unreachable or silent host, an untrusted certificate, bad arguments).

use std::time::{Duration, Instant};

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn project(name: &str) -> String {
    format!("resource \"harbor_project\" \"p\" {{\n  name = \"{name}\"\n}}\n")
}

fn plan_error(wd: &Workdir) -> String {
    wd.expect_failure(&["plan", "-no-color", "-input=false"])
}

/// The number of `Error:` diagnostics Terraform printed.
fn error_count(text: &str) -> usize {
    text.matches("Error: ").count()
}

#[test]
fn go_provider_documentation_block_validates_unchanged() {
    for_each_terraform(|tf| {
        let wd = Workdir::new(tf);
        wd.write_config(&format!(
            "{}{}",
            required_providers(),
            r#"
provider "harbor" {
  url      = "https://harbor.aceme_corpartion.com"
  username = "insert_admin_username_here"
  password = "insert_password_here"
}

resource "harbor_project" "main" {
  name = "main"
}
"#
        ));
        wd.validate();
    });
}

#[test]
fn environment_variables_configure_an_empty_provider_block() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let name = unique("envcfg");
        let mut wd = Workdir::new(tf);
        wd.env("HARBOR_URL", &h.url)
            .env("HARBOR_USERNAME", &h.username)
            .env("HARBOR_PASSWORD", &h.password);
        wd.write_config(&format!(
            "{}provider \"harbor\" {{}}\n{}",
            required_providers(),
            project(&name)
        ));
        wd.apply();
        assert_eq!(h.status(&format!("/projects/{name}")), 200);
        wd.destroy();
        assert_eq!(h.status(&format!("/projects/{name}")), 404);
    });
}

#[test]
fn bad_credentials_give_one_diagnostic_naming_them() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        // Not the admin's name: on a real Harbor a failed login locks that user for 1.5 s
        // (`core/auth/authenticator.go` `frozenTime`), refusing even the right password, and
        // the tests running beside this one log in as the admin.
        wd.write_config(&format!(
            "{}provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{}\"\n  password = \"wrong-password\"\n}}\n{}",
            required_providers(),
            h.url,
            unique("nobody"),
            project(&unique("badcreds"))
        ));
        let err = plan_error(&wd);
        assert_eq!(error_count(&err), 1, "exactly one error:\n{err}");
        assert!(err.contains("credentials"), "{err}");
        assert!(
            err.contains("username") && err.contains("password"),
            "{err}"
        );
        assert!(
            !err.contains("wrong-password"),
            "the password is echoed:\n{err}"
        );
    });
}

fn timed_config(url: &str) -> String {
    format!(
        "{}provider \"harbor\" {{\n  url             = \"{url}\"\n  username        = \"admin\"\n  password        = \"Harbor12345\"\n  request_timeout = 5\n  max_retries     = 1\n}}\n{}",
        required_providers(),
        project("unreachable")
    )
}

#[test]
fn unreachable_harbor_fails_clearly_within_the_timeout() {
    for_each_terraform(|tf| {
        // A closed port: connections are refused at once.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let wd = Workdir::new(tf);
        wd.write_config(&timed_config(&format!("http://127.0.0.1:{port}")));
        let started = Instant::now();
        let err = plan_error(&wd);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(error_count(&err), 1, "{err}");
        assert!(err.contains("unreachable") && err.contains("url"), "{err}");

        // A host that accepts connections and never answers: bounded by request_timeout.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        wd.write_config(&timed_config(&format!("http://127.0.0.1:{port}")));
        let started = Instant::now();
        let err = plan_error(&wd);
        let took = started.elapsed();
        drop(silent);
        assert!(took < Duration::from_secs(30), "hung for {took:?}:\n{err}");
        assert!(
            took >= Duration::from_secs(4),
            "gave up before request_timeout: {took:?}\n{err}"
        );
        assert_eq!(error_count(&err), 1, "{err}");
        assert!(err.contains("url"), "{err}");
    });
}

/// A private CA and a certificate for 127.0.0.1 signed by it, as PEM files in `dir`.
fn private_pki(dir: &std::path::Path) -> (harbor_emulator::TlsFiles, std::path::PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let cert = dir.join("harbor.pem");
    let key = dir.join("harbor-key.pem");
    let ca_path = dir.join("ca.pem");
    std::fs::write(&cert, leaf.pem()).unwrap();
    std::fs::write(&key, leaf_key.serialize_pem()).unwrap();
    std::fs::write(&ca_path, ca.pem()).unwrap();
    (
        harbor_emulator::TlsFiles {
            cert_pem_path: cert,
            key_pem_path: key,
        },
        ca_path,
    )
}

#[test]
fn tls_with_a_private_ca_is_refused_by_default_and_accepted_when_configured() {
    for_each_terraform(|tf| {
        let pki_dir = tempfile::tempdir().unwrap();
        let (files, ca) = private_pki(pki_dir.path());
        let h = Harbor::emulator_because(
            "serves TLS with a private CA made by the test",
            harbor_emulator::Config {
                tls: Some(files),
                ..Default::default()
            },
        );
        assert!(h.url.starts_with("https://"), "{}", h.url);
        let block = |extra: &str, name: &str| {
            format!(
                "{}provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{}\"\n  password = \"{}\"\n{extra}}}\n{}",
                required_providers(),
                h.url,
                h.username,
                h.password,
                project(name)
            )
        };

        let wd = Workdir::new(tf);
        wd.write_config(&block("", "tls-default"));
        let err = plan_error(&wd);
        assert_eq!(error_count(&err), 1, "{err}");
        assert!(
            err.contains("ca_certificate") && err.contains("insecure"),
            "{err}"
        );

        let wd = Workdir::new(tf);
        wd.write_config(&block(
            &format!("  ca_certificate = file(\"{}\")\n", ca.display()),
            "tls-ca",
        ));
        wd.apply();
        assert_eq!(
            wd.resource_values("harbor_project.p")["name"],
            "tls-ca",
            "created over verified TLS"
        );
        wd.destroy();

        let wd = Workdir::new(tf);
        wd.write_config(&block("  insecure = true\n", "tls-insecure"));
        wd.apply();
        assert!(
            wd.resource_values("harbor_project.p")["project_id"]
                .as_i64()
                .is_some()
        );
        wd.destroy();
    });
}

#[test]
fn bad_arguments_fail_at_plan_time_naming_the_argument() {
    for_each_terraform(|tf| {
        let wd = Workdir::new(tf);
        // Nothing listens here: these must fail before any connection is tried.
        let with = |args: &str| {
            format!(
                "{}provider \"harbor\" {{\n{args}  username = \"admin\"\n  password = \"Harbor12345\"\n}}\n{}",
                required_providers(),
                project("never")
            )
        };
        wd.write_config(&with(
            "  url         = \"https://harbor.example.com\"\n  api_version = 1\n",
        ));
        let err = plan_error(&wd);
        assert!(
            err.contains("api_version") && err.contains("v1 is not supported"),
            "{err}"
        );
        let err = wd.expect_failure(&["validate", "-no-color"]);
        assert!(err.contains("api_version"), "validate too:\n{err}");

        wd.write_config(&with("  url = \"harbor.example.com\"\n"));
        let err = plan_error(&wd);
        assert!(err.contains("url") && err.contains("no scheme"), "{err}");
        assert!(err.contains("Invalid Harbor URL"), "{err}");
    });
}
