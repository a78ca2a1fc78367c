'use strict';
// `npm start` seen in a real browser (Debian chromium): the editor opens on the debug
// sidebar that the README and the banner point at, and what scrolls there is the one
// stream the demo promises (what reaches the team chat, and errors), not the output of
// every tab at once, so that a user's own debug nodes stay readable. And the operator
// dashboard (examples/09, FlowFuse Dashboard 2.0) at /dashboard beside the editor, over
// every device the demo runs: the README's picture of it.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { launchBrowser, openPage, readmePicture } = require('./lib/browser');
const { onCleanup } = require('./lib/procs');
const { waitFor } = require('./lib/runtime');
const E = require('./lib/editor');
const { startDemo } = require('../helpers/demo');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const readExample = (file) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
/** Every device the demo deploys: the examples' mediant-device nodes, by name. */
const demoDevices = () => [...new Set(fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))
  .flatMap((f) => readExample(f).filter((n) => n.type === 'mediant-device').map((n) => n.name)))].sort();

describe('npm start in a browser', function () {
  let demo;
  let banner;
  let browserHandle;
  let tmp;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-e2e-demo-'));
    demo = startDemo(['--port', '0', '--dir', path.join(tmp, 'demo')]);
    onCleanup(() => demo.stop());
    banner = await demo.ready;
    browserHandle = await launchBrowser();
  });

  after(async function () {
    if (browserHandle) await browserHandle.close();
    if (demo) await demo.stop();
    if (tmp) {
      try {
        fs.unlinkSync(path.join(tmp, 'demo', 'node_modules', 'node-red-contrib-mediant')); // the link into the repository first
      } catch { /* not made */ }
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('opens on the debug sidebar, where the chat messages arrive, and only they and errors', async function () {
    const t = await openPage(browserHandle.browser, banner.editor);
    try {
      const { page } = t;
      await E.openEditor(page, banner.editor);
      assert.ok(await page.locator('#red-ui-tab-debug.active').isVisible(), 'the debug tab is the open sidebar tab');
      const messages = page.locator('#red-ui-sidebar .red-ui-debug-msg:not(.hide)');
      await waitFor('three chat messages in the debug sidebar', async () => (await messages.count()) >= 3);
      const sources = await page.locator('#red-ui-sidebar .red-ui-debug-msg-name').allInnerTexts();
      const others = sources.filter((s) => !/^node: (chat message|error)$/.test(s.trim()));
      assert.deepStrictEqual(others, [], `debug output from other nodes (all: ${sources.join(', ')})`);
      const texts = await page.locator('#red-ui-sidebar .red-ui-debug-msg').allInnerTexts();
      assert.ok(texts.some((x) => /raised|cleared/.test(x)), `chat messages shown: ${texts.join(' | ')}`);
    } finally {
      await t.context.close();
    }
  });

  it('serves the fleet dashboard at /dashboard: a row for every device, the fleet\'s active alarms, a line of calls per device (docs/images/dashboard.png)', async function () {
    this.timeout(300000); // fail, never hang: KPI reads every 10 s, devices rebooted by the remediations
    const dashboard = readExample('09 fleet dashboard.json');
    const widget = (name) => `#nrdb-ui-widget-${dashboard.find((n) => n.name === name).id}`;
    const devices = demoDevices();
    assert.ok(devices.length >= 1, 'the demo deploys devices');
    const t = await openPage(browserHandle.browser, banner.editor);
    try {
      const { page } = t;
      await page.goto(`${banner.editor}/dashboard`);
      await page.locator(widget('fleet table')).waitFor({ state: 'visible' });
      const readTable = () => page.locator(`${widget('fleet table')} tbody tr`).evaluateAll((trs, keys) => trs.map((tr) => {
        const get = (k) => tr.querySelector(`td[data-column-key="${k}"]`);
        const row = Object.fromEntries(keys.map((k) => [k, (get(k)?.innerText || '').trim()]));
        row.reachable = Boolean(get('reachable')?.querySelector('.mdi-check-bold')); // the tick (a cross: .mdi-close-thick)
        return row;
      }), ['device', 'product', 'version', 'state', 'ha', 'critical', 'major', 'minor', 'warning', 'problem']);
      // every device read once and answering: its product, version and state from mediant-status
      let seen = [];
      const rows = await waitFor('a row with its status for every device, each reachable', async () => {
        seen = await readTable();
        return seen.length === devices.length && seen.every((x) => x.product && x.version && x.state && x.reachable) && seen;
      }, { deadlineMs: 90000, explain: () => `devices ${devices.join(', ')}; rows shown: ${JSON.stringify(seen)}` });
      assert.deepStrictEqual(rows.map((r) => r.device), devices);
      for (const r of rows) {
        assert.match(r.product, /Mediant/, `${r.device}: product`);
        assert.match(r.version, /^7\.40A\./, `${r.device}: version`);
        for (const k of ['critical', 'major', 'minor', 'warning']) assert.match(r[k], /^\d+$/, `${r.device}: ${k} count`);
        assert.strictEqual(r.problem, '', `${r.device}: no error`);
      }
      // the fleet's alarms: as many as the table counts, each of a device of the fleet
      // (the scenario raises and clears alarms all the time: read both until they agree)
      const listed = await waitFor('the active alarms list, as many as the fleet table counts', async () => {
        const table = await readTable();
        const counted = table.reduce((sum, r) => sum + ['critical', 'major', 'minor', 'warning'].reduce((s, k) => s + Number(r[k]), 0), 0);
        const footer = (await page.locator(`${widget('active alarms')} .v-data-table-footer__info`).innerText().catch(() => '')).trim();
        const total = /of (\d+)/.exec(footer);
        const shown = await page.locator(`${widget('active alarms')} tbody tr`).evaluateAll((trs) => trs.map((tr) => ({
          severity: (tr.querySelector('td[data-column-key="severity"]')?.innerText || '').trim(),
          device: (tr.querySelector('td[data-column-key="device"]')?.innerText || '').trim(),
          description: (tr.querySelector('td[data-column-key="description"]')?.innerText || '').trim(),
        })));
        return counted > 0 && total && Number(total[1]) === counted && shown.length > 0 && shown;
      }, { deadlineMs: 90000 });
      for (const a of listed) {
        assert.ok(devices.includes(a.device), `alarm of an unknown device: ${JSON.stringify(a)}`);
        assert.match(a.severity, /^(Critical|Major|Minor|Warning)$/i, JSON.stringify(a));
        assert.ok(a.description, JSON.stringify(a));
      }
      // the chart: a series per device (msg.topic), growing at every KPI read; echarts describes
      // it in the chart's aria-label ("… representing sbc.The data is as follows: t, v, t, v …")
      const chart = page.locator(`${widget('active calls per device')} [aria-label]`).first();
      const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const points = (label, d) => {
        const m = new RegExp(`(?:representing|named) ${escape(d)}\\.The data is as follows: (.*?)(?=The \\d+ series|$)`, 's').exec(label);
        return m ? (m[1].match(/\b\d{13}\b/g) || []).length : 0;
      };
      let label = '';
      await waitFor('three points of calls for every device', async () => {
        label = (await chart.getAttribute('aria-label')) || '';
        return devices.every((d) => points(label, d) >= 3);
      }, { deadlineMs: 120000, explain: () => `chart: ${label}` });
      await readmePicture(page, 'dashboard.png', { fullPage: true });
      assert.deepStrictEqual(t.blocked, [], 'the dashboard asks for nothing outside this machine');
      assert.deepStrictEqual(t.consoleErrors, [], 'no error in the page');
    } finally {
      await t.context.close();
    }
  });
});
