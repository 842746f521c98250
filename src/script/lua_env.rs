//! One sandboxed Lua 5.1 state, as Redis 7.0 builds one for EVAL (`scriptingInit`) and one
//! for FUNCTION (`luaEngineInitEngine`): the libraries Redis loads, the `redis` API, the
//! locked globals (src/script/prelude.lua), and the Rust helpers the prelude calls. The
//! state never sees the OS: no `os`, `io`, `require` or file loading, and `math.random`
//! draws from the process-wide rand48 state the caller passes in.

use super::{bit, rand48::Rand48};
use bytes::Bytes;
use mlua::{ffi, Function, Lua, LuaOptions, StdLib, Table, Value};
use std::cell::{Cell, RefCell};
use std::ffi::c_int;
use std::rc::Rc;

/// Redis's version, as `redis.REDIS_VERSION` and `REDIS_VERSION_NUM` report it.
pub const REDIS_VERSION: &str = "7.0.15";
pub const REDIS_VERSION_NUM: i64 = 0x0007_000f;

/// Upper bound of a Lua state's heap. Redis has none; without one a script could take the
/// whole machine. A script past it fails with Lua's "not enough memory".
pub const LUA_MEMORY_LIMIT: usize = 1 << 30;

/// A function `redis.register_function` accepted during a FUNCTION LOAD.
pub struct Registered {
    pub name: Bytes,
    pub desc: Option<Bytes>,
    pub callback: Function,
    pub flags: Vec<String>,
}

/// A Lua state with Redis's sandbox.
pub struct LuaEnv {
    pub lua: Lua,
    /// The real globals table (scripts see a read-only proxy of it); KEYS and ARGV are
    /// set here.
    pub globals: Table,
    /// Holds `call`, the per-run implementation of redis.call/pcall.
    pub slot: Table,
    run: Function,
    load: Function,
    /// Functions registered by the library being loaded.
    pub registered: Rc<RefCell<Vec<Registered>>>,
    /// redis.log lines: (level, text), most recent last, bounded.
    pub logs: Rc<RefCell<Vec<(u8, Bytes)>>>,
}

const MAX_LOGS: usize = 256;

