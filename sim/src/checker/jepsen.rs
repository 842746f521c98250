//! Parsers for Jepsen-style histories: EDN event maps (Porcupine's kv data) and Jepsen's log
//! lines (Porcupine's etcd data).
//!
//! Both are event streams: an `:invoke` opens an op for a process, and the next `:ok`,
//! `:fail` or `:info` of that process closes it. Time is the event's index (line order), as
//! in Porcupine. `:ok` = completed with a known output; `:fail` = definitely did not happen,
//! the op is dropped; `:info` = outcome unknown (ret = None, output = None). An op still open
//! at the end of the file is unknown too. Malformed input is an error naming its line.

use std::fmt;
use std::sync::Arc;

use super::engine::{check, CheckResult, Operation};
use super::hash::FxHashMap;
use super::models::{KvInput, KvKey, KvModel, KvOp, KvOutput, RegInput, RegOutput, RegisterModel};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

pub type KvHistory = Vec<Operation<KvInput, KvOutput>>;
pub type RegisterHistory = Vec<Operation<RegInput, RegOutput>>;

/// A parsed history file, tagged by the model it is checked against.
#[derive(Debug, Clone)]
pub enum History {
    Kv(KvHistory),
    Register(RegisterHistory),
}

impl History {
    /// Checks the history against the model its format implies (`deadline` as in
    /// [`check`]).
    pub fn check(&self, deadline: Option<std::time::Duration>) -> CheckResult {
        match self {
            History::Kv(h) => check(&KvModel, h, deadline),
            History::Register(h) => check(&RegisterModel, h, deadline),
        }
    }
}

/// Detect the format from the first non-blank line: `{` = EDN kv events, otherwise Jepsen's
/// log lines.
pub fn parse_history(text: &str) -> Result<History, ParseError> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(l) if l.starts_with('{') => parse_kv_edn(text).map(History::Kv),
        _ => parse_jepsen_log(text).map(History::Register),
    }
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

// ---------------------------------------------------------------------------------------------
// Pairing invocations with completions.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventType {
    Invoke,
    Ok,
    Fail,
    Info,
}

fn event_type(line: usize, kw: &str) -> Result<EventType, ParseError> {
    match kw {
        "invoke" => Ok(EventType::Invoke),
        "ok" => Ok(EventType::Ok),
        "fail" => Ok(EventType::Fail),
        "info" => Ok(EventType::Info),
        other => err(line, format!("unknown event type :{other}")),
    }
}

/// Collects ops as events arrive. `F` is the op's function name, kept to check that a
/// completion matches its invocation.
struct Pairer<I, O> {
    ops: Vec<(
        Operation<I, O>,
        bool,   /* dropped */
        String, /* f */
    )>,
    open: FxHashMap<u64, usize>,
    time: u64,
}

impl<I, O> Pairer<I, O> {
    fn new() -> Self {
        Pairer {
            ops: Vec::new(),
            open: FxHashMap::default(),
            time: 0,
        }
    }

    fn invoke(&mut self, line: usize, process: u64, f: &str, input: I) -> Result<(), ParseError> {
        if let Some(&i) = self.open.get(&process) {
            let f0 = &self.ops[i].2;
            return err(
                line,
                format!("process {process} invokes :{f} while its :{f0} is still pending"),
            );
        }
        self.open.insert(process, self.ops.len());
        self.ops.push((
            Operation {
                client: process,
                input,
                output: None,
                call: self.time,
                ret: None,
            },
            false,
            f.to_string(),
        ));
        self.time += 1;
        Ok(())
    }

    /// Close `process`'s open op. `output` is only consulted for `:ok`.
    fn complete(
        &mut self,
        line: usize,
        process: u64,
        f: &str,
        ty: EventType,
        output: impl FnOnce(&I) -> Result<O, String>,
    ) -> Result<(), ParseError> {
        let Some(i) = self.open.remove(&process) else {
            return err(
                line,
                format!("process {process} completes :{f} without a pending invocation"),
            );
        };
        let (op, dropped, f0) = &mut self.ops[i];
        if f0 != f {
            return err(
                line,
                format!("process {process} completes :{f} but invoked :{f0}"),
            );
        }
        match ty {
            EventType::Ok => {
                op.output = Some(output(&op.input).map_err(|m| ParseError { line, message: m })?);
                op.ret = Some(self.time);
            }
            EventType::Fail => *dropped = true,
            // Unknown outcome: ret and output stay None.
            EventType::Info | EventType::Invoke => {}
        }
        self.time += 1;
        Ok(())
    }

