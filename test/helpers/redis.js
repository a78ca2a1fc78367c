'use strict';
// A real redis-server (Debian's package) on a free loopback port, for the
// tests that need one. No persistence unless asked (`appendonly: true`), its
// files in a temporary directory removed on stop. `restart()` stops it and
// starts it again on the same port (with AOF, the data survives).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./net');

const REDIS = process.env.REDIS_SERVER || 'redis-server';

function available() {
  const r = spawnSync(REDIS, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function startRedis({ appendonly = false, password } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-redis-'));
  let child;
  let output = '';
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', appendonly ? 'yes' : 'no', '--daemonize', 'no', '--loglevel', 'warning'];
    if (appendonly) args.push('--appendfsync', 'always');
    if (password) args.push('--requirepass', password);
    child = spawn(REDIS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const deadline = Date.now() + 10000;
    while (!(await listening(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  const onExit = () => {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', onExit);
  return {
    host: '127.0.0.1',
    port,
    /** Stops it now (SIGKILL: what a crash is). */
    stop,
    /** Starts it again on the same port, after stop(). */
    start,
    async restart() {
      await stop();
      await start();
    },
    /** Freezes it (SIGSTOP): connections stay open, nothing is answered, nothing is lost. */
    pause() {
      if (child && child.exitCode === null) child.kill('SIGSTOP');
    },
    /** Lets a paused server go on (SIGCONT). */
    resume() {
      if (child && child.exitCode === null) child.kill('SIGCONT');
    },
    async close() {
      process.removeListener('exit', onExit);
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

module.exports = { startRedis, available };
