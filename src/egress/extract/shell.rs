//! The small shell lexer for `sh -c` scripts and `eval` strings, and the
//! analysis of what it lexes.

use super::options::assignment;
use super::registry::is_known_program;
use super::{Ctx, Loc, MAX_SCRIPT, Res, program_word, tail};
use std::collections::HashMap;

// ---------------------------------------------------------------------------
// Shell scripts (`sh -c`, `eval`, ssh remote commands)

/// Marks an expansion whose value is unknown; becomes `$` in the words
/// handed to command analysis, where a `$` in a host position is refused.
pub(super) const EXP: char = '\u{E000}';

/// Command separators, to decide whether an assignment always happens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    Start,
    Seq,
    And,
    Or,
    Pipe,
    Bg,
    Group,
    End,
}

#[derive(Default)]
pub(super) struct Lexed {
    commands: Vec<Vec<String>>,
    /// Redirection targets and here-strings: scanned generically.
    data: Vec<String>,
    /// Bodies of `$(…)`, backticks, `<(…)`: analysed as scripts.
    nested: Vec<String>,
}

pub(super) struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// Variables assigned exactly once, unconditionally, at top level, to
    /// a literal without spaces; `None` once that is no longer certain.
    vars: HashMap<String, Option<String>>,
    out: Lexed,
    cmd: Vec<String>,
    word: Option<String>,
    redirect_pending: bool,
    prev_sep: Sep,
    paren_depth: usize,
    block_depth: usize,
}

pub(super) const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
    "in", "[[", "]]",
];

/// Drop leading shell keywords; `None` for `for`/`case`/`select` headers,
/// which are not commands.
pub(super) fn strip_keywords(words: &[String]) -> Option<&[String]> {
    let mut w = words;
    loop {
        match w.first().map(String::as_str) {
            Some(k) if KEYWORDS.contains(&k) => w = w.get(1..).unwrap_or(&[]),
            Some("function") => w = w.get(2..).unwrap_or(&[]),
            Some("for" | "case" | "select") => return None,
            _ => return Some(w),
        }
    }
}

impl Lexer {
    pub(super) fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
            vars: HashMap::new(),
            out: Lexed::default(),
            cmd: Vec::new(),
            word: None,
            redirect_pending: false,
            prev_sep: Sep::Start,
            paren_depth: 0,
            block_depth: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    pub(super) fn push_char(&mut self, c: char) {
        self.word.get_or_insert_with(String::new).push(c);
    }

    pub(super) fn push_str(&mut self, s: &str) {
        self.word.get_or_insert_with(String::new).push_str(s);
    }

    pub(super) fn finish_word(&mut self) {
        if let Some(w) = self.word.take() {
            if self.redirect_pending {
                self.out.data.push(w);
                self.redirect_pending = false;
            } else {
                self.cmd.push(w);
            }
        }
    }

    pub(super) fn end_command(&mut self, sep: Sep) {
        self.finish_word();
        let cmd = std::mem::take(&mut self.cmd);
        if !cmd.is_empty() {
            self.track(&cmd, sep);
            self.out.commands.push(cmd);
        }
        self.prev_sep = sep;
    }