impl LuaEnv {
    /// A fresh state. `eval_mode` adds EVAL's extras (`redis.breakpoint`, `redis.debug`,
    /// `redis.replicate_commands`, the global error handler); `cmd_exists` answers
    /// `redis.acl_check_cmd`.
    pub fn new(
        eval_mode: bool,
        rand: Rc<Cell<Rand48>>,
        cmd_exists: fn(&[u8]) -> bool,
    ) -> mlua::Result<LuaEnv> {
        // SAFETY of `unsafe_new_with`: the debug library is loaded only so the prelude can
        // capture `debug.getinfo` for the error handler; it removes `debug` from the
        // globals before any user code runs, as Redis does.
        let lua = unsafe {
            Lua::unsafe_new_with(
                StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG,
                LuaOptions::new(),
            )
        };
        lua.set_memory_limit(LUA_MEMORY_LIMIT)?;
        let rt = lua.create_table()?;
        rt.set(
            "sha1hex",
            lua.create_function(|_, s: mlua::String| Ok(sha1_hex(&s.as_bytes())))?,
        )?;
        let r = rand.clone();
        rt.set(
            "rand_unit",
            lua.create_function(move |_, ()| {
                let mut state = r.get();
                let v = state.next_unit();
                r.set(state);
                Ok(v)
            })?,
        )?;
        rt.set(
            "rand_seed",
            lua.create_function(move |_, seed: f64| {
                // luaL_checkint: the number truncated to a C int.
                rand.set(Rand48::new(seed as i64 as i32));
                Ok(())
            })?,
        )?;
        let logs: Rc<RefCell<Vec<(u8, Bytes)>>> = Rc::default();
        let l = logs.clone();
        rt.set(
            "log",
            lua.create_function(move |_, (level, msg): (f64, mlua::String)| {
                let mut logs = l.borrow_mut();
                if logs.len() >= MAX_LOGS {
                    logs.remove(0);
                }
                logs.push((level as u8, Bytes::copy_from_slice(&msg.as_bytes())));
                Ok(())
            })?,
        )?;
        rt.set(
            "cmd_exists",
            lua.create_function(move |_, name: mlua::String| Ok(cmd_exists(&name.as_bytes())))?,
        )?;
        let registered: Rc<RefCell<Vec<Registered>>> = Rc::default();
        let reg = registered.clone();
        rt.set(
            "register",
            lua.create_function(
                move |_,
                      (name, desc, callback, flags): (
                    mlua::String,
                    Option<mlua::String>,
                    Function,
                    Vec<String>,
                )| {
                    let name = Bytes::copy_from_slice(&name.as_bytes());
                    let mut reg = reg.borrow_mut();
                    if let Some(err) = check_function_name(&name) {
                        return Ok(Some(err));
                    }
                    if reg.iter().any(|f| f.name == name) {
                        return Ok(Some("Function already exists in the library"));
                    }
                    reg.push(Registered {
                        name,
                        desc: desc.map(|d| Bytes::copy_from_slice(&d.as_bytes())),
                        callback,
                        flags,
                    });
                    Ok(None)
                },
            )?,
        )?;
        rt.set(
            "raiser",
            lua.create_function(|lua, f: Function| {
                // SAFETY: pushcclosure pops the function (the only value on the stack of
                // the protected call) and pushes the closure, which is returned.
                unsafe {
                    lua.exec_raw::<Function>(f, |state| {
                        ffi::lua_pushcclosure(state, raiser, 1);
                    })
                }
            })?,
        )?;
        rt.set("version", REDIS_VERSION)?;
        rt.set("version_num", REDIS_VERSION_NUM)?;
        let libs = lua.create_table()?;
        libs.set("cjson_raw", super::cjson::open(&lua)?)?;
        rt.set("libs", libs)?;
        rt.set("bit_raw", bit::open(&lua)?)?;
        let api: Table = lua
            .load(include_str!("prelude.lua"))
            .set_name("=seedis")
            .call((rt, eval_mode))?;
        lua.set_named_registry_value(INTERRUPT_KEY, api.get::<Function>("interrupt")?)?;
        Ok(LuaEnv {
            globals: api.get("globals")?,
            slot: api.get("slot")?,
            run: api.get("run")?,
            load: api.get("load")?,
            lua,
            registered,
            logs,
        })
    }

    /// Compiles a chunk with the given chunk name (`@user_script`, `@user_function`);
    /// `Err` is Lua's message.
    pub fn compile(&self, code: &[u8], name: &str) -> Result<Function, String> {
        self.lua
            .load(code)
            .set_name(name)
            .into_function()
            .map_err(|e| match e {
                mlua::Error::SyntaxError { message, .. } => message,
                other => other.to_string(),
            })
    }

    /// Runs a compiled script (no `keys`: EVAL, whose KEYS/ARGV are globals) or a
    /// function (`keys` and `args` passed as its two arguments) under the error handler.
    /// Returns whether it succeeded and the value (the result, or the error object).
    /// The third value is the RESP version the script left selected (`redis.setresp`).
    pub fn run(&self, f: &Function, keys_args: Option<(Table, Table)>) -> (bool, Value, u8) {
        let result = match keys_args {
            Some((k, a)) => self.run.call::<(bool, Value, u8)>((f, k, a)),
            None => self
                .run
                .call::<(bool, Value, u8)>((f, Value::Nil, Value::Nil)),
        };
        match result {
            Ok(triple) => triple,
            Err(e) => (false, Value::String(self.err_string(&e)), 2),
        }
    }

    /// Runs a library's top-level code with the library API as globals. `Err` is the
    /// message Redis puts after "Error registering functions: ".
    pub fn load_library(&self, f: &Function) -> Result<(), Bytes> {
        self.registered.borrow_mut().clear();
        match self.load.call::<(bool, Option<mlua::String>)>(f) {
            Ok((true, _)) => Ok(()),
            Ok((false, msg)) => Err(msg.map_or(Bytes::from_static(b"(null)"), |m| {
                Bytes::copy_from_slice(&m.as_bytes())
            })),
            Err(e) => Err(Bytes::from(format!("ERR {e}"))),
        }
    }

