//! Stable-toolchain smoke runner for the fuzz targets: no libFuzzer, no coverage
//! feedback — random inputs (fresh bytes, and mutations of the seeds, of the libFuzzer
//! corpus when there is one, and of earlier inputs) fed to the same target functions for a fixed time.
//!
//! ```text
//! cargo run --release --no-default-features --bin smoke -- [--seconds N] [--seed S] [TARGET…]
//! cargo run --release --no-default-features --bin smoke -- --replay TARGET FILE…
//! ```
//!
//! Time is split evenly between the targets named (default: all). A panic is a finding:
//! its input is written to `artifacts/TARGET/smoke-<hash>` (replay it with `--replay`, or
//! with `cargo fuzz run TARGET FILE` on nightly), one line per distinct panic site is
//! printed, and the run goes on; the exit status is 1 if anything was found.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seeds of a target (`seeds/TARGET/*`, committed) and its libFuzzer corpus
/// (`corpus/TARGET/*`, left by `cargo fuzz run`), if any.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = ["seeds", "corpus"]
        .iter()
        .filter_map(|d| std::fs::read_dir(fuzz_dir().join(d).join(target)).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A new input: fresh random bytes, or a mutation of a seed or an earlier input.
fn next_input(rng: &mut Rng, pool: &[Vec<u8>]) -> Vec<u8> {
    if pool.is_empty() || rng.below(3) == 0 {
        let n = match rng.below(10) {
            0 => 0,
            1..=6 => rng.below(64),
            7 | 8 => rng.below(512),
            _ => rng.below(4096),
        };
        return rng.bytes(n);
    }
    let mut data = pool[rng.below(pool.len())].clone();
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(data.len() + 1);
                let n = 1 + rng.below(8);
                let extra = rng.bytes(n);
                data.splice(i..i, extra);
            }
            3 if !data.is_empty() => {
                let i = rng.below(data.len());
                let n = 1 + rng.below(8);
                data.drain(i..(i + n).min(data.len()));
            }
            4 => {
                let other = &pool[rng.below(pool.len())];
                let from = rng.below(other.len() + 1);
                let i = rng.below(data.len() + 1);
                data.splice(i..i, other[from..].iter().copied().take(32));
            }
            _ => {
                let i = rng.below(data.len() + 1);
                data.truncate(i);
            }
        }
    }
    data
}

/// The message and location of the last panic on this thread.
type Caught = Arc<Mutex<Option<String>>>;

fn install_hook() -> Caught {
    let caught: Caught = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&caught);
    panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = sink.lock() {
            *slot = Some(format!("{at}: {msg}"));
        }
    }));
    caught
}

fn save(target: &str, data: &[u8]) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    let dir = fuzz_dir().join("artifacts").join(target);
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("smoke-{:016x}", h.finish()));
    let _ = std::fs::write(&path, data);
    path
}

struct Report {
    execs: u64,
    /// Distinct panic sites: site → (first message, saved input, count).
    crashes: BTreeMap<String, (String, PathBuf, u64)>,
}

fn run_target(
    name: &str,
    f: fn(&[u8]),
    budget: Duration,
    rng: &mut Rng,
    caught: &Caught,
) -> Report {
    let mut pool = corpus(name);
    let seeds = pool.len();
    let mut report = Report {
        execs: 0,
        crashes: BTreeMap::new(),
    };
    let start = Instant::now();
    // The seeds first, as they are.
    let mut queue: Vec<Vec<u8>> = pool.clone();
    while start.elapsed() < budget {
        let data = queue.pop().unwrap_or_else(|| next_input(rng, &pool));
        let result = panic::catch_unwind(AssertUnwindSafe(|| f(&data)));
        report.execs += 1;
        if result.is_err() {
            let text = caught
                .lock()
                .ok()
                .and_then(|mut s| s.take())
                .unwrap_or_else(|| "panic".into());
            let site = text.split(": ").next().unwrap_or("").to_string();
            let entry = report.crashes.entry(site).or_insert_with(|| {
                let path = save(name, &data);
                (text.clone(), path, 0)
            });
            entry.2 += 1;
        } else if pool.len() < seeds + 256 && rng.below(16) == 0 {
            // Keep some inputs to mutate later (no coverage signal: a random sample).
            pool.push(data);
        } else if pool.len() >= seeds + 256 && rng.below(16) == 0 {
            let i = seeds + rng.below(pool.len() - seeds);
            pool[i] = data;
        }
    }
    report
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut seconds = 60u64;
    let mut seed = None;
    let mut names: Vec<String> = Vec::new();
    let mut replay: Option<(String, Vec<String>)> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--seconds N")
            }
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()),
            "--replay" => {
                let target = args.next().expect("--replay TARGET FILE…");
                replay = Some((target, args.by_ref().collect()));
            }
            "-h" | "--help" => {
                println!("smoke [--seconds N] [--seed S] [TARGET…] | smoke --replay TARGET FILE…");
                println!(
                    "targets: {}",
                    vault_fuzz::TARGETS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return;
            }
            _ => names.push(a),
        }
    }
    let lookup = |n: &str| -> fn(&[u8]) {
        vault_fuzz::TARGETS
            .iter()
            .find(|(t, _)| *t == n)
            .unwrap_or_else(|| panic!("unknown target {n:?}"))
            .1
    };
    if let Some((target, files)) = replay {
        let f = lookup(&target);
        for file in files {
            let data = std::fs::read(Path::new(&file)).expect("read the input");
            f(&data);
            println!("{file}: no panic");
        }
        return;
    }
    if names.is_empty() {
        names = vault_fuzz::TARGETS
            .iter()
            .map(|(n, _)| (*n).to_string())
            .collect();
    }
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    println!(
        "smoke: seed {seed}, {seconds} s over {} target(s){}",
        names.len(),
        if vault_fuzz::strict() { ", strict" } else { "" }
    );
    let caught = install_hook();
    let budget = Duration::from_secs(seconds) / u32::try_from(names.len()).unwrap_or(1);
    let mut rng = Rng(seed | 1);
    let mut found = false;
    for name in &names {
        let f = lookup(name);
        let start = Instant::now();
        let report = run_target(name, f, budget, &mut rng, &caught);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:>8}: {} execs in {secs:.1} s ({:.0}/s), {} distinct panic site(s)",
            report.execs,
            report.execs as f64 / secs,
            report.crashes.len()
        );
        for (site, (text, path, count)) in &report.crashes {
            found = true;
            let first_line = text.lines().next().unwrap_or("");
            println!(
                "    {count}× {site}\n      {first_line}\n      input: {}",
                path.display()
            );
        }
    }
    std::process::exit(i32::from(found));
}
