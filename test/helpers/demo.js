'use strict';
// `npm start` (scripts/demo.js) as a user runs it: a child process, its banner read
// for the addresses it prints, stopped with Ctrl-C (SIGINT).
const { spawn } = require('node:child_process');
const path = require('node:path');

const DEMO = path.join(__dirname, '..', '..', 'scripts', 'demo.js');

/** What the banner tells the user: the editor, the simulator, the device user and where its password is. */
function readBanner(text) {
  const pick = (re, what) => {
    const m = re.exec(text);
    if (!m) throw new Error(`the banner does not show ${what}:\n${text}`);
    return m.slice(1);
  };
  const [editor] = pick(/Node-RED editor:\s+(http:\/\/\S+?)\/?\s/, 'the editor address');
  const [sim, user] = pick(/device simulator:\s+(http:\/\/\S+)\s+user "([^"]+)"/, 'the simulator and its user');
  const [loginFile] = pick(/password in\s+(\S+)/, 'where the password is');
  return { editor, sim, user, loginFile };
}

/**
 * Start the demo; `ready` resolves to the banner once it is printed, and rejects
 * when the demo exits before. `stop()` sends Ctrl-C and resolves to {code, signal}.
 */
function startDemo(args) {
  const child = spawn(process.execPath, [DEMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      if (/Ctrl-C stops everything/.test(output)) {
        try {
          resolve(readBanner(output));
        } catch (e) {
          reject(e);
        }
      }
    });
    child.stderr.on('data', (d) => (output += d));
    exited.then(({ code, signal }) => reject(new Error(`the demo stopped (${signal || `exit ${code}`}) before its banner:\n${output}`)));
  });
  ready.catch(() => {}); // read by the caller; a late exit must not be an unhandled rejection
  return {
    ready,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      // fail, never hang: a demo that ignores Ctrl-C is killed (and its exit shows that)
      const kill = setTimeout(() => child.kill('SIGKILL'), 20000);
      const r = await exited;
      clearTimeout(kill);
      return r;
    },
  };
}

module.exports = { DEMO, startDemo, readBanner };