    /// A Lua array of byte strings (KEYS, ARGV).
    pub fn array(&self, items: &[Bytes]) -> mlua::Result<Table> {
        let t = self.lua.create_table_with_capacity(items.len(), 0)?;
        for (i, item) in items.iter().enumerate() {
            t.raw_set(i + 1, self.lua.create_string(item)?)?;
        }
        Ok(t)
    }

    fn err_string(&self, e: &mlua::Error) -> mlua::String {
        self.lua
            .create_string(e.to_string())
            .unwrap_or_else(|_| self.lua.create_string("").expect("empty string"))
    }

    /// Installs (or removes) the count hook for one run: every
    /// [`HOOK_INSTRUCTIONS`](crate::cmd::busy::HOOK_INSTRUCTIONS) instructions it asks
    /// `slot.interrupt` whether to stop, as Redis's `luaMaskCountHook` does. Coroutines
    /// created by the script inherit it (lua_newthread copies the hook).
    pub fn set_count_hook(&self, on: bool) {
        let count = crate::cmd::busy::HOOK_INSTRUCTIONS as c_int;
        // SAFETY: lua_sethook only stores the hook in the state; nothing is pushed.
        let _ = unsafe {
            self.lua.exec_raw::<()>((), |state| {
                if on {
                    ffi::lua_sethook(state, Some(count_hook), ffi::LUA_MASKCOUNT, count);
                } else {
                    ffi::lua_sethook(state, None, 0, 0);
                }
            })
        };
    }

    /// Heap in use, for INFO and FUNCTION STATS-like reports.
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}

/// The C function behind every API function that can raise (see prelude.lua): calls its
/// upvalue, a Lua function returning `(value)` or `(error, how)`, and raises the error
/// from C, prefixed with the caller's position when `how` is a string (luaL_error).
/// Being a C function, it leaves the caller's frame in place on `return f(...)`.
///
/// # Safety
/// Called by Lua only. `lua_error` longjmps out of this frame, which holds no value
/// with a destructor at that point.
unsafe extern "C-unwind" fn raiser(state: *mut ffi::lua_State) -> c_int {
    let n = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, n, 2);
    if ffi::lua_type(state, -1) == ffi::LUA_TNIL {
        ffi::lua_settop(state, -2);
        return 1;
    }
    let with_position = ffi::lua_type(state, -1) == ffi::LUA_TSTRING;
    ffi::lua_settop(state, -2);
    if with_position {
        ffi::luaL_where(state, 1);
        ffi::lua_insert(state, -2);
        ffi::lua_concat(state, 2);
    }
    ffi::lua_error(state)
}

/// Where the prelude's `interrupt` is kept in the registry, for [`count_hook`].
const INTERRUPT_KEY: &str = "seedis_interrupt";

/// `luaMaskCountHook`: asks the prelude's `interrupt` (which asks the command layer,
/// through `slot.interrupt`, whether the script was killed while the loop processed
/// events). A kill turns the hook into a line hook, so a `pcall` in the script cannot
/// catch the error and go on spinning: the next line raises it again.
///
/// # Safety
/// Called by Lua only, as a hook. `lua_error` longjmps out of this frame, which holds
/// no value with a destructor.
unsafe extern "C-unwind" fn count_hook(state: *mut ffi::lua_State, _ar: *mut ffi::lua_Debug) {
    ffi::lua_getfield_(state, ffi::LUA_REGISTRYINDEX, c"seedis_interrupt".as_ptr());
    if ffi::lua_type(state, -1) != ffi::LUA_TFUNCTION {
        ffi::lua_settop(state, -2);
        return;
    }
    ffi::lua_call(state, 0, 1);
    if ffi::lua_type(state, -1) == ffi::LUA_TNIL {
        ffi::lua_settop(state, -2);
        return;
    }
    ffi::lua_sethook(state, Some(count_hook), ffi::LUA_MASKLINE, 0);
    ffi::lua_error(state);
}

/// `functionsVerifyName`: letters, digits and underscores, at least one.
pub fn check_function_name(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return Some(
            // functions.c says "Library" here for function names too.
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        );
    }
    None
}

/// `sha1hex`: lower-case hex of the SHA1.
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}
