//! Throughput of the streaming redactor on generated log-like text, with baselines.
//!
//! Run with `cargo bench --bench redact`. Prints MB/s (10^6 bytes per second) of input for
//! 1, 10, 100 and 1000 secrets of 16–64 bytes, raw forms only and with every encoding, fed in
//! 4 KiB and 64 KiB chunks, next to a plain copy and a one-pattern aho-corasick scan, and the
//! time to generate and to compile the patterns. `BENCH_MB=N` sets the input size (256 MiB).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use vault::redact::{PatternSet, Patterns, Redactor};

/// Input size in MiB; `BENCH_MB=1` for a quick look at the build times alone.
fn data_len() -> usize {
    std::env::var("BENCH_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(256)
        << 20
}

/// xorshift64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Secrets of 16–64 bytes in the shapes real ones have: API tokens, passwords with symbols,
/// base64 keys, hex keys.
fn secrets(rng: &mut Rng, n: usize) -> Vec<(String, Vec<u8>)> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const PASSWORD: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*()-_=+/ \"<>";
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n)
        .map(|i| {
            let len = 16 + rng.below(49);
            let (prefix, alphabet): (&[u8], &[u8]) = match i % 4 {
                0 => (b"ghp_", ALNUM),
                1 => (b"", PASSWORD),
                2 => (b"", B64),
                _ => (b"", HEX),
            };
            let mut v = prefix.to_vec();
            while v.len() < len {
                v.push(*rng.pick(alphabet));
            }
            (format!("SECRET_{i}"), v)
        })
        .collect()
}

/// Lines of log text: timestamps, levels, words, key=value pairs, hex ids.
fn log_data(rng: &mut Rng, len: usize, plant: &[(String, Vec<u8>)]) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "request",
        "user",
        "alice",
        "bob",
        "GET",
        "POST",
        "/api/v1/items",
        "connection",
        "established",
        "from",
        "worker",
        "retry",
        "cache",
        "miss",
        "hit",
        "session",
        "token",
        "refreshed",
        "upstream",
        "timeout",
        "db",
        "query",
        "ok",
        "failed",
        "shard",
    ];
    const LEVELS: &[&str] = &["INFO ", "WARN ", "DEBUG", "ERROR"];
    let mut v = Vec::with_capacity(len + 256);
    let mut line = 0u64;
    while v.len() < len {
        line += 1;
        let t = rng.next();
        v.extend_from_slice(
            format!(
                "2026-04-{:02}T{:02}:{:02}:{:02}.{:03}Z {} [{}-{}] ",
                1 + t % 28,
                (t >> 8) % 24,
                (t >> 16) % 60,
                (t >> 24) % 60,
                (t >> 32) % 1000,
                rng.pick(LEVELS),
                rng.pick(WORDS),
                (t >> 42) % 16
            )
            .as_bytes(),
        );
        for _ in 0..3 + rng.below(8) {
            v.extend_from_slice(rng.pick(WORDS).as_bytes());
            v.push(b' ');
        }
        v.extend_from_slice(
            format!(
                "id={:016x}{:08x} status={} latency_ms={}",
                rng.next(),
                rng.next() as u32,
                [200, 201, 404, 500][rng.below(4)],
                rng.below(5000)
            )
            .as_bytes(),
        );
        // About one planted secret per 100 KB, so the redaction path runs too.
        if !plant.is_empty() && line.is_multiple_of(1000) {
            v.extend_from_slice(b" auth=");
            v.extend_from_slice(&rng.pick(plant).1);
        }
        v.push(b'\n');
    }
    v.truncate(len);
    v
}

/// Best of `runs` timings of `f` over the whole data, in MB/s.
fn measure(data: &[u8], runs: usize, mut f: impl FnMut(&[u8]) -> usize) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        black_box(f(data));
        best = best.min(t.elapsed());
    }
    data.len() as f64 / best.as_secs_f64() / 1e6
}

fn redact_run(p: &Arc<Patterns>, data: &[u8], chunk: usize) -> usize {
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::with_capacity(chunk + 1024);
    let mut total = 0;
    for c in data.chunks(chunk) {
        r.feed(c, &mut out);
        total += out.len();
        out.clear();
    }
    r.finish(&mut out);
    total + out.len()
}

