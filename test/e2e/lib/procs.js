'use strict';
// One place that knows what the e2e run started (child processes, the browser, temp
// dirs), so that everything is stopped even when a test or hook fails half-way.
const fs = require('fs');

const cleanups = new Set();
const children = new Set();

/** Register an async cleanup; returns a function that unregisters it. */
function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Track a child process so it is killed if nobody stops it (also on process exit). */
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function removeDirLater(dir) {
  return onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
}

async function cleanupAll() {
  const fns = [...cleanups].reverse();
  cleanups.clear();
  for (const fn of fns) {
    try { await fn(); } catch (err) { console.error('e2e cleanup:', err && err.message); }
  }
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

// Last resort: a crashed or interrupted mocha must not leave Node-RED running.
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

module.exports = { onCleanup, track, removeDirLater, cleanupAll };
