'use strict';
/**
 * A tiny request/answer protocol over Node's IPC channel, so the bench
 * orchestrator can drive child processes (the simulator host, the Node-RED
 * worker) and the process being measured does nothing but its own work.
 *
 * Every call has a time limit; a child exits by itself when its parent goes
 * away or when its own watchdog fires, so no process outlives the run.
 */
const { fork } = require('node:child_process');

/**
 * Serve `handlers` (name -> async fn(args)) to the parent. `maxLifeMs` bounds
 * the child's whole life.
 */
function serve(handlers, { maxLifeMs = 60 * 60 * 1000 } = {}) {
  if (!process.send) throw new Error('bench child started without an IPC channel');
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench child ${process.argv[1]}: watchdog after ${maxLifeMs} ms, exiting\n`);
    process.exit(3);
  }, maxLifeMs);
  watchdog.unref();
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m) => {
    if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
    const fn = handlers[m.cmd];
    try {
      if (!fn) throw new Error(`unknown command ${m.cmd}`);
      const result = await fn(m.args || {});
      process.send({ id: m.id, ok: true, result });
    } catch (err) {
      process.send({ id: m.id, ok: false, error: err && err.stack ? err.stack : String(err) });
    }
  });
  process.send({ ready: true });
}

/**
 * Start `script` as a child with IPC. Resolves once the child says it is
 * ready. `call(cmd, args, timeoutMs)` sends a command and resolves with its
 * result. `stop()` disconnects, then kills the child if it lingers.
 */
function spawnChild(script, { execArgv = [], args = [], env = {}, name = script, readyTimeoutMs = 60_000 } = {}) {
  const child = fork(script, args, {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map();
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      for (const { reject, timer } of pending.values()) {
        clearTimeout(timer);
        reject(new Error(`${name} exited (code ${code}, signal ${signal}) during a call`));
      }
      pending.clear();
      resolve({ code, signal });
    });
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in ${readyTimeoutMs} ms`)), readyTimeoutMs);
    child.on('message', (m) => {
      if (m && m.ready) {
        clearTimeout(timer);
        resolve();
        return;
      }
      if (!m || typeof m.id !== 'number') return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    exitPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready`));
    });
  });
  ready.catch(() => undefined);

  function call(cmd, callArgs = {}, timeoutMs = 120_000) {
    if (exited) return Promise.reject(new Error(`${name} has exited`));
    const id = ++seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, cmd, args: callArgs });
    });
  }

  async function stop(graceMs = 5000) {
    if (exited) return exitPromise;
    try {
      child.disconnect();
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, graceMs);
    const r = await exitPromise;
    clearTimeout(timer);
    return r;
  }

  return { child, pid: child.pid, ready, call, stop, exited: exitPromise };
}

module.exports = { serve, spawnChild };