    /// Keep `vars` and block depth up to date after a command.
    pub(super) fn track(&mut self, cmd: &[String], sep: Sep) {
        for w in cmd
            .iter()
            .take_while(|w| KEYWORDS.contains(&w.as_str()) || w.as_str() == "function")
        {
            match w.as_str() {
                "if" | "while" | "until" | "{" => self.block_depth += 1,
                "fi" | "done" | "esac" | "}" => {
                    self.block_depth = self.block_depth.saturating_sub(1)
                }
                _ => {}
            }
        }
        let Some(words) = strip_keywords(cmd) else {
            // `for NAME in …` / `select NAME`: NAME varies.
            if let Some(name) = cmd.get(1) {
                self.vars.insert(name.clone(), None);
            }
            if matches!(
                cmd.first().map(String::as_str),
                Some("for" | "select" | "case")
            ) {
                self.block_depth += 1;
            }
            return;
        };
        let certain = self.paren_depth == 0
            && self.block_depth == 0
            && matches!(self.prev_sep, Sep::Start | Sep::Seq)
            && matches!(sep, Sep::Seq | Sep::End | Sep::And | Sep::Or);
        let first = words.first().map(String::as_str).unwrap_or("");
        let (assigns, declared): (&[String], bool) = match first {
            "export" | "readonly" | "declare" | "typeset" | "local" => {
                (words.get(1..).unwrap_or(&[]), true)
            }
            _ => (words, false),
        };
        if first == "read"
            || first == "unset"
            || first == "getopts"
            || first == "mapfile"
            || first == "readarray"
        {
            for w in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                self.vars.insert(w.clone(), None);
            }
            return;
        }
        let all_assign = assigns
            .iter()
            .all(|w| w.starts_with('-') || assignment(w).is_some());
        if !(all_assign && (declared || !assigns.is_empty())) {
            return;
        }
        for w in assigns {
            let Some((name, value)) = assignment(w) else {
                continue;
            };
            let literal = !value.contains(EXP) && !value.chars().any(char::is_whitespace);
            let entry = if certain && literal && !self.vars.contains_key(name) {
                Some(value.to_string())
            } else {
                None
            };
            self.vars.insert(name.to_string(), entry);
        }
    }

    /// Body of `( … )` starting after the `(`; returns it and moves past
    /// the matching `)`.
    pub(super) fn read_balanced(&mut self) -> Result<String, &'static str> {
        let mut depth = 1usize;
        let mut body = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => {
                    body.push(c);
                    if let Some(n) = self.peek() {
                        body.push(n);
                        self.pos += 1;
                    }
                }
                '\'' | '"' => {
                    body.push(c);
                    while let Some(n) = self.peek() {
                        self.pos += 1;
                        body.push(n);
                        if n == '\\' && c == '"' {
                            if let Some(m) = self.peek() {
                                body.push(m);
                                self.pos += 1;
                            }
                        } else if n == c {
                            break;
                        }
                    }
                }
                '(' => {
                    depth += 1;
                    body.push(c);
                }
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(body);
                    }
                    body.push(c);
                }
                c => body.push(c),
            }
        }
        Err("unbalanced parentheses")
    }

    pub(super) fn read_backtick(&mut self) -> Result<String, &'static str> {
        let mut body = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => match self.peek() {
                    Some(n @ ('`' | '\\' | '$')) => {
                        body.push(n);
                        self.pos += 1;
                    }
                    _ => body.push(c),
                },
                '`' => return Ok(body),
                c => body.push(c),
            }
        }
        Err("unterminated backtick")
    }

    /// At a `$` (already consumed).
    pub(super) fn dollar(&mut self, quoted: bool) -> Result<(), &'static str> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let body = self.read_balanced()?;
                self.out.nested.push(body);
                self.push_char(EXP);
                self.push_str("(…)");
            }
            Some('{') => {
                self.pos += 1;
                let mut inner = String::new();
                let mut depth = 1usize;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                if depth != 0 {
                    return Err("unterminated ${");
                }
                if inner.contains("$(") || inner.contains('`') {
                    self.out.nested.push(inner.clone());
                }
                self.expand(&inner, quoted);
            }
            Some('\'') => {
                // ANSI-C quoting can spell any byte: unknown.
                self.pos += 1;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '\\' {
                        self.pos += 1;
                    } else if c == '\'' {
                        break;
                    }
                }
                self.push_char(EXP);
                self.push_str("'…'");
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expand(&name, quoted);
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.pos += 1;
                self.push_char(EXP);
                self.push_char(c);
            }
            _ => self.push_char('$'),
        }
        Ok(())
    }

    pub(super) fn expand(&mut self, name: &str, quoted: bool) {
        match self.vars.get(name) {
            Some(Some(v)) if quoted || !v.contains(char::is_whitespace) => {
                let v = v.clone();
                self.push_str(&v);
            }
            _ => {
                self.push_char(EXP);
                self.push_str(&format!("{{{name}}}"));
            }
        }
    }

    pub(super) fn double_quoted(&mut self) -> Result<(), &'static str> {
        self.word.get_or_insert_with(String::new);
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '"' => return Ok(()),
                '\\' => match self.peek() {
                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                        self.pos += 1;
                        self.push_char(n);
                    }
                    Some('\n') => self.pos += 1,
                    _ => self.push_char('\\'),
                },
                '$' => self.dollar(true)?,
                '`' => {
                    let body = self.read_backtick()?;
                    self.out.nested.push(body);
                    self.push_char(EXP);
                    self.push_str("(…)");
                }
                c => self.push_char(c),
            }
        }
        Err("unterminated double quote")
    }

    pub(super) fn redirection(&mut self, c: char) -> Result<(), &'static str> {
        // `2>`: the digits were a file descriptor, not a word.
        if self
            .word
            .as_deref()
            .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        {
            self.word = None;
        } else {
            self.finish_word();
        }
        if self.peek_at(1) == Some('(') {
            // Process substitution `<(…)` / `>(…)`.
            self.pos += 2;
            let body = self.read_balanced()?;
            self.out.nested.push(body);
            self.push_char(EXP);
            self.push_str("(…)");
            return Ok(());
        }
        self.pos += 1;
        if c == '<' && self.peek() == Some('<') {
            if self.peek_at(1) == Some('<') {
                self.pos += 2;
                self.redirect_pending = true;
                return Ok(());
            }
            return Err("here-document");
        }
        if matches!(self.peek(), Some('>' | '&' | '|')) || (c == '<' && self.peek() == Some('>')) {
            self.pos += 1;
        }
        self.redirect_pending = true;
        Ok(())
    }

    pub(super) fn run(mut self) -> Result<Lexed, &'static str> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.finish_word();
                    self.pos += 1;
                }
                '\n' => {
                    self.end_command(Sep::Seq);
                    self.pos += 1;
                }
                ';' => {
                    self.end_command(Sep::Seq);
                    self.pos += 1;
                }
                '&' => {
                    if self.peek_at(1) == Some('>') {
                        self.finish_word();
                        self.pos += 1;
                        self.redirection('>')?;
                    } else if self.peek_at(1) == Some('&') {
                        self.end_command(Sep::And);
                        self.pos += 2;
                    } else {
                        self.end_command(Sep::Bg);
                        self.pos += 1;
                    }
                }
                '|' => {
                    if self.peek_at(1) == Some('|') {
                        self.end_command(Sep::Or);
                        self.pos += 2;
                    } else {
                        self.end_command(Sep::Pipe);
                        self.pos += if self.peek_at(1) == Some('&') { 2 } else { 1 };
                    }
                }
                '(' => {
                    self.end_command(Sep::Group);
                    self.paren_depth += 1;
                    self.pos += 1;
                }
                ')' => {
                    self.end_command(Sep::Group);
                    self.paren_depth = self.paren_depth.saturating_sub(1);
                    self.pos += 1;
                }
                '<' | '>' => self.redirection(c)?,
                '#' if self.word.is_none() => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '\'' => {
                    self.pos += 1;
                    self.word.get_or_insert_with(String::new);
                    loop {
                        match self.peek() {
                            None => return Err("unterminated single quote"),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(c) => {
                                self.push_char(c);
                                self.pos += 1;
                            }
                        }
                    }
                }
                '"' => {
                    self.pos += 1;
                    self.double_quoted()?;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            self.push_char(n);
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                '`' => {
                    self.pos += 1;
                    let body = self.read_backtick()?;
                    self.out.nested.push(body);
                    self.push_char(EXP);
                    self.push_str("(…)");
                }
                '$' => {
                    self.pos += 1;
                    self.dollar(false)?;
                }
                c => {
                    self.push_char(c);
                    self.pos += 1;
                }
            }
        }
        self.end_command(Sep::End);
        Ok(self.out)
    }
}

