//! FUNCTION's libraries (functions.c, function_lua.c): each library is Lua code with a
//! `#!lua name=<lib>` shebang whose top level registers functions with
//! `redis.register_function`; all of them share one Lua state of their own.

use super::lua_env::{check_function_name, LuaEnv};
use super::{flag_by_name, run_in, split_args, Host, Scripting};
use crate::resp::Reply;
use bytes::Bytes;
use mlua::Function;
use std::collections::BTreeMap;

/// One registered function.
pub struct FunctionInfo {
    pub name: Bytes,
    pub desc: Option<Bytes>,
    pub flags: u32,
    callback: Function,
}

/// One library: its code as loaded and its functions by name.
pub struct Library {
    pub name: Bytes,
    pub code: Bytes,
    pub functions: BTreeMap<Bytes, FunctionInfo>,
}

/// Every library and the index of function names to their library.
#[derive(Default)]
pub struct Functions {
    env: Option<LuaEnv>,
    pub libraries: BTreeMap<Bytes, Library>,
    /// Lower-cased function name -> (library, function name): FCALL finds functions
    /// case-insensitively (functionDictType), libraries keep their own case.
    index: BTreeMap<Bytes, (Bytes, Bytes)>,
}

fn lower(name: &[u8]) -> Bytes {
    Bytes::from(name.to_ascii_lowercase())
}

/// Upper bound of loaded libraries (Redis has none): a bound on what clients can make
/// the server keep.
pub const MAX_LIBRARIES: usize = 1 << 16;

impl Functions {
    pub fn function_count(&self) -> usize {
        self.index.len()
    }

    /// The function and its library's name.
    pub fn function(&self, name: &[u8]) -> Option<&FunctionInfo> {
        let (lib, fname) = self.index.get(&lower(name))?;
        self.libraries.get(lib)?.functions.get(fname)
    }

    /// FUNCTION FLUSH: every library gone, and a fresh Lua state.
    pub fn flush(&mut self) {
        self.libraries.clear();
        self.index.clear();
        self.env = None;
    }

    /// FUNCTION DELETE.
    pub fn delete(&mut self, name: &[u8]) -> bool {
        let Some(lib) = self.libraries.remove(name) else {
            return false;
        };
        for f in lib.functions.keys() {
            self.index.remove(&lower(f));
        }
        true
    }
}

impl Scripting {
    /// FUNCTION LOAD (`functionsCreateWithLibraryCtx`): returns the library's name, or
    /// the error text (without the code, as Redis's `*err`).
    pub fn load_library(&mut self, code: &Bytes, replace: bool) -> Result<Bytes, String> {
        let (engine, name, shebang_len) = extract_lib_metadata(code)?;
        if check_function_name(&name).is_some() {
            return Err("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long".into());
        }
        // Engines are looked up case-insensitively (dictStrCaseHash).
        if !engine.eq_ignore_ascii_case(b"lua") {
            return Err(format!(
                "Engine '{}' not found",
                String::from_utf8_lossy(&engine)
            ));
        }
        let fns = &mut self.functions;
        if fns.libraries.contains_key(&name[..]) && !replace {
            return Err(format!(
                "Library '{}' already exists",
                String::from_utf8_lossy(&name)
            ));
        }
        if !fns.libraries.contains_key(&name[..]) && fns.libraries.len() >= MAX_LIBRARIES {
            return Err("Too many libraries".into());
        }
        if fns.env.is_none() {
            let env = LuaEnv::new(false, self.rand.clone(), self.cmd_exists)
                .map_err(|e| format!("Lua initialization failed: {e}"))?;
            fns.env = Some(env);
        }
        let env = fns.env.as_ref().expect("just created");
        let chunk = env
            .compile(&code[shebang_len..], "@user_function")
            .map_err(|e| format!("Error compiling function: {e}"))?;
        env.load_library(&chunk).map_err(|msg| {
            format!(
                "Error registering functions: {}",
                String::from_utf8_lossy(crate::util::c_str(&msg))
            )
        })?;
        let registered = std::mem::take(&mut *env.registered.borrow_mut());
        if registered.is_empty() {
            return Err("No functions registered".into());
        }
        for f in &registered {
            if fns
                .index
                .get(&lower(&f.name))
                .is_some_and(|(lib, _)| lib[..] != name[..])
            {
                return Err(format!(
                    "Function {} already exists",
                    String::from_utf8_lossy(&f.name)
                ));
            }
        }
        let name = Bytes::from(name);
        fns.delete(&name);
        let mut functions = BTreeMap::new();
        for f in registered {
            let flags = f
                .flags
                .iter()
                .filter_map(|s| flag_by_name(s))
                .fold(0, |a, b| a | b);
            fns.index
                .insert(lower(&f.name), (name.clone(), f.name.clone()));
            functions.insert(
                f.name.clone(),
                FunctionInfo {
                    name: f.name,
                    desc: f.desc,
                    flags,
                    callback: f.callback,
                },
            );
        }
        fns.libraries.insert(
            name.clone(),
            Library {
                name: name.clone(),
                code: code.clone(),
                functions,
            },
        );
        Ok(name)
    }

    /// Runs a function (`luaEngineCall`) with its keys and arguments.
    pub fn run_function(
        &mut self,
        name: &[u8],
        keys: &[Bytes],
        args: &[Bytes],
        host: &mut dyn Host,
    ) -> Reply {
        let fns = &self.functions;
        let (Some(f), Some(env)) = (fns.function(name), fns.env.as_ref()) else {
            return Reply::err("ERR Function not found");
        };
        let fname = String::from_utf8_lossy(&f.name).into_owned();
        run_in(env, &f.callback, Some((keys, args)), &fname, host)
    }
}

/// `functionExtractLibMetaData`: the engine (after `#!`), the `name=` and the shebang's
/// length.
fn extract_lib_metadata(code: &[u8]) -> Result<(Vec<u8>, Vec<u8>, usize), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    // strchr(code, '\n'): a NUL before the newline ends the search.
    let Some(end) = crate::util::c_str(code).iter().position(|&c| c == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let Some(parts) = split_args(&code[..end]).filter(|p| !p.is_empty()) else {
        return Err("Invalid library metadata".into());
    };
    let engine = parts[0][2.min(parts[0].len())..].to_vec();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!(
            "Invalid metadata value given: {}",
            String::from_utf8_lossy(crate::util::c_str(part))
        ));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok((engine, name, end))
}
