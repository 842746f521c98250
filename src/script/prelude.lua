-- The sandbox every script runs in, built once per Lua state (src/script/lua_env.rs).
-- Redis 7.0 patches its Lua with read-only tables; the vendored Lua 5.1 has none, so the
-- globals and the libraries are empty proxies whose __index is the real table and whose
-- __newindex refuses with Redis's text. This chunk is named "=seedis": the error handler
-- skips its frames as Redis's skips a C function, so positions name the user's script.
--
-- Every function a script calls that can raise is a C closure made by rt.raiser around
-- a Lua function of this chunk that returns (value) or (error, how): how = true raises
-- the error as is, how = 'where' prefixes the caller's position (luaL_error). Being C,
-- the closure keeps the caller's frame on `return redis.call(...)` (no tail call) and
-- the error handler skips it as Redis's skips its C functions.
local rt, eval_mode = ...
local wrap = rt.raiser
local G = _G
local getinfo = debug.getinfo
local type, tostring, tonumber, error, select, pairs, next = type, tostring, tonumber, error, select, pairs, next
local rawget, rawset, setmetatable, getmetatable = rawget, rawset, setmetatable, getmetatable
local pcall, xpcall, setfenv, loadstring, load = pcall, xpcall, setfenv, loadstring, load
local floor, lower, sub, find, gsub, match = math.floor, string.lower, string.sub, string.find, string.gsub, string.match
local INTERNAL = '=seedis'
local RO = 'Attempt to modify a readonly table'

-- What Redis 7.0.15 does not offer to scripts.
for _, name in pairs({'debug', 'print', 'dofile', 'loadfile', 'getfenv', 'setfenv', 'newproxy',
    'module', 'require', 'package', 'os', 'io'}) do
  G[name] = nil
end

local protected = setmetatable({}, {__mode = 'k'})
local real_of = setmetatable({}, {__mode = 'k'})
local meta_view = setmetatable({}, {__mode = 'k'})
local function ro_newindex() error(RO, 2) end
local function protect(real)
  local proxy = {}
  setmetatable(proxy, {__index = real, __newindex = ro_newindex})
  protected[proxy] = true
  real_of[proxy] = real
  return proxy
end

