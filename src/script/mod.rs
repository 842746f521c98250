//! Lua scripting, as Redis 7.0 runs it: EVAL's script cache and FUNCTION's libraries,
//! each on its own sandboxed Lua 5.1 state (`lua_env`), replies converted both ways as
//! `script_lua.c` does (`convert`), the `bit` library, and rand48 for `math.random`.
//!
//! This layer knows nothing of commands: a run gets a [`Host`] that executes what the
//! script passes to `redis.call`, so the command layer (src/cmd/scripting.rs) keeps all
//! of Redis's rules about which commands a script may run.

pub mod bit;
pub mod cjson;
pub mod convert;
pub mod function;
pub mod lua_env;
pub mod rand48;

use crate::resp::Reply;
use bytes::Bytes;
use lua_env::LuaEnv;
use mlua::{Function, MultiValue, Value};
use rand48::Rand48;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// What `redis.call` gets back from the command layer.
pub enum CallOutcome {
    /// The command ran (its reply may be an error reply).
    Reply(Reply),
    /// `scriptCall` refused it before running (the text, without a code).
    Refused(String),
}

/// Runs the commands a script calls.
pub trait Host {
    /// Executes `argv` (already converted from Lua) with the script client's RESP
    /// version `resp`.
    fn call(&mut self, argv: &[Bytes], resp: u8) -> CallOutcome;

    /// `redis.acl_check_cmd` of an existing command: whether the script's caller may run
    /// `argv`. The default has no users to ask.
    fn acl_allows(&mut self, argv: &[Bytes]) -> bool {
        let _ = argv;
        true
    }

    /// Whether the run gets the count hook (Redis: busy-reply-threshold > 0).
    fn wants_interrupts(&self) -> bool {
        false
    }

    /// The count hook's question, every 100000 instructions: true stops the script
    /// with "Script killed by user with SCRIPT KILL...".
    fn interrupt(&mut self) -> bool {
        false
    }
}

/// Flags of a script's shebang or of a function (SCRIPT_FLAG_*).
pub const FLAG_NO_WRITES: u32 = 1 << 0;
pub const FLAG_ALLOW_OOM: u32 = 1 << 1;
pub const FLAG_ALLOW_STALE: u32 = 1 << 2;
pub const FLAG_NO_CLUSTER: u32 = 1 << 3;
/// No shebang: EVAL's backwards-compatible mode.
pub const FLAG_EVAL_COMPAT_MODE: u32 = 1 << 4;
pub const FLAG_ALLOW_CROSS_SLOT: u32 = 1 << 5;

