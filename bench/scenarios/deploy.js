'use strict';
/**
 * 8. Deploy: a flow with 1,000 devices (quick: 200) deployed into a real
 * Node-RED (the `node-red` of our devDependencies, started as the e2e tests
 * start it, this package linked into its user directory as `npm start`
 * links it), two ways: one mediant-alarms-poll over every device
 * (deviceFrom `all`, the `fleet` way) and a mediant-alarms-poll per device
 * (the `nodes` way), each in a fresh Node-RED. Measured:
 *
 * - POST /flows: from the request to its answer (Node-RED answers once the
 *   new flows have started);
 * - first poll of every device: from the request until every simulator has
 *   seen its first list request (from the simulators' own logs). The fleet
 *   node spreads its first polls over the poll interval (10 s) on purpose,
 *   so its figure is that spread plus what the deploy took;
 * - editor load: Debian's chromium (playwright-core, headless, loopback
 *   only) opens the editor; from navigation until the editor holds every
 *   node of the flow (RED.nodes) with its tab shown and a frame drawn.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { row } = require('../lib/context');
const { round, sleep } = require('../lib/measure');

const ROOT = path.join(__dirname, '..', '..');
const E2E = path.join(ROOT, 'test', 'e2e', 'lib');
const PKG = require(path.join(ROOT, 'package.json'));

/** A Node-RED user directory with this package linked in node_modules, as `npm start` makes it. */
function userDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-bench-deploy-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-deploy', version: '0.0.1', private: true, dependencies: { [PKG.name]: `file:${ROOT}` } }));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PKG.name), 'dir');
  return dir;
}

/** Time from navigation until the editor holds the whole flow (test/e2e/lib/editor.js flowLoaded) and has drawn it. */
async function editorLoad(url, devices, pollNodes) {
  const { launchBrowser, openPage } = require(path.join(E2E, 'browser'));
  const { flowLoaded } = require(path.join(E2E, 'editor'));
  const b = await launchBrowser();
  try {
    const { page, blocked, consoleErrors } = await openPage(b.browser, url);
    const t0 = performance.now();
    await page.goto(`${url}/`, { timeout: 300_000 });
    const held = await flowLoaded(page, { devices, pollNodes });
    const ms = performance.now() - t0;
    return { ms: round(ms, 0), held, blocked: blocked.length, consoleErrors: consoleErrors.slice(0, 3) };
  } finally {
    await b.close();
  }
}

async function run(ctx) {
  const { startNodeRed } = require(path.join(E2E, 'runtime'));
  const { fleetFlow } = require(path.join(E2E, 'fleet-flow'));
  const devices = ctx.opts.deployDevices || (ctx.quick ? 200 : 1000);
  const intervalS = 10;
  const sims = await ctx.simHost('sim-host deploy');
  const dir = userDir();
  const result = { devices, intervalS, ways: {} };
  try {
    ctx.log(`deploy: starting ${devices} simulators`);
    const targets = await sims.call('start', { count: devices, alarms: 3 }, 300_000);
    for (const way of ['fleet', 'nodes']) {
      const red = await startNodeRed({ userDir: dir, name: `bench-${way}` });
      try {
        // the same editor with no flow yet: what loading the editor itself takes on this machine now
        const emptyEditor = await editorLoad(red.url, 0, 0);
        ctx.log(`deploy ${way}: editor with no flow loaded in ${emptyEditor.ms} ms`);
        const { flow, pollNodes } = fleetFlow({ way, targets, pollInterval: intervalS });
        await sims.call('clearLogs', {});
        const t0 = Date.now();
        await red.deploy(flow);
        const postMs = Date.now() - t0;
        let fp = { polled: 0 };
        const end = Date.now() + 120_000 + intervalS * 1000;
        while (Date.now() < end) {
          fp = await sims.call('firstPolls', {});
          if (fp.polled >= devices) break;
          await sleep(250);
        }
        const firstAllMs = fp.polled >= devices ? fp.lastFirstMs - t0 : null;
        const at = (q) => (fp.times && fp.times.length ? fp.times[Math.min(fp.times.length - 1, Math.floor(q * fp.times.length))] - t0 : null);
        const firstP50Ms = at(0.5);
        ctx.log(`deploy ${way}: POST /flows ${postMs} ms, first poll of ${fp.polled}/${devices} devices ${firstAllMs} ms (half of them by ${firstP50Ms} ms)`);
        const editor = await editorLoad(red.url, devices, pollNodes);
        ctx.log(`deploy ${way}: editor loaded the flow in ${editor.ms} ms`);
        result.ways[way] = { postMs, firstAllMs, firstP50Ms, polled: fp.polled, editor, emptyEditor };
      } finally {
        await red.stop();
      }
    }
  } finally {
    await sims.call('closeAll', {}, 120_000).catch(() => undefined);
    await sims.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f = result.ways.fleet;
  const n = result.ways.nodes;
  const sec = (ms) => (ms === null ? 'not all' : `${round(ms / 1000, 2)} s`);
  const errs = [...f.editor.consoleErrors, ...n.editor.consoleErrors];
  const rows = [
    row('8a', `deploy ${devices} devices, one node over all: POST /flows answered / first poll of every device`, `${sec(f.postMs)} / ${sec(f.firstAllMs)}`, '', null, null, `half the devices polled by ${sec(f.firstP50Ms)}: first polls are spread over the ${intervalS} s interval on purpose; ${f.polled}/${devices} devices polled`),
    row('8b', `deploy ${devices} devices, one node per device: POST /flows answered / first poll of every device`, `${sec(n.postMs)} / ${sec(n.firstAllMs)}`, '', null, null, `half the devices polled by ${sec(n.firstP50Ms)}; ${n.polled}/${devices} devices polled`),
    row('8c', `editor (chromium) loads the deployed flow: one node over all / one node per device`, `${sec(f.editor.ms)} / ${sec(n.editor.ms)} (no flow: ${sec(f.emptyEditor.ms)})`, '', null, null, `from navigation to every node in the editor and a frame drawn${errs.length ? `; console errors: ${errs.join(' | ').slice(0, 200)}` : ''}`),
  ];
  return { rows, data: result };
}

module.exports = { id: 8, name: 'deploy', run };