pub(super) fn lex(src: &str) -> Result<Lexed, &'static str> {
    if src.len() > MAX_SCRIPT {
        return Err("script too large");
    }
    Lexer::new(src).run()
}

impl Ctx {
    /// Analyse a shell script string.
    pub(super) fn script(&mut self, src: &str, loc: &Loc) -> Res {
        self.enter(loc)?;
        self.in_script += 1;
        let r = match lex(src) {
            Ok(lexed) => self.run_lexed(lexed, loc),
            Err(_) => self.fallback(src, loc),
        };
        self.in_script -= 1;
        self.depth -= 1;
        r
    }

    pub(super) fn run_lexed(&mut self, lexed: Lexed, loc: &Loc) -> Res {
        let single = lexed.commands.len() == 1;
        for (n, cmd) in lexed.commands.iter().enumerate() {
            let words: Vec<String> = cmd.iter().map(|w| w.replace(EXP, "$")).collect();
            let cloc = if single {
                loc.clone()
            } else {
                Loc {
                    prefix: format!("{}command {}: ", loc.prefix, n + 1),
                    offset: 0,
                }
            };
            match strip_keywords(&words) {
                Some(rest) => {
                    let skipped = words.len() - rest.len();
                    self.command(rest, &cloc.shift(skipped))?;
                }
                None => self.scan_all(&words, &cloc, "generic scan of")?,
            }
        }
        for (n, d) in lexed.data.iter().enumerate() {
            let d = d.replace(EXP, "$");
            self.scan_word(&d, &format!("{}redirection {}", loc.prefix, n + 1))?;
        }
        for (n, body) in lexed.nested.iter().enumerate() {
            let nloc = Loc {
                prefix: format!("{}substitution {}: ", loc.prefix, n + 1),
                offset: 0,
            };
            self.script(body, &nloc)?;
        }
        Ok(())
    }

    /// A script the lexer cannot follow: scan every word, and analyse every
    /// segment that starts with a known program. Never "no destinations".
    pub(super) fn fallback(&mut self, src: &str, loc: &Loc) -> Res {
        for (n, seg) in src.split(['\n', ';', '|', '&']).enumerate() {
            let words: Vec<String> = seg
                .split_whitespace()
                .map(|w| {
                    w.trim_start_matches(['$', '(', '`'])
                        .trim_matches(|c| matches!(c, '"' | '\'' | '`' | '(' | ')' | '{' | '}'))
                        .to_string()
                })
                .filter(|w| !w.is_empty())
                .collect();
            let sloc = Loc {
                prefix: format!("{}segment {}: ", loc.prefix, n + 1),
                offset: 0,
            };
            self.scan_all(&words, &sloc, "generic scan of")?;
            let start = words
                .iter()
                .position(|w| assignment(w).is_none() && !KEYWORDS.contains(&w.as_str()))
                .unwrap_or(words.len());
            if words
                .get(start)
                .and_then(|w| program_word(w))
                .is_some_and(is_known_program)
            {
                self.command(tail(&words, start), &sloc.shift(start))?;
            }
        }
        Ok(())
    }
}