/// `scripts_flags_def`, in Redis's order (FUNCTION LIST prints them in it).
pub const FLAG_NAMES: &[(u32, &str)] = &[
    (FLAG_NO_WRITES, "no-writes"),
    (FLAG_ALLOW_OOM, "allow-oom"),
    (FLAG_ALLOW_STALE, "allow-stale"),
    (FLAG_NO_CLUSTER, "no-cluster"),
    (FLAG_ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
];

pub fn flag_by_name(name: &str) -> Option<u32> {
    FLAG_NAMES.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
}

/// A script in EVAL's cache.
pub struct EvalScript {
    pub body: Bytes,
    pub flags: u32,
    func: Function,
}

/// EVAL's state: the Lua state (created on first use) and the cache by SHA1.
pub struct Scripting {
    rand: Rc<Cell<Rand48>>,
    cmd_exists: fn(&[u8]) -> bool,
    eval_env: Option<LuaEnv>,
    scripts: BTreeMap<[u8; 40], EvalScript>,
    /// FUNCTION's libraries and their own Lua state.
    pub functions: function::Functions,
}

/// Upper bound of EVAL's script cache. Redis 7.0 has none (every distinct EVAL body
/// stays until SCRIPT FLUSH); past this many, SCRIPT FLUSH's reset is applied first.
pub const MAX_CACHED_SCRIPTS: usize = 1 << 20;

impl Scripting {
    pub fn new(cmd_exists: fn(&[u8]) -> bool) -> Scripting {
        Scripting {
            rand: Rc::new(Cell::new(Rand48::default())),
            cmd_exists,
            eval_env: None,
            scripts: BTreeMap::new(),
            functions: function::Functions::default(),
        }
    }

    fn eval_env(&mut self) -> Result<&LuaEnv, Reply> {
        if self.eval_env.is_none() {
            let env = LuaEnv::new(true, self.rand.clone(), self.cmd_exists)
                .map_err(|e| Reply::error(format!("ERR Lua initialization failed: {e}")))?;
            self.eval_env = Some(env);
        }
        Ok(self.eval_env.as_ref().expect("just created"))
    }

    /// SCRIPT FLUSH: a fresh Lua state and an empty cache (`scriptingReset`).
    pub fn flush_scripts(&mut self) {
        self.scripts.clear();
        self.eval_env = None;
    }

    pub fn script_exists(&self, sha: &[u8]) -> bool {
        sha_key(sha).is_some_and(|k| self.scripts.contains_key(&k))
    }

    /// The cached script by SHA1 (any case).
    pub fn script(&self, sha: &[u8]) -> Option<&EvalScript> {
        sha_key(sha).and_then(|k| self.scripts.get(&k))
    }

    /// `luaCreateFunction`: compiles and caches `body` unless cached; returns its SHA1.
    pub fn create_script(&mut self, body: &Bytes) -> Result<[u8; 40], Reply> {
        let sha = sha_key(lua_env::sha1_hex(body).as_bytes()).expect("40 hex digits");
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, shebang_len) = extract_shebang_flags(body).map_err(Reply::error)?;
        if self.scripts.len() >= MAX_CACHED_SCRIPTS {
            self.flush_scripts();
        }
        let env = self.eval_env()?;
        // The shebang line is skipped but its newline kept, so line numbers still match.
        let func = env
            .compile(&body[shebang_len..], "@user_script")
            .map_err(|e| {
                Reply::error_bytes(
                    [b"ERR Error compiling script (new function): ", e.as_bytes()].concat(),
                )
            })?;
        self.scripts.insert(
            sha,
            EvalScript {
                body: body.clone(),
                flags,
                func,
            },
        );
        Ok(sha)
    }

    /// Runs a cached script with KEYS and ARGV (`luaCallFunction` in EVAL mode).
    pub fn run_script(
        &mut self,
        sha: &[u8; 40],
        keys: &[Bytes],
        args: &[Bytes],
        host: &mut dyn Host,
    ) -> Reply {
        let Some(func) = self.scripts.get(sha).map(|s| s.func.clone()) else {
            return Reply::err("NOSCRIPT No matching script. Please use EVAL.");
        };
        let env = match self.eval_env() {
            Ok(env) => env,
            Err(e) => return e,
        };
        let set = env
            .array(keys)
            .and_then(|k| env.globals.raw_set("KEYS", k))
            .and_then(|_| env.array(args))
            .and_then(|a| env.globals.raw_set("ARGV", a));
        if let Err(e) = set {
            return Reply::error(format!("ERR {e}"));
        }
        let name = std::str::from_utf8(sha).unwrap_or("");
        run_in(env, &func, None, name, host)
    }
}

/// Runs `func` on `env` with redis.call bound to `host`, and converts the result.
fn run_in(
    env: &LuaEnv,
    func: &Function,
    keys_args: Option<(&[Bytes], &[Bytes])>,
    name: &str,
    host: &mut dyn Host,
) -> Reply {
    let host = RefCell::new(host);
    let lua = &env.lua;
    let outcome = lua.scope(|scope| {
        let call = scope.create_function(|lua, args: MultiValue| {
            let mut it = args.into_iter();
            let raise = matches!(it.next(), Some(Value::Boolean(true)));
            let resp = match it.next() {
                Some(Value::Integer(3)) => 3,
                Some(Value::Number(3.0)) => 3,
                _ => 2,
            };
            let rest: Vec<Value> = it.collect();
            let argv = match lua_args(&rest) {
                Ok(argv) => argv,
                Err(msg) => {
                    let t = convert::error_table(lua, msg.as_bytes(), false)?;
                    return Ok((Value::Table(t), raise));
                }
            };
            let outcome = host.borrow_mut().call(&argv, resp);
            match outcome {
                CallOutcome::Reply(reply) => {
                    let is_err = matches!(reply, Reply::Error(_));
                    Ok((convert::reply_to_lua(lua, &reply, resp)?, raise && is_err))
                }
                CallOutcome::Refused(msg) => {
                    let t = convert::error_table(lua, msg.as_bytes(), true)?;
                    Ok((Value::Table(t), raise))
                }
            }
        })?;
        env.slot.raw_set("call", call)?;
        let acl_check = scope.create_function(|_, args: MultiValue| {
            let rest: Vec<Value> = args.into_iter().collect();
            Ok(lua_args(&rest).is_ok_and(|argv| host.borrow_mut().acl_allows(&argv)))
        })?;
        env.slot.raw_set("acl_check", acl_check)?;
        let interrupt = scope.create_function(|_, ()| {
            // redis.call's commands run no Lua, so the host is never borrowed here; if
            // it were, going on is the safe answer.
            Ok(host.try_borrow_mut().is_ok_and(|mut h| h.interrupt()))
        })?;
        env.slot.raw_set("interrupt", interrupt)?;
        let keys_args = match keys_args {
            None => None,
            Some((keys, args)) => Some((env.array(keys)?, env.array(args)?)),
        };
        // Nothing between setting and removing the hook can return early.
        let hooked = host.borrow().wants_interrupts();
        env.set_count_hook(hooked);
        let result = env.run(func, keys_args);
        if hooked {
            env.set_count_hook(false);
        }
        env.slot.raw_set("call", Value::Nil)?;
        env.slot.raw_set("acl_check", Value::Nil)?;
        env.slot.raw_set("interrupt", Value::Nil)?;
        Ok(result)
    });
    // The script client's RESP version at the end (setresp) decides how booleans
    // convert, as Redis's luaReplyToRedisReply reads `script_client->resp`.
    match outcome {
        Ok((true, value, resp)) => convert::lua_to_reply(lua, value, resp),
        Ok((false, err, _)) => error_reply(lua, err, name),
        Err(e) => Reply::error(format!("ERR Error running script {name}, {e}")),
    }
}

