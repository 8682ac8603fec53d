//! Secrets never reach a log line or Terraform's output: an apply and a plan at `TF_LOG=TRACE`
//! (Terraform's log and the provider's, in one file), with a robot secret, a registry secret,
//! a user's password, a webhook's auth header, a preheat instance's token and the provider
//! password, are searched for every one of them.

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

const PROVIDER_PASSWORD: &str = "Pr0viderPassw0rd7";
const ROBOT_SECRET: &str = "S3cretRobot123";
const ROBOT_SECRET_2: &str = "S3cretRobot456";
const REGISTRY_SECRET: &str = "R3gistrySecret9";
const REGISTRY_SECRET_2: &str = "R3gistrySecret8";
/// The secrets of the types added later, one per round: (user password, webhook header, preheat token).
const LATER: [(&str, &str, &str); 2] = [
    ("Us3rPassw0rdA1", "Bearer W3bhookTokenA", "Pr3heatTokenA"),
    ("Us3rPassw0rdB2", "Bearer W3bhookTokenB", "Pr3heatTokenB"),
];

fn config(
    h: &Harbor,
    project: &str,
    robot_secret: &str,
    registry_secret: &str,
    round: usize,
) -> String {
    let (user_password, webhook_header, preheat_token) = LATER[round];
    format!(
        r#"{}provider "harbor" {{
  url      = "{}"
  username = "admin"
  password = "{PROVIDER_PASSWORD}"
}}

resource "harbor_project" "p" {{
  name = "{project}"
}}

resource "harbor_robot_account" "r" {{
  name   = "{project}-ci"
  level  = "system"
  secret = "{robot_secret}"

  permissions {{
    kind      = "project"
    namespace = harbor_project.p.name

    access {{
      action   = "pull"
      resource = "repository"
    }}
  }}
}}

resource "harbor_registry" "hub" {{
  provider_name = "docker-hub"
  name          = "{project}-hub"
  access_id     = "someone"
  access_secret = "{registry_secret}"
}}

resource "harbor_user" "u" {{
  username  = "{project}-user"
  password  = "{user_password}"
  full_name = "Secret Keeper"
  email     = "{project}@example.com"
}}

resource "harbor_project_webhook" "w" {{
  name         = "ci"
  project_id   = harbor_project.p.id
  notify_type  = "http"
  address      = "http://127.0.0.1:9/hook"
  events_types = ["PUSH_ARTIFACT"]
  auth_header  = "{webhook_header}"
}}

resource "harbor_preheat_instance" "d" {{
  name      = "{project}-df"
  vendor    = "dragonfly"
  endpoint  = "http://127.0.0.1:9"
  auth_mode = "OAUTH"
  token     = "{preheat_token}"
}}
"#,
        required_providers(),
        h.url,
    )
}

/// Fails naming each secret found in `text`, and where.
fn assert_no_secrets(what: &str, text: &str, secrets: &[&str]) {
    let leaked: Vec<_> = secrets.iter().filter(|s| text.contains(**s)).collect();
    if !leaked.is_empty() {
        let lines: Vec<_> = text
            .lines()
            .filter(|l| leaked.iter().any(|s| l.contains(**s)))
            .take(10)
            .collect();
        panic!("{what} leaks {leaked:?}:\n{}", lines.join("\n"));
    }
}

#[test]
fn secrets_stay_out_of_trace_logs_and_terraform_output() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "sets the admin password to a known secret that it then searches the logs for",
            harbor_emulator::Config {
                admin_password: PROVIDER_PASSWORD.into(),
                ..Default::default()
            },
        );
        let project = unique("sec");
        let mut wd = Workdir::new(tf);
        let log = wd.path().join("trace.log");
        wd.env("TF_LOG", "TRACE")
            .env("TF_LOG_PATH", log.to_str().unwrap());
        wd.write_config(&config(&h, &project, ROBOT_SECRET, REGISTRY_SECRET, 0));
        let mut all = vec![
            PROVIDER_PASSWORD,
            ROBOT_SECRET,
            ROBOT_SECRET_2,
            REGISTRY_SECRET,
            REGISTRY_SECRET_2,
        ];
        for (user, webhook, preheat) in LATER {
            // The header's token part alone must not leak either.
            all.extend([
                user,
                webhook,
                webhook.trim_start_matches("Bearer "),
                preheat,
            ]);
        }

        let out = wd.apply();
        // The apply did create what carries the secrets, and the robot's secret is the one set.
        let robot = format!("robot${project}-ci");
        let login = |secret: &str| {
            h.call_as(&robot, secret, "GET", "/permissions", None)
                .status
        };
        assert_eq!(
            login(ROBOT_SECRET),
            200,
            "the robot logs in with the configured secret"
        );
        assert_eq!(login("not-the-secret"), 401);
        assert_eq!(
            h.get(&format!("/registries?q=name={project}-hub"))[0]["credential"]["access_key"],
            "someone"
        );
        let user = format!("{project}-user");
        assert_eq!(
            h.call_as(&user, LATER[0].0, "GET", "/users/current", None)
                .status,
            200,
            "the user logs in with the configured password"
        );
        let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH was written");
        assert!(
            trace.contains("[TRACE]") && trace.len() > 10_000,
            "TF_LOG=TRACE produced a trace log ({} bytes)",
            trace.len()
        );
        assert!(
            trace.contains("configuring the Harbor provider"),
            "the provider's own log lines are in the trace"
        );
        // The calls that carried the secrets were logged, by Terraform and by the provider.
        for rpc in [
            "ConfigureProvider",
            "PlanResourceChange",
            "ApplyResourceChange",
        ] {
            assert!(
                trace.contains(&format!("rpc={rpc}")),
                "the provider's log has no {rpc}"
            );
        }
        assert_no_secrets("apply trace log", &trace, &all);
        assert_no_secrets("apply stdout", &String::from_utf8_lossy(&out.stdout), &all);
        assert_no_secrets("apply stderr", &String::from_utf8_lossy(&out.stderr), &all);

        // A plan that changes both secrets shows them as sensitive, and logs neither.
        std::fs::remove_file(&log).unwrap();
        wd.write_config(&config(&h, &project, ROBOT_SECRET_2, REGISTRY_SECRET_2, 1));
        let out = wd.run(&["plan", "-no-color", "-input=false"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("(sensitive value)"), "{stdout}");
        assert!(
            [
                "harbor_robot_account.r",
                "harbor_registry.hub",
                "harbor_user.u",
                "harbor_project_webhook.w",
                "harbor_preheat_instance.d"
            ]
            .iter()
            .all(|r| stdout.contains(r)),
            "every secret-carrying resource changes:\n{stdout}"
        );
        let trace = std::fs::read_to_string(&log).expect("TF_LOG_PATH was written");
        assert_no_secrets("plan trace log", &trace, &all);
        assert_no_secrets("plan stdout", &stdout, &all);
        assert_no_secrets("plan stderr", &String::from_utf8_lossy(&out.stderr), &all);

        // Applying the rotation, and destroying, leak nothing either.
        std::fs::remove_file(&log).unwrap();
        let out = wd.apply();
        let destroyed = wd.destroy();
        let trace = std::fs::read_to_string(&log).unwrap();
        assert_no_secrets("rotation and destroy trace log", &trace, &all);
        for o in [&out, &destroyed] {
            assert_no_secrets("stdout", &String::from_utf8_lossy(&o.stdout), &all);
            assert_no_secrets("stderr", &String::from_utf8_lossy(&o.stderr), &all);
        }
    });
}
