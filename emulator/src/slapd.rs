//! A real OpenLDAP server for tests: Debian's `slapd` (installed by `scripts/install-tools.sh`)
//! started on a free loopback port with a small directory of its own in a temporary
//! directory, loaded with `slapadd`, and killed when dropped. Nothing here answers LDAP itself.
//!
//! The directory: base `dc=example,dc=org`, admin `cn=admin,dc=example,dc=org`, one user
//! `uid=alice,ou=people,...` and one group `cn=developers,ou=groups,...` holding her.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BASE_DN: &str = "dc=example,dc=org";
pub const ADMIN_DN: &str = "cn=admin,dc=example,dc=org";
pub const ADMIN_PASSWORD: &str = "Admin-Pass1";
pub const GROUP_BASE_DN: &str = "ou=groups,dc=example,dc=org";
pub const GROUP_DN: &str = "cn=developers,ou=groups,dc=example,dc=org";
pub const USER_DN: &str = "uid=alice,ou=people,dc=example,dc=org";

const SLAPD: &str = "/usr/sbin/slapd";
const SLAPADD: &str = "/usr/sbin/slapadd";

/// A running slapd; killed, and its directory removed, on drop.
pub struct Slapd {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

impl Slapd {
    /// `ldap://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// Starts one, or `None` when slapd is not installed: a test then prints SKIPPED. Under
    /// `CI=true` a missing slapd panics, since CI installs it.
    pub fn start_or_skip(test: &str) -> Option<Slapd> {
        if !Path::new(SLAPD).exists() || !Path::new(SLAPADD).exists() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "{test}: {SLAPD} is missing; scripts/install-tools.sh installs Debian's slapd"
                );
            }
            eprintln!("SKIPPED {test}: {SLAPD} is not installed (scripts/install-tools.sh)");
            return None;
        }
        Some(Self::start())
    }

    fn start() -> Slapd {
        let dir = std::env::temp_dir().join(format!(
            "harbor-slapd-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(dir.join("data")).expect("slapd temp dir");
        let conf = dir.join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 pidfile {dir}/slapd.pid\n\
                 database mdb\n\
                 maxsize 10485760\n\
                 suffix \"{BASE_DN}\"\n\
                 rootdn \"{ADMIN_DN}\"\n\
                 rootpw {ADMIN_PASSWORD}\n\
                 directory {dir}/data\n",
                dir = dir.display()
            ),
        )
        .expect("slapd.conf");
        let ldif = dir.join("data.ldif");
        std::fs::write(&ldif, DATA).expect("data.ldif");
        let out = Command::new(SLAPADD)
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .output()
            .expect("slapadd runs");
        assert!(
            out.status.success(),
            "slapadd failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // `-d 0` keeps slapd in the foreground, so the child is slapd itself.
        let child = Command::new(SLAPD)
            .arg("-f")
            .arg(&conf)
            .arg("-h")
            .arg(format!("ldap://127.0.0.1:{port}/"))
            .arg("-d")
            .arg("0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd starts");
        let mut slapd = Slapd { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = slapd.child.try_wait() {
                panic!("slapd exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "slapd did not listen in 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        slapd
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const DATA: &str = "dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=org
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
sn: Liddell
mail: alice@example.org
userPassword: Alice-Pass1

dn: cn=developers,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: developers
member: uid=alice,ou=people,dc=example,dc=org
";