/// The reply of a failed run (`luaCallFunction`'s error branch).
fn error_reply(lua: &mlua::Lua, err: Value, name: &str) -> Reply {
    match err {
        Value::Table(t) => {
            let field = |k: &str| -> Option<Bytes> {
                match t.get::<Value>(k).ok()? {
                    Value::String(s) => Some(Bytes::copy_from_slice(&s.as_bytes())),
                    Value::Integer(n) => Some(Bytes::from(n.to_string())),
                    Value::Number(n) => lua
                        .coerce_string(Value::Number(n))
                        .ok()
                        .flatten()
                        .map(|s| Bytes::copy_from_slice(&s.as_bytes())),
                    _ => None,
                }
            };
            let msg = field("err").unwrap_or_else(|| Bytes::from_static(b"(null)"));
            let mut out = crate::util::c_str(&msg).to_vec();
            if let (Some(line), Some(source)) = (field("line"), field("source")) {
                out.extend_from_slice(format!(" script: {name}, on ").as_bytes());
                out.extend_from_slice(crate::util::c_str(&source));
                out.push(b':');
                out.extend_from_slice(&line);
                out.push(b'.');
            }
            Reply::error_bytes(out)
        }
        other => {
            let msg = match other {
                Value::String(s) => s.as_bytes().to_vec(),
                _ => b"execution failure".to_vec(),
            };
            let msg = &msg[..msg.len().min(100)];
            Reply::error_bytes(
                [
                    format!("ERR Error running script {name}, ").as_bytes(),
                    crate::util::c_str(msg),
                ]
                .concat(),
            )
        }
    }
}

/// `luaArgsToRedisArgv`: strings as they are, numbers as `%.17g`, anything else refused.
fn lua_args(args: &[Value]) -> Result<Vec<Bytes>, &'static str> {
    if args.is_empty() {
        return Err("Please specify at least one argument for this redis lib call");
    }
    args.iter()
        .map(|v| match v {
            Value::String(s) => Ok(Bytes::copy_from_slice(&s.as_bytes())),
            Value::Integer(n) => Ok(convert::number_arg(*n as f64)),
            Value::Number(n) => Ok(convert::number_arg(*n)),
            _ => Err("Lua redis lib command arguments must be strings or integers"),
        })
        .collect()
}

/// A SHA1 in lower-case hex as a fixed key; `None` if not 40 bytes.
pub fn sha_key(sha: &[u8]) -> Option<[u8; 40]> {
    let mut key: [u8; 40] = sha.try_into().ok()?;
    key.make_ascii_lowercase();
    Some(key)
}

/// `evalExtractShebangFlags`: the flags of a `#!lua flags=...` line and its length
/// (0 and compat mode without a shebang).
pub fn extract_shebang_flags(body: &[u8]) -> Result<(u32, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((FLAG_EVAL_COMPAT_MODE, 0));
    }
    // strchr(body, '\n'): a NUL before the newline ends the search.
    let Some(end) = crate::util::c_str(body).iter().position(|&c| c == b'\n') else {
        return Err("ERR Invalid script shebang".into());
    };
    let parts = split_args(&body[..end]);
    let Some(parts) = parts.filter(|p| !p.is_empty()) else {
        return Err("ERR Invalid engine in script shebang".into());
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(crate::util::c_str(&parts[0]))
        ));
    }
    let mut flags = 0;
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "ERR Unknown lua shebang option: {}",
                String::from_utf8_lossy(crate::util::c_str(part))
            ));
        };
        for flag in list.split(|&c| c == b',') {
            match std::str::from_utf8(flag).ok().and_then(flag_by_name) {
                Some(f) => flags |= f,
                None => {
                    return Err(format!(
                        "ERR Unexpected flag in script shebang: {}",
                        String::from_utf8_lossy(crate::util::c_str(flag))
                    ))
                }
            }
        }
    }
    Ok((flags, end))
}

/// `sdssplitargs` (one implementation, `resp::parse::split_args`), as owned words.
/// `None` on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    crate::resp::parse::split_args(line).map(|words| words.iter().map(|w| w.to_vec()).collect())
}