-- luaPushErrorBuff: "-CODE msg" or "msg" (code ERR), trimmed of CR/LF, as {err=...}.
local function error_table(buf)
  buf = match(buf, '^[^%z]*')
  local code, msg
  if sub(buf, 1, 1) == '-' then
    local sp = find(buf, ' ', 1, true)
    if sp then code, msg = sub(buf, 2, sp - 1), sub(buf, sp + 1)
    else code, msg = 'ERR', sub(buf, 2) end
  else
    code, msg = 'ERR', buf
  end
  msg = gsub(gsub(msg, '^[\r\n]+', ''), '[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end
local function E(msg) return error_table(msg) end
local function isstring(v) local t = type(v) return t == 'string' or t == 'number' end
local function toint(v) local x = tonumber(v) if x == nil then return nil end
  if x >= 0 then return floor(x) else return -floor(-x) end end

-- State of the current run, reset by run().
local running, loading, resp = false, false, 2
local slot = {}

local function errh(err)
  local lvl = 2
  local i = getinfo(lvl, 'nSl')
  if i and i.what == 'C' then lvl = 3 i = getinfo(lvl, 'nSl') end
  while i and i.source == INTERNAL do lvl = lvl + 1 i = getinfo(lvl, 'nSl') end
  running = false
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then err['source'] = i.source err['line'] = i.currentline end
  return err
end

-- The redis table of scripts.
local redis = {}
local function generic_call(raise, ...)
  local impl = slot.call
  if not impl or not running then
    return E('redis.call/pcall can only be called inside a script invocation'), true
  end
  local r, err = impl(raise, resp, ...)
  if err then return r, true end
  return r
end
redis.call = wrap(function(...) return generic_call(true, ...) end)
redis.pcall = wrap(function(...) return generic_call(false, ...) end)

local log = wrap(function(...)
  local n = select('#', ...)
  if n < 2 then return E('redis.log() requires two arguments or more.'), true end
  local level = ...
  if tonumber(level) == nil then return E('First argument must be a number (log level).'), true end
  level = toint(level)
  if level < 0 or level > 3 then return E('Invalid debug level.'), true end
  local parts = {}
  for j = 2, n do
    local s = select(j, ...)
    if isstring(s) then
      if j ~= 2 then parts[#parts + 1] = ' ' end
      parts[#parts + 1] = tostring(s)
    end
  end
  rt.log(level, table.concat(parts))
end)
local function levels_and_version(t)
  t.log = log
  t.LOG_DEBUG, t.LOG_VERBOSE, t.LOG_NOTICE, t.LOG_WARNING = 0, 1, 2, 3
  t.REDIS_VERSION_NUM, t.REDIS_VERSION = rt.version_num, rt.version
end
levels_and_version(redis)
redis.setresp = wrap(function(...)
  if not running then return E('redis.setresp can only be called inside a script invocation'), true end
  if select('#', ...) ~= 1 then return E('redis.setresp() requires one argument.'), true end
  local v = toint((...)) or 0
  if v ~= 2 and v ~= 3 then return E('RESP version must be 2 or 3.'), true end
  resp = v
end)
redis.sha1hex = wrap(function(...)
  if select('#', ...) ~= 1 then return E('wrong number of arguments'), true end
  local s = ...
  return rt.sha1hex(isstring(s) and tostring(s) or '')
end)
redis.error_reply = function(...)
  local e = ...
  if select('#', ...) ~= 1 or type(e) ~= 'string' then return E('wrong number or type of arguments') end
  if sub(e, 1, 1) ~= '-' then e = '-' .. e end
  return error_table(e)
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return E('wrong number or type of arguments') end
  return {ok = s}
end
redis.set_repl = wrap(function(...)
  if not running then return E('redis.set_repl can only be called inside a script invocation'), true end
  if select('#', ...) ~= 1 then return E('redis.set_repl() requires two arguments.'), true end
  local f = toint((...)) or 0
  if f < 0 or f > 3 then
    return E('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.'), true
  end
end)
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.acl_check_cmd = wrap(function(...)
  if not running then return E('redis.acl_check_cmd can only be called inside a script invocation'), true end
  local n = select('#', ...)
  if n == 0 then return E('Please specify at least one argument for this redis lib call'), true end
  for j = 1, n do
    if not isstring((select(j, ...))) then
      return E('Lua redis lib command arguments must be strings or integers'), true
    end
  end
  if not rt.cmd_exists(tostring((...))) then return E('Invalid command passed to redis.acl_check_cmd()'), true end
  return slot.acl_check(...)
end)
if eval_mode then
  redis.breakpoint = function() return false end
  redis.debug = function() end
  redis.replicate_commands = function() return true end
end

-- Redis's pcall: an error table comes back as its err string.
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    if isstring(m) then e = m end
  end
  return false, e
end
G.pcall = function(...) return pcall_result(pcall(...)) end
G.rawset = wrap(function(t, k, v)
  if protected[t] then return RO, true end
  return (rawset(t, k, v))
end)
G.setmetatable = wrap(function(t, m)
  if protected[t] then return RO, true end
  return (setmetatable(t, m))
end)
-- The table library writes raw: refuse protected tables as Redis's read-only flag does.
-- remove and sort write nothing when there are not enough elements (the libraries'
-- tables have none), and then Redis does not complain either.
local least = {insert = 0, remove = 1, sort = 2}
for name, n in pairs(least) do
  local f = table[name]
  table[name] = wrap(function(t, ...)
    if protected[t] then
      if #real_of[t] >= n then return RO, true end
      return nil
    end
    return (f(t, ...))
  end)
end
-- pairs over a protected table walks the real one without handing it out.
G.pairs = function(t)
  local real = real_of[t]
  if real then
    return function(_, k) return next(real, k) end, t, nil
  end
  return pairs(t)
end
-- Strings' metatable is read-only too (its __index is the string library's proxy).
local string_meta_view
G.getmetatable = function(t)
  if protected[t] then return meta_view[t] end
  if type(t) == 'string' then return string_meta_view end
  return getmetatable(t)
end

-- math.random as Redis's redis_math_random: rand48, one process-wide state.
local function checkint(n, name, v, present)
  local x = toint(v)
  if x == nil then
    return nil, "bad argument #" .. n .. " to '" .. name .. "' (number expected, got " ..
      (present and type(v) or 'no value') .. ")"
  end
  return x
end
math.random = wrap(function(...)
  if not running then return 'math.random can only be called inside a script invocation', 'where' end
  local r = rt.rand_unit()
  local n = select('#', ...)
  if n == 0 then return r
  elseif n == 1 then
    local u, e = checkint(1, 'random', (...), true)
    if e then return e, 'where' end
    if not (1 <= u) then return "bad argument #1 to 'random' (interval is empty)", 'where' end
    return floor(r * u) + 1
  elseif n == 2 then
    local l, u = ...
    local e
    l, e = checkint(1, 'random', l, true)
    if e then return e, 'where' end
    u, e = checkint(2, 'random', u, true)
    if e then return e, 'where' end
    if not (l <= u) then return "bad argument #2 to 'random' (interval is empty)", 'where' end
    return floor(r * (u - l + 1)) + l
  end
  return 'wrong number of arguments', 'where'
end)
math.randomseed = wrap(function(...)
  if not running then return 'math.randomseed can only be called inside a script invocation', 'where' end
  local s, e = checkint(1, 'randomseed', (...), select('#', ...) > 0)
  if e then return e, 'where' end
  rt.rand_seed(s)
end)

G.redis = redis
local cj = rt.libs.cjson_raw
G.cjson = {encode = wrap(cj.encode), decode = wrap(cj.decode), null = cj.null,
  _NAME = cj._NAME, _VERSION = cj._VERSION}
-- LuaBitOp: the Rust functions return (value) or (nil, message); the message is raised
-- here so that it carries the caller's position, as luaL_argerror's does.
local bitlib = {}
for name, f in pairs(rt.bit_raw) do bitlib[name] = wrap(f) end
G.bit = bitlib
if eval_mode then G.__redis__err__handler = errh end

-- Lock every library table, then the globals themselves.
for _, name in pairs({'string', 'math', 'table', 'coroutine', 'redis', 'bit', 'cjson'}) do
  if rawget(G, name) then G[name] = protect(rawget(G, name)) end
end
local missing = function(_, k)
  if not isstring(k) then error('Second argument to luaProtectedTableError must be a string or number', 2) end
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
setmetatable(G, {__index = missing})
local string_mt = getmetatable('')
string_mt.__index = G.string
string_meta_view = protect(string_mt)
local P = {}
local Pmt = {__index = G, __newindex = ro_newindex}
setmetatable(P, Pmt)
protected[P] = true
real_of[P] = G
-- As in Redis, _G's metatable shows a function, never the real globals table.
meta_view[P] = protect({__index = missing})
G._G = P
setfenv(0, P)

-- During FUNCTION LOAD the globals are the library API only (redis.register_function,
-- redis.log, the version), as functions.c sets them.
local function_flags = {['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true,
  ['no-cluster'] = true, ['allow-cross-slot-keys'] = true}
local register_function = wrap(function(...)
  if not loading then return E('redis.register_function can only be called on FUNCTION LOAD command'), true end
  local n = select('#', ...)
  if n < 1 or n > 2 then return E('wrong number of arguments to redis.register_function'), true end
  local name, desc, cb, flags = nil, nil, nil, {}
  if n == 1 then
    local t = ...
    if type(t) ~= 'table' then
      return E('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).'), true
    end
    for k, v in pairs(t) do
      if not isstring(k) then return E('named argument key given to redis.register_function is not a string'), true end
      local key = lower(tostring(k))
      if key == 'function_name' then
        if not isstring(v) then return E('function_name argument given to redis.register_function must be a string'), true end
        name = tostring(v)
      elseif key == 'description' then
        if not isstring(v) then return E('description argument given to redis.register_function must be a string'), true end
        desc = tostring(v)
      elseif key == 'callback' then
        if type(v) ~= 'function' then return E('callback argument given to redis.register_function must be a function'), true end
        cb = v
      elseif key == 'flags' then
        if type(v) ~= 'table' then
          return E('flags argument to redis.register_function must be a table representing function flags'), true
        end
        local j = 1
        while true do
          local f = v[j]
          if f == nil then break end
          if not isstring(f) or not function_flags[lower(tostring(f))] then return E('unknown flag given'), true end
          flags[#flags + 1] = lower(tostring(f))
          j = j + 1
        end
      else
        return E('unknown argument given to redis.register_function'), true
      end
    end
    if not name then return E('redis.register_function must get a function name argument'), true end
    if not cb then return E('redis.register_function must get a callback argument'), true end
  else
    local a, b = ...
    if not isstring(a) then return E('first argument to redis.register_function must be a string'), true end
    if type(b) ~= 'function' then return E('second argument to redis.register_function must be a function'), true end
    name, cb = tostring(a), b
  end
  local err = rt.register(name, desc, cb, flags)
  if err then return E(err), true end
end)
local lib_redis = {register_function = register_function}
levels_and_version(lib_redis)
setmetatable(lib_redis, {__index = missing})
local lib_api = {redis = protect(lib_redis)}
setmetatable(lib_api, {__index = missing})

-- The entry points Rust calls.
local api = {}
function api.run(f, keys, args)
  resp, running = 2, true
  local ok, r
  if keys then
    ok, r = xpcall(function() return f(keys, args) end, errh)
  else
    ok, r = xpcall(f, errh)
  end
  running = false
  return ok, r, resp
end
function api.load(f)
  Pmt.__index, loading = lib_api, true
  local ok, e = pcall(f)
  Pmt.__index, loading = G, false
  if not ok then
    if type(e) == 'table' then
      e = e.err
      if not isstring(e) then e = nil end
    else
      e = 'ERR ' .. tostring(e)
    end
  end
  return ok, e
end
-- The count hook's question (lua_env.rs's count_hook calls it): nil to go on, or the
-- error that kills the script (luaMaskCountHook's luaPushError).
function api.interrupt()
  local f = slot.interrupt
  -- After a kill the hook fires on every line, the prelude's own lines after the
  -- script's end included: only the script is stopped.
  if running and f and f() then return E('Script killed by user with SCRIPT KILL...') end
  return nil
end
api.slot = slot
api.globals = G
return api