    fn finish(self) -> Vec<Operation<I, O>> {
        self.ops
            .into_iter()
            .filter(|(_, dropped, _)| !dropped)
            .map(|(op, _, _)| op)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// A small EDN reader: just the values Jepsen histories use.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Edn {
    Nil,
    Bool(bool),
    Int(i64),
    Str(String),
    Keyword(String),
    Vector(Vec<Edn>),
}

impl Edn {
    fn describe(&self) -> String {
        match self {
            Edn::Nil => "nil".into(),
            Edn::Bool(b) => b.to_string(),
            Edn::Int(i) => i.to_string(),
            Edn::Str(s) => format!("{s:?}"),
            Edn::Keyword(k) => format!(":{k}"),
            Edn::Vector(v) => format!(
                "[{}]",
                v.iter().map(Edn::describe).collect::<Vec<_>>().join(" ")
            ),
        }
    }
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(s: &'a str) -> Self {
        Reader {
            s: s.as_bytes(),
            pos: 0,
        }
    }

    /// Commas are whitespace in EDN.
    fn skip_ws(&mut self) {
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_whitespace() || self.s[self.pos] == b',')
        {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.s.len()
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn is_delim(b: u8) -> bool {
        b.is_ascii_whitespace()
            || matches!(b, b',' | b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'"')
    }

    fn symbol(&mut self) -> &'a str {
        let start = self.pos;
        while self.pos < self.s.len() && !Self::is_delim(self.s[self.pos]) {
            self.pos += 1;
        }
        // Symbols end at ASCII delimiters, so the slice boundaries are char boundaries.
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    fn value(&mut self, depth: usize) -> Result<Edn, String> {
        if depth > 16 {
            return Err("values nested too deeply".into());
        }
        match self.peek() {
            None => Err("unexpected end of line".into()),
            Some(b'"') => self.string().map(Edn::Str),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Edn::Vector(items));
                        }
                        None => return Err("unterminated vector".into()),
                        Some(_) => items.push(self.value(depth + 1)?),
                    }
                }
            }
            Some(b':') => {
                self.pos += 1;
                let k = self.symbol();
                if k.is_empty() {
                    return Err("empty keyword".into());
                }
                Ok(Edn::Keyword(k.to_string()))
            }
            Some(c) if Self::is_delim(c) => Err(format!("unexpected '{}'", c as char)),
            Some(_) => {
                let sym = self.symbol();
                match sym {
                    "nil" => Ok(Edn::Nil),
                    "true" => Ok(Edn::Bool(true)),
                    "false" => Ok(Edn::Bool(false)),
                    _ => sym
                        .parse::<i64>()
                        .map(Edn::Int)
                        .map_err(|_| format!("unexpected token {sym:?}")),
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        while let Some(&b) = self.s.get(self.pos) {
            self.pos += 1;
            match b {
                b'"' => {
                    return String::from_utf8(out).map_err(|_| "string is not UTF-8".to_string())
                }
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'"' | b'\\' => e,
                        _ => return Err(format!("unsupported escape \\{}", e as char)),
                    });
                }
                _ => out.push(b),
            }
        }
        Err("unterminated string".into())
    }

    /// `{:k v, ...}` as (keyword, value) pairs.
    fn map(&mut self) -> Result<Vec<(String, Edn)>, String> {
        if self.peek() != Some(b'{') {
            return Err("expected '{'".into());
        }
        self.pos += 1;
        let mut pairs = Vec::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(pairs);
                }
                None => return Err("unterminated map".into()),
                Some(_) => {
                    let Edn::Keyword(k) = self.value(0)? else {
                        return Err("map keys must be keywords".into());
                    };
                    if self.peek() == Some(b'}') {
                        return Err(format!("key :{k} has no value"));
                    }
                    let v = self.value(0)?;
                    pairs.push((k, v));
                }
            }
        }
    }
}

