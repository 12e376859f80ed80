//! The redactor through the built binary, against the misses of issue #15 and the prefix
//! oracle of issue #10: one stream for `2>&1`, values painted by `grep --color` (piped and
//! on a real PTY), a CRLF value on a real PTY, the entity / shell / joined forms printed by
//! real programs (bash -x, busybox ash, python3), and `vault redact` probed over a pipe.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::have;
use crate::support::pty::PtySession;
use crate::support::{Vault, assert_no_leak, contains};

const T: Duration = Duration::from_secs(10);
const TOKEN: &str = "FAKE-secret-value";

fn store(secrets: &[(&str, &[u8])]) -> Vault {
    let v = Vault::new();
    v.init();
    for (name, value) in secrets {
        v.set(name, value);
    }
    v
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What a screen shows of `b`: CSI and OSC sequences (and `ESC (`-style ones) removed.
fn shown(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b && i + 1 < b.len() {
            match b[i + 1] {
                b'[' => {
                    let mut j = i + 2;
                    while j < b.len() && !(0x40..=0x7e).contains(&b[j]) {
                        j += 1;
                    }
                    i = j + 1;
                    continue;
                }
                b']' => {
                    let mut j = i + 2;
                    while j < b.len() && b[j] != 0x07 && !(b[j] == b'\\' && b[j - 1] == 0x1b) {
                        j += 1;
                    }
                    i = j + 1;
                    continue;
                }
                b'(' => {
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Runs vault (`args`) with its stdout and stderr one pipe, as `2>&1 | reader` makes them,
/// and returns what the reader gets.
fn two_to_one(v: &Vault, args: &[&str]) -> Vec<u8> {
    let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).expect("pipe");
    let mut cmd = v.std_cmd();
    cmd.args(args)
        .stdout(Stdio::from(w.try_clone().expect("dup")))
        .stderr(Stdio::from(w));
    let mut child = cmd.spawn().expect("spawn vault");
    drop(cmd);
    let mut out = Vec::new();
    std::fs::File::from(r)
        .read_to_end(&mut out)
        .expect("read the pipe");
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status:?}: {}", text(&out));
    out
}

/// `vault run -- cmd 2>&1 | reader`: a value written half to stdout and half to stderr
/// reaches the reader redacted, because the child's stdout and stderr are one pipe too.
#[test]
fn stdout_and_stderr_on_one_pipe_are_one_stream() {
    let v = store(&[("TOKEN", TOKEN.as_bytes())]);
    let script = r#"printf '%s' "${TOKEN%%secret*}" ; printf '%s\n' "secret${TOKEN#*secret}" >&2"#;
    for mode in [&[][..], &["--no-pty"][..]] {
        let mut args = vec!["run"];
        args.extend_from_slice(mode);
        args.extend_from_slice(&["--", "sh", "-c", script]);
        let out = two_to_one(&v, &args);
        assert_no_leak(&out, TOKEN.as_bytes());
        assert_eq!(text(&out), "[REDACTED:TOKEN]\n", "{mode:?}");
    }
    // The child sees one pipe too: its fds 1 and 2 are the same file.
    let out = two_to_one(
        &v,
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"[ "$(readlink /proc/$$/fd/1)" = "$(readlink /proc/$$/fd/2)" ] && echo same"#,
        ],
    );
    assert_eq!(text(&out), "same\n");
}

/// With separate pipes for stdout and stderr (what a harness capturing both sees), each is
/// its own stream, as before.
#[test]
fn separate_stdout_and_stderr_stay_separate() {
    let v = store(&[("TOKEN", TOKEN.as_bytes())]);
    let out = v.ok(v.cmd().args([
        "run",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; [ \"$(readlink /proc/$$/fd/1)\" != \"$(readlink /proc/$$/fd/2)\" ] && echo differ",
    ]));
    assert_eq!(text(&out.stdout), "out\ndiffer\n");
    assert_eq!(text(&out.stderr), "err\n");
}

/// `grep --color=always` paints the part of the value it matched: the screen shows the
/// value whole, so it is redacted whole, escape sequences and all.
#[test]
fn grep_colour_on_a_pipe_is_redacted() {
    let v = store(&[("TOKEN", TOKEN.as_bytes())]);
    let out = v.ok(v.cmd().args([
        "run",
        "--no-pty",
        "--",
        "sh",
        "-c",
        r#"echo "TOKEN=$TOKEN" | grep --color=always secret"#,
    ]));
    // The colour sequences were inside the value, so they went with it.
    assert_eq!(text(&out.stdout), "TOKEN=[REDACTED:TOKEN]\n");
    assert_no_leak(&shown(&out.stdout), TOKEN.as_bytes());
    // Through `vault redact` too.
    let coloured = Command::new("sh")
        .args([
            "-c",
            "echo TOKEN=FAKE-secret-value | grep --color=always secret",
        ])
        .output()
        .expect("grep");
    assert!(
        contains(&coloured.stdout, b"FAKE-\x1b["),
        "grep coloured nothing: {:?}",
        text(&coloured.stdout)
    );
    let out = v.ok(v.cmd().arg("redact").write_stdin(coloured.stdout));
    assert_eq!(text(&shown(&out.stdout)), "TOKEN=[REDACTED:TOKEN]\n");
}

/// On vault's PTY `grep --color=auto` colours (its stdout is a terminal); the same
/// command with its output to a pipe instead shows that it does.
#[test]
fn grep_colour_on_a_real_pty_is_redacted() {
    let v = store(&[("TOKEN", TOKEN.as_bytes())]);
    let mut cmd = v.std_cmd();
    cmd.env("TERM", "xterm").args([
        "run",
        "--",
        "sh",
        "-c",
        r#"echo "TOKEN=$TOKEN" | grep --color=auto secret; echo done"#,
    ]);
    let mut s = PtySession::spawn(cmd, 24, 80).expect("spawn vault in a PTY");
    s.expect(b"done", T).expect("output");
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let out = s.output().to_vec();
    let mut plain = v.std_program("script");
    plain.env("TERM", "xterm").args([
        "-qec",
        "echo TOKEN=FAKE-secret-value | grep --color=auto secret",
        "/dev/null",
    ]);
    let plain = plain.output().expect("script");
    assert!(
        contains(&plain.stdout, b"FAKE-\x1b["),
        "grep on a PTY coloured nothing: {:?}",
        text(&plain.stdout)
    );
    assert!(
        contains(&shown(&out), b"TOKEN=[REDACTED:TOKEN]"),
        "{:?}",
        text(&out)
    );
    assert_no_leak(&shown(&out), TOKEN.as_bytes());
    assert!(!contains(&shown(&out), b"secret"), "{:?}", text(&out));
}

/// A value read from a CRLF file holds `\r\n`; the PTY prints it as `\r\r\n`. Its lines are
/// too short to be patterns of their own, so only the whole value's PTY form catches it.
#[test]
fn a_crlf_value_on_a_real_pty_is_redacted() {
    let value = b"ab12\r\ncd34\r\nef56";
    let v = store(&[("V", value)]);
    let mut s = PtySession::spawn(
        {
            let mut c = v.std_cmd();
            c.args(["run", "--", "sh", "-c", r#"printf '%s\n' "$V"; echo done"#]);
            c
        },
        24,
        80,
    )
    .expect("spawn vault in a PTY");
    s.expect(b"done", T).expect("output");
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let out = s.output().to_vec();
    assert!(contains(&out, b"[REDACTED:V]"), "{:?}", text(&out));
    for piece in [&b"ab12"[..], b"cd34", b"ef56"] {
        assert!(!contains(&out, piece), "{:?}", text(&out));
    }
}

/// The forms other maskers cover, printed by the programs that make them.
#[test]
fn entity_shell_and_joined_forms_printed_by_real_programs() {
    let pw = r#"p&ss<w>rd"it's-long"#;
    let dq = r#"ab\$cd\"ef\\gh-long"#;
    let key = "line-one\nline-two\nline-three";
    let v = store(&[
        ("PW", pw.as_bytes()),
        ("DQ", dq.as_bytes()),
        ("KEY", key.as_bytes()),
    ]);
    let mut cases: Vec<(&str, Vec<&str>)> = vec![
        // bash -x quotes a ' as '\''.
        ("bash -x", vec!["bash", "-xc", r#": "$PW""#]),
        // The unescaped form a double-quoted string leaves.
        ("eval", vec!["sh", "-c", r#"eval "echo \"$DQ\"""#]),
        // Newlines turned into spaces by word splitting, or removed.
        ("echo $KEY", vec!["sh", "-c", "echo $KEY"]),
        (
            "tr -d",
            vec!["sh", "-c", r#"printf '%s' "$KEY" | tr -d '\n'"#],
        ),
    ];
    if have("python3") {
        cases.push((
            "python3 html/xml",
            vec![
                "python3",
                "-c",
                "import html, os, xml.sax.saxutils as x; p = os.environ['PW']; \
                 print(html.escape(p)); print(x.escape(p)); print(x.quoteattr(p)); \
                 print(p.encode('ascii', 'xmlcharrefreplace').decode()); \
                 print(''.join('&#%d;' % ord(c) if c in '&<>\"\\'' else c for c in p))",
            ],
        ));
    }
    if have("busybox") {
        cases.push((
            "busybox ash -x",
            vec!["busybox", "ash", "-xc", r#": "$PW""#],
        ));
    }
    for (what, argv) in cases {
        let mut args = vec!["run", "--no-pty", "--"];
        args.extend(argv);
        let out = v.ok(v.cmd().args(&args));
        let all = [out.stdout.clone(), out.stderr.clone()].concat();
        assert!(contains(&all, b"[REDACTED:"), "{what}: {:?}", text(&all));
        for leak in [
            &b"it'"[..],
            b"rd&",
            b"rd\"",
            b"cd\"ef",
            b"cd$",
            b"line-oneline",
            b"line-one line",
        ] {
            assert!(!contains(&all, leak), "{what}: {:?}", text(&all));
        }
    }
}

/// Reads what `fd` offers until nothing more arrives for a while (or `limit` passes).
fn read_for_now(fd: &OwnedFd, quiet: Duration) -> Vec<u8> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut out = Vec::new();
    let deadline = Instant::now() + T;
    let t = Timespec {
        tv_sec: 0,
        tv_nsec: i64::try_from(quiet.as_nanos()).unwrap_or(i64::MAX),
    };
    while Instant::now() < deadline {
        let mut p = [PollFd::new(fd, PollFlags::IN)];
        if poll(&mut p, Some(&t)).unwrap_or(0) == 0 {
            break;
        }
        let mut buf = [0u8; 4096];
        match rustix::io::read(fd, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

/// `vault redact` is no prefix oracle: a prober who feeds a long run of filler and then a
/// prefix of the value, and reads what comes back before sending a line end, gets the same
/// for a matching prefix as for a non-matching one. A line end releases the line.
#[test]
fn vault_redact_is_not_a_prefix_oracle() {
    let v = store(&[("TOKEN", TOKEN.as_bytes())]);
    let mut seen = Vec::new();
    for probe in ["FAKE-secr", "FAKE-secx"] {
        let mut cmd = v.std_cmd();
        cmd.arg("redact")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn vault redact");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = OwnedFd::from(child.stdout.take().expect("stdout"));
        let filler = "x".repeat(2000);
        stdin
            .write_all(format!("{filler}{probe}").as_bytes())
            .expect("write");
        stdin.flush().expect("flush");
        let before_newline = read_for_now(&stdout, Duration::from_millis(400));
        stdin.write_all(b"\n").expect("write");
        // The line end releases the rest of the line.
        let mut line = before_newline.clone();
        let deadline = Instant::now() + T;
        while !line.ends_with(b"\n") {
            assert!(
                Instant::now() < deadline,
                "no line end came back: {}",
                text(&line)
            );
            line.extend_from_slice(&read_for_now(&stdout, Duration::from_millis(100)));
        }
        assert_eq!(text(&line), format!("{filler}{probe}\n"));
        drop(stdin);
        assert!(child.wait().expect("wait").success());
        seen.push(before_newline);
    }
    assert_eq!(
        seen[0].len(),
        seen[1].len(),
        "what came back before the newline differs"
    );
    assert_eq!(seen[0], seen[1]);
}