/// Generate and compile the patterns five times; the patterns and the best times (ms) of
/// generating the forms ([`PatternSet::new`]) and of compiling them.
fn build(secrets: &[&(String, Vec<u8>)], encodings: bool) -> (Arc<Patterns>, f64, f64) {
    let (mut generate, mut compile) = (f64::MAX, f64::MAX);
    let mut patterns = None;
    for _ in 0..5 {
        let t = Instant::now();
        let set = PatternSet::new(
            secrets.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            encodings,
        );
        let g = t.elapsed();
        let p = set.compile();
        let c = t.elapsed() - g;
        generate = generate.min(g.as_secs_f64() * 1e3);
        compile = compile.min(c.as_secs_f64() * 1e3);
        patterns = Some(p);
    }
    let patterns = patterns.expect("built at least once");
    (Arc::new(patterns), generate, compile)
}

fn main() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all = secrets(&mut rng, 1000);
    let data = log_data(&mut rng, data_len(), &all[..100]);
    let runs = 3;
    println!(
        "input: {} MiB of log-like text; best of {runs} runs; MB/s = 10^6 input bytes per second\n",
        data.len() >> 20
    );
    println!(
        "{:<34} {:>8} {:>7} {:>10} {:>11} {:>11}",
        "config", "patterns", "gen ms", "compile ms", "4 KiB MB/s", "64 KiB MB/s"
    );

    let copy = |chunk: usize| {
        measure(&data, runs, |d| {
            let mut out = Vec::with_capacity(chunk);
            let mut total = 0;
            for c in d.chunks(chunk) {
                out.extend_from_slice(c);
                total += out.len();
                out.clear();
            }
            total
        })
    };
    println!(
        "{:<34} {:>8} {:>7} {:>10} {:>11.0} {:>11.0}",
        "baseline: copy",
        "-",
        "-",
        "-",
        copy(4096),
        copy(65536)
    );
    let one = AhoCorasick::new([&all[0].1]).expect("one pattern builds");
    let scan = |chunk: usize| {
        measure(&data, runs, |d| {
            let mut out = Vec::with_capacity(chunk);
            let mut n = 0;
            for c in d.chunks(chunk) {
                n += one.find_iter(c).count();
                out.extend_from_slice(c);
                out.clear();
            }
            n
        })
    };
    println!(
        "{:<34} {:>8} {:>7} {:>10} {:>11.0} {:>11.0}",
        "baseline: aho-corasick 1 pattern",
        1,
        "-",
        "-",
        scan(4096),
        scan(65536)
    );

    // Special shapes: a short secret forces the automaton over every byte; a PEM-sized key
    // makes the longest pattern (and the per-feed context) large.
    let mut pem = b"-----BEGIN PRIVATE KEY-----\n".to_vec();
    for _ in 0..40 {
        for _ in 0..64 {
            pem.push(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.below(64)],
            );
        }
        pem.push(b'\n');
    }
    pem.extend_from_slice(b"-----END PRIVATE KEY-----\n");
    let short: (String, Vec<u8>) = ("SHORT".into(), b"x9Qz!".to_vec());
    let pem: (String, Vec<u8>) = ("PEM".into(), pem);
    for (label, extra) in [
        ("100 secrets + a 5-byte one", &short),
        ("100 secrets + a 2.6 KB PEM key", &pem),
    ] {
        let secrets: Vec<&(String, Vec<u8>)> = all[..100].iter().chain([extra]).collect();
        let (p, generate, compile) = build(&secrets, true);
        let small = measure(&data, runs, |d| redact_run(&p, d, 4096));
        let big = measure(&data, runs, |d| redact_run(&p, d, 65536));
        println!(
            "{:<34} {:>8} {:>7.2} {:>10.2} {:>11.0} {:>11.0}",
            format!("{label}, all enc."),
            p.len(),
            generate,
            compile,
            small,
            big
        );
        eprintln!("  {p:?} longest {}", p.longest());
    }

    for n in [1, 10, 100, 1000] {
        for encodings in [false, true] {
            let secrets: Vec<&(String, Vec<u8>)> = all[..n].iter().collect();
            let (p, generate, compile) = build(&secrets, encodings);
            let small = measure(&data, runs, |d| redact_run(&p, d, 4096));
            let big = measure(&data, runs, |d| redact_run(&p, d, 65536));
            println!(
                "{:<34} {:>8} {:>7.2} {:>10.2} {:>11.0} {:>11.0}",
                format!(
                    "{n} secrets, {}",
                    if encodings {
                        "all encodings"
                    } else {
                        "raw only"
                    }
                ),
                p.len(),
                generate,
                compile,
                small,
                big
            );
            eprintln!("  {p:?}");
        }
    }
}