fn process_id(line: usize, v: &Edn) -> Result<u64, ParseError> {
    match v {
        Edn::Int(p) if *p >= 0 => Ok(*p as u64),
        other => err(
            line,
            format!(
                "process must be a non-negative integer, got {}",
                other.describe()
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Porcupine's kv histories.

/// Parse one EDN map per line: `{:process 9, :type :invoke, :f :append, :key "0", :value "x"}`.
pub fn parse_kv_edn(text: &str) -> Result<KvHistory, ParseError> {
    let mut pairer: Pairer<KvInput, KvOutput> = Pairer::new();
    let mut keys: FxHashMap<String, KvKey> = FxHashMap::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut r = Reader::new(raw);
        let pairs = r.map().map_err(|m| ParseError { line, message: m })?;
        if !r.at_end() {
            return err(line, "trailing characters after the map");
        }
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let need = |name: &str| {
            get(name).ok_or_else(|| ParseError {
                line,
                message: format!("missing :{name}"),
            })
        };
        let process = process_id(line, need("process")?)?;
        let ty = match need("type")? {
            Edn::Keyword(k) => event_type(line, k)?,
            other => {
                return err(
                    line,
                    format!(":type must be a keyword, got {}", other.describe()),
                )
            }
        };
        let f = match need("f")? {
            Edn::Keyword(k) if matches!(k.as_str(), "get" | "put" | "append") => k.clone(),
            other => {
                return err(
                    line,
                    format!(":f must be :get, :put or :append, got {}", other.describe()),
                )
            }
        };
        let value = get("value").cloned().unwrap_or(Edn::Nil);
        if ty == EventType::Invoke {
            let key_name = match need("key")? {
                Edn::Str(s) => s.clone(),
                Edn::Int(i) => i.to_string(),
                other => {
                    return err(
                        line,
                        format!(":key must be a string, got {}", other.describe()),
                    )
                }
            };
            let next_id = keys.len() as u64;
            let key = keys
                .entry(key_name.clone())
                .or_insert_with(|| KvKey {
                    id: next_id,
                    name: Arc::from(key_name.as_str()),
                })
                .clone();
            let op = match (f.as_str(), &value) {
                ("get", _) => KvOp::Get,
                ("put", Edn::Str(s)) => KvOp::Put(Arc::from(s.as_str())),
                ("append", Edn::Str(s)) => KvOp::Append(Arc::from(s.as_str())),
                (_, other) => {
                    return err(
                        line,
                        format!(":{f} needs a string :value, got {}", other.describe()),
                    )
                }
            };
            pairer.invoke(line, process, &f, KvInput { key, op })?;
        } else {
            pairer.complete(line, process, &f, ty, |input| match input.op {
                // A missing key reads as "" in Porcupine's model; nil means the same.
                KvOp::Get => match &value {
                    Edn::Str(s) => Ok(KvOutput::Value(Arc::from(s.as_str()))),
                    Edn::Nil => Ok(KvOutput::Value(Arc::from(""))),
                    other => Err(format!(
                        ":get returned {}, expected a string or nil",
                        other.describe()
                    )),
                },
                KvOp::Put(_) | KvOp::Append(_) => Ok(KvOutput::Ok),
            })?;
        }
    }
    Ok(pairer.finish())
}

// ---------------------------------------------------------------------------------------------
// Jepsen's etcd logs.

/// Parse `INFO  jepsen.util - PROCESS<TAB>:TYPE<TAB>:F<TAB>VALUE` lines (tabs or spaces).
/// Every non-blank line must be such a line: a file of something else is an error, not an
/// empty (hence "linearizable") history.
pub fn parse_jepsen_log(text: &str) -> Result<RegisterHistory, ParseError> {
    let mut pairer: Pairer<RegInput, RegOutput> = Pairer::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let Some(rest) = raw
            .trim_start()
            .strip_prefix("INFO")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix("jepsen.util"))
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('-'))
        else {
            return err(
                line,
                "expected 'INFO  jepsen.util - PROCESS :TYPE :F VALUE'",
            );
        };
        let mut fields = rest.split_whitespace();
        let (Some(p), Some(ty), Some(f)) = (fields.next(), fields.next(), fields.next()) else {
            return err(line, "expected PROCESS :TYPE :F VALUE");
        };
        let value_text = fields.collect::<Vec<_>>().join(" ");
        let process = p.parse::<u64>().map_err(|_| ParseError {
            line,
            message: format!("bad process {p:?}"),
        })?;
        let ty = match ty.strip_prefix(':') {
            Some(k) => event_type(line, k)?,
            None => return err(line, format!("bad event type {ty:?}")),
        };
        let f = match f.strip_prefix(':') {
            Some(k @ ("read" | "write" | "cas")) => k,
            _ => {
                return err(
                    line,
                    format!("bad function {f:?}, expected :read, :write or :cas"),
                )
            }
        };
        let value = {
            let mut r = Reader::new(&value_text);
            let v = if r.at_end() {
                Edn::Nil
            } else {
                r.value(0).map_err(|m| ParseError { line, message: m })?
            };
            if !r.at_end() {
                return err(line, format!("trailing characters in value {value_text:?}"));
            }
            v
        };
        if ty == EventType::Invoke {
            let input = match (f, &value) {
                ("read", _) => RegInput::Read,
                ("write", Edn::Int(v)) => RegInput::Write(*v),
                ("cas", Edn::Vector(v)) => match v.as_slice() {
                    [Edn::Int(from), Edn::Int(to)] => RegInput::Cas {
                        from: *from,
                        to: *to,
                    },
                    _ => {
                        return err(
                            line,
                            format!(":cas needs [from to], got {}", value.describe()),
                        )
                    }
                },
                _ => {
                    return err(
                        line,
                        format!(":{f} got an invalid value {}", value.describe()),
                    )
                }
            };
            pairer.invoke(line, process, f, input)?;
        } else {
            pairer.complete(line, process, f, ty, |input| match input {
                RegInput::Read => match value {
                    Edn::Nil => Ok(RegOutput::Read(None)),
                    Edn::Int(v) => Ok(RegOutput::Read(Some(v))),
                    ref other => Err(format!(
                        ":read returned {}, expected an integer or nil",
                        other.describe()
                    )),
                },
                RegInput::Write(_) => Ok(RegOutput::Write),
                // Jepsen reports a failed compare as :fail, so an :ok cas succeeded.
                RegInput::Cas { .. } => Ok(RegOutput::Cas(true)),
            })?;
        }
    }
    Ok(pairer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_lines() {
        let h = parse_kv_edn(
            "{:process 1, :type :invoke, :f :put, :key \"a\", :value \"x\\\"y\"}\n\
             {:process 2, :type :invoke, :f :get, :key \"a\", :value nil}\n\
             {:process 1, :type :ok, :f :put, :key \"a\", :value \"x\\\"y\"}\n\
             {:process 2, :type :info, :f :get, :key \"a\", :value nil}\n",
        )
        .unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].input.op, KvOp::Put(Arc::from("x\"y")));
        assert_eq!((h[0].call, h[0].ret), (0, Some(2)));
        assert_eq!((h[1].call, h[1].ret, &h[1].output), (1, None, &None));
    }

    #[test]
    fn jepsen_lines() {
        let h = parse_jepsen_log(
            "INFO  jepsen.util - 0\t:invoke\t:cas\t[3 0]\n\
             INFO  jepsen.util - 1   :invoke :write  4\n\
             INFO  jepsen.util - 0\t:fail\t:cas\t[3 0]\n\
             INFO  jepsen.util - 1\t:info\t:write\t:timed-out\n\
             INFO  jepsen.util - 2\t:invoke\t:read\tnil\n\
             INFO  jepsen.util - 2\t:ok\t:read\t4\n",
        )
        .unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].input, h[0].ret), (RegInput::Write(4), None));
        assert_eq!(
            (h[1].output, h[1].call, h[1].ret),
            (Some(RegOutput::Read(Some(4))), 4, Some(5))
        );
    }

    #[test]
    fn malformed_input_names_the_line() {
        let cases = [
            "{:process 1, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n{:process 1",
            "{:process 1, :type :ok, :f :put, :key \"a\", :value \"x\"}",
            "{:process -1, :type :invoke, :f :get, :key \"a\"}",
            "{:process 1, :type :invoke, :f :put, :key \"a\", :value \"x}",
            "{:process 1, :type :invoke, :f :put, :key \"a\", :value \"\\q\"}",
            "{:process 1, :type :nope, :f :get, :key \"a\"}",
            "{:process 1 :type}",
            "{[[[[[[[[[[[[[[[[[[[[[[[[",
            "\u{e9}{",
        ];
        for c in cases {
            let e = parse_kv_edn(c).unwrap_err();
            assert!(e.line >= 1, "{c}: {e}");
        }
        let cases = [
            "INFO  jepsen.util - 0\t:invoke\t:cas\t[3]",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 0\t:ok\t:read\tnil",
            "INFO  jepsen.util - x\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 0\t:invoke\t:frob\tnil",
            "INFO  jepsen.util - 0\t:invoke\t:write\t\"s\"",
            "INFO  jepsen.util - 0\t:invoke",
            "garbage",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:write\t1",
        ];
        for c in cases {
            let e = parse_jepsen_log(c).unwrap_err();
            assert!(e.line >= 1, "{c}: {e}");
        }
        assert_eq!(parse_jepsen_log("\n\ngarbage").unwrap_err().line, 3);
    }
}
