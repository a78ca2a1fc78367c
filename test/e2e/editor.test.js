'use strict';
// Driven in a real browser: Debian's chromium (playwright-core, headless) on the
// editor of the installed package in a real Node-RED. Every node type from the
// palette onto the workspace, its dialog and help, the device dialog's validation
// and credentials, deploy, Import > Examples, and the README's screenshots
// (written to docs/images only with UPDATE_SCREENSHOTS=1, so a run leaves git clean).
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, PKG, NODE_TYPES, installPackage, startNodeRed, waitFor } = require('./lib/runtime');
const { launchBrowser, openPage, readmePicture } = require('./lib/browser');
const { startReceiver } = require('./lib/receiver');
const { envFor, prepareFlow } = require('./lib/examples');
const { PROPS, CONFIG_CREDENTIALS, REQUIRED_TEXT } = require('./lib/contract');
const E = require('./lib/editor');

const PASSWORD = `pw-${crypto.randomBytes(9).toString('hex')}`;
const USERNAME = 'e2eBrowser';
const CONFIG_TYPES = ['mediant-device', 'mediant-cluster'];
const FLOW_TYPES = NODE_TYPES.filter((t) => !CONFIG_TYPES.includes(t));

/** Zoom out (footer button) until the whole flow is in view; the chart's box. */
async function fitFlow(page) {
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  for (let i = 0; i < 6; i++) {
    const right = Math.max(...(await page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').evaluateAll((gs) => gs.map((g) => g.getBoundingClientRect().right))));
    if (right < chart.x + chart.width - 10) break;
    await page.click('#red-ui-view-zoom-out');
  }
  return chart;
}

/** The mouse in a corner of the chart, and no tooltip over the picture. */
async function noTooltip(page, chart) {
  await page.mouse.move(chart.x + chart.width - 40, chart.y + chart.height - 40);
  await page.locator('.red-ui-popover:visible').waitFor({ state: 'detached' }).catch(() => {});
  await waitFor('no tooltip shown', async () => (await page.locator('.red-ui-popover:visible').count()) === 0);
}

const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).sort();

describe('in a real browser (Debian chromium driven by playwright-core)', function () {
  let inst;
  let red;
  let sim;
  let browser;
  let browserHandle;
  let tab; // { page, consoleErrors, blocked, responses, context }
  let deviceId;
  let firstStatusId;
  /** The node of each flow type dropped from the palette, by type. */
  const dropped = {};
  const receivers = {};

  /** The browser console showed no error, and nothing tried to leave 127.0.0.1. */
  function assertClean(t = tab) {
    const errors = t.consoleErrors.splice(0);
    const blocked = t.blocked.splice(0);
    assert.deepStrictEqual(errors, [], `browser console errors:\n${errors.join('\n')}`);
    assert.deepStrictEqual(blocked, [], `requests that tried to leave the machine:\n${blocked.join('\n')}`);
  }

  async function newTab() {
    const t = await openPage(browser, red.url);
    await E.openEditor(t.page, red.url);
    return t;
  }

  before(async function () {
    inst = await installPackage();
    const { startSimulator } = require(path.join(ROOT, 'simulator'));
    // firmware 7.4, what a device bought today runs (the KPI dialog browses its KPI tree)
    sim = await startSimulator({ firmware: '7.4', users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }], bootTimeMs: 1500 });
    receivers.chat = await startReceiver('chat');
    receivers.ticket = await startReceiver('ticket');
    const paths = { backupDir: path.join(inst.workDir, 'browser-backups'), restoreFile: path.join(inst.workDir, 'browser-restore.ini') };
    red = await startNodeRed({ userDir: inst.userDir, name: 'browser', env: envFor(inst.moduleDir, receivers, paths) });
    browserHandle = await launchBrowser();
    browser = browserHandle.browser;
    tab = await newTab();
  });

  afterEach(async function () {
    if (this.currentTest.state !== 'failed') return;
    if (tab && tab.page && !tab.page.isClosed()) {
      const shot = path.join(os.tmpdir(), `mediant-e2e-failed-${this.currentTest.title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}.png`);
      await tab.page.screenshot({ path: shot }).catch(() => {});
      console.log(`screenshot of the failure: ${shot}`);
      // Leave the editor as a user would after a mistake: every open tray cancelled.
      for (const cancel of ['#node-config-dialog-cancel', '#node-dialog-cancel']) {
        const b = tab.page.locator(cancel);
        if (await b.isVisible().catch(() => false)) await b.click().catch(() => {});
      }
    }
    if (red) console.log(`--- node-red log (last 12 lines) ---\n${red.log().split('\n').slice(-12).join('\n')}`);
  });

  after(async function () {
    if (browserHandle) await browserHandle.close();
    if (red && !red.exited()) await red.stop();
    if (sim) await sim.close();
    for (const r of Object.values(receivers)) await r.close();
  });

  it('registers every node type: the flow nodes in the palette under "mediant", the device as a config node', async function () {
    const { page } = tab;
    assert.strictEqual((await page.locator('#red-ui-palette-header-mediant').innerText()).trim(), 'mediant');
    const inPalette = await page.locator('#red-ui-palette-container-mediant .red-ui-palette-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-palette-type')));
    assert.deepStrictEqual([...inPalette].sort(), [...FLOW_TYPES].sort());
    const categories = await page.evaluate((types) => types.map((t) => { const d = RED.nodes.getType(t); return d ? d.category : null; }), NODE_TYPES);
    NODE_TYPES.forEach((t, i) => assert.strictEqual(categories[i], CONFIG_TYPES.includes(t) ? 'config' : 'mediant', `category of ${t}`));
    assertClean();
  });

  it('each node has an icon of its own and a palette label that names it: none is a core label, none wraps (issue 12, point 11)', async function () {
    const { page } = tab;
    const shown = await page.evaluate(() => {
      const out = {};
      for (const el of document.querySelectorAll('.red-ui-palette-node[data-palette-type]')) {
        const label = el.querySelector('.red-ui-palette-label');
        const range = document.createRange();
        range.selectNodeContents(label);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        const icon = el.querySelector('.red-ui-palette-icon-fa');
        out[el.getAttribute('data-palette-type')] = {
          ours: !!el.closest('#red-ui-palette-container-mediant'),
          label: label.innerText.trim(),
          lines,
          icon: icon ? [...icon.classList].find((c) => /^fa-/.test(c) && c !== 'fa-lg' && c !== 'fa-fw') || '' : '',
          image: (el.querySelector('.red-ui-palette-icon') || {}).style ? el.querySelector('.red-ui-palette-icon').style.backgroundImage : '',
        };
      }
      return out;
    });
    const ours = FLOW_TYPES.map((t) => ({ type: t, ...shown[t] }));
    const noIcon = ours.filter((n) => !n.icon).map((n) => `${n.type} (${n.image || 'no icon'})`);
    assert.deepStrictEqual(noIcon, [], 'every node shows a Font Awesome icon');
    const icons = ours.map((n) => n.icon);
    assert.strictEqual(new Set(icons).size, icons.length, `one icon per node: ${icons.join(', ')}`);
    assert.strictEqual(shown['mediant-status'].icon, 'fa-heartbeat');
    assert.strictEqual(shown['mediant-test-call'].icon, 'fa-phone');
    assert.strictEqual(shown['mediant-kpi'].icon, 'fa-line-chart');
    const core = new Set(Object.values(shown).filter((n) => !n.ours).map((n) => n.label.toLowerCase()));
    assert.ok(core.has('status') && core.has('http request'), `core labels read: ${[...core].join(', ')}`);
    const clashes = ours.filter((n) => core.has(n.label.toLowerCase()) || n.label.toLowerCase() === 'request');
    assert.deepStrictEqual(clashes.map((n) => n.label), [], 'palette labels that read like a core node');
    const wrapped = ours.filter((n) => n.lines !== 1).map((n) => `${n.label} (${n.lines} lines)`);
    assert.deepStrictEqual(wrapped, [], 'palette labels on more than one line');
    // the palette search for "status" tells ours from the core one
    const search = page.locator('#red-ui-palette-search input');
    try {
      await search.pressSequentially('status');
      await waitFor('the search result', async () => (await page.locator('.red-ui-palette-node[data-palette-type="mediant-status"]:visible').count()) === 1 && (await page.locator('.red-ui-palette-node[data-palette-type="mediant-reset"]:visible').count()) === 0);
      const found = (await page.locator('.red-ui-palette-node:visible .red-ui-palette-label').allInnerTexts()).map((x) => x.trim());
      assert.strictEqual(new Set(found).size, found.length, `search "status" shows two nodes with one label: ${found.join(', ')}`);
    } finally {
      // the search cleared with its own button, as a user does: the next tests drag from the whole palette
      await page.locator('#red-ui-palette-search .red-ui-searchBox-clear').click();
      await waitFor('the whole palette again', async () => (await page.locator('.red-ui-palette-node[data-palette-type="mediant-reset"]:visible').count()) === 1);
    }
    assertClean();
  });

  it('the device dialog takes host, port and credentials, marks a host with a scheme and an out-of-range port, and tests the connection', async function () {
    const { page } = tab;
    firstStatusId = await E.dragFromPalette(page, 'mediant-status', 120, 40);
    await E.openNodeDialog(page, firstStatusId);
    await page.click('#node-input-btn-device-add');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    await E.openedTray(page);
    const missing = [];
    for (const p of [...PROPS['mediant-device'], ...CONFIG_CREDENTIALS]) if (!(await page.locator(`#node-config-input-${p}`).count())) missing.push(p);
    assert.deepStrictEqual(missing, [], `device dialog has no input for: ${missing.join(', ')}`);
    assert.strictEqual(await page.locator('#node-config-input-password').getAttribute('type'), 'password');

    const host = page.locator('#node-config-input-host');
    const port = page.locator('#node-config-input-port');
    const marked = async (loc) => /\binput-error\b/.test((await loc.getAttribute('class')) || '');
    const type = async (loc, v) => { await loc.fill(v); await loc.press('Tab'); };
    await type(host, 'sbc.example.net');
    assert.strictEqual(await marked(host), false, 'a plain host name is accepted');
    await type(host, 'https://x');
    assert.strictEqual(await marked(host), true, 'a host with a scheme is marked invalid');
    await type(port, '443');
    assert.strictEqual(await marked(port), false, 'port 443 is accepted');
    await type(port, '70000');
    assert.strictEqual(await marked(port), true, 'port 70000 is marked invalid');

    await type(page.locator('#node-config-input-name'), 'lab-sbc');
    await type(host, sim.host);
    await page.selectOption('#node-config-input-protocol', sim.protocol);
    await type(port, String(sim.port));
    await type(page.locator('#node-config-input-username'), USERNAME);
    await type(page.locator('#node-config-input-password'), PASSWORD);
    assert.strictEqual(await marked(host), false);
    assert.strictEqual(await marked(port), false);

    // "Test connection" asks the runtime to call /status with the values in the dialog.
    const status = await (await fetch(`${sim.url}/api/v1/status`, { headers: { Authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}` } })).json();
    await page.click('#mediant-device-test');
    const result = page.locator('#mediant-device-test-result');
    await waitFor('the Test connection result', async () => (await result.innerText()).includes(status.productType));
    assert.ok(!(await result.innerText()).includes(PASSWORD));

    const help = await E.showHelp(page);
    assert.ok(help.headings.includes('Details'), `device help headings: ${help.headings.join(', ')}`);
    await E.settled(E.tray(page));
    await readmePicture(page, 'device-dialog.png');

    await page.click('#node-config-dialog-ok');
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'detached' });
    deviceId = await page.locator('#node-input-device').inputValue();
    assert.ok(deviceId && deviceId !== '_ADD_', `the new device is selected in the status node (got "${deviceId}")`);
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assertClean();
  });

  FLOW_TYPES.forEach((type, i) => {
    it(`${type}: dropped from the palette, its dialog has every property of the contract, its help has Inputs, Outputs and Details`, async function () {
      assert.ok(deviceId, 'needs the device created by the previous test');
      const { page } = tab;
      const id = await E.dragFromPalette(page, type, 120 + (i % 3) * 230, 120 + Math.floor(i / 3) * 80);
      dropped[type] = id;
      await E.openNodeDialog(page, id);
      const missing = [];
      for (const p of PROPS[type]) if (!(await page.locator(`#node-input-${p}`).count())) missing.push(p);
      assert.deepStrictEqual(missing, [], `${type} dialog has no input for: ${missing.join(', ')}`);
      // Node-RED 4 leaves a new node's config select on "none"; our nodes pick the only
      // device (checked at the end, so that the node is still configured for the deploy).
      const preselected = await page.locator('#node-input-device').inputValue();
      if (preselected !== deviceId) await page.selectOption('#node-input-device', deviceId);
      for (const [p, v] of Object.entries(REQUIRED_TEXT[type] || {})) {
        await page.locator(`#node-input-${p}`).fill(v);
        await page.locator(`#node-input-${p}`).press('Tab');
      }
      const help = await E.showHelp(page);
      const want = ['Inputs', 'Outputs', 'Details'].filter((h) => !help.headings.includes(h));
      assert.deepStrictEqual(want, [], `${type} help lacks ${want.join(', ')} (has: ${help.headings.join(', ')})`);
      // code samples wrap inside the sidebar instead of being cut off; References name the document and link the vendor's pages
      const cut = await page.evaluate(() => {
        const box = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help').getBoundingClientRect();
        return [...document.querySelectorAll('.red-ui-sidebar-help-stack .red-ui-help code')].filter((c) => c.getBoundingClientRect().right > box.right + 1).map((c) => c.innerText.slice(0, 60));
      });
      assert.deepStrictEqual(cut, [], `${type} help: code samples that run past the sidebar`);
      assert.match(help.text, /References[\s\S]*(LTRT-41760|REST API pages for 7\.4)/, `${type} help: References name the document`);
      assert.ok((await page.locator('.red-ui-sidebar-help-stack .red-ui-help a[href^="https://techdocs.audiocodes.com/"]').count()) > 0, `${type} help links the vendor's REST API pages`);
      if (type === 'mediant-reset') {
        // "Wait" on: the restart timeout applies.
        await page.locator('#node-input-waitForRestart').check();
        await page.locator('#node-input-restartTimeout').waitFor({ state: 'visible' });
      }
      await page.click('#node-dialog-ok');
      await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
      assert.strictEqual(await page.evaluate((nid) => RED.nodes.node(nid).valid, id), true, `${type} is valid with its defaults and the device`);
      assertClean();
      assert.strictEqual(preselected, deviceId, `a new ${type} picks the only device`);
    });
  });

  it('node versions: an old node opens as it behaved and is saved at the current version; a new one has it', async function () {
    const { page } = tab;
    const current = await page.evaluate(() => RED.mediant.version('mediant-status'));
    assert.ok(current >= 1, `mediant-status is at version ${current}`);
    // A status node as exported before "Device from" existed (version 0: no version, no deviceFrom).
    const oldId = await page.evaluate((dev) => {
      RED.nodes.import([{ id: 'c0ffee0000000001', type: 'mediant-status', z: RED.workspaces.active(), device: dev, name: 'stored at v0', x: 700, y: 420, wires: [[]] }], { generateIds: true });
      RED.view.redraw(true);
      return RED.nodes.filterNodes({ type: 'mediant-status' }).find((n) => n.name === 'stored at v0').id;
    }, deviceId);
    assert.deepStrictEqual(await page.evaluate((id) => [RED.nodes.node(id).version, RED.nodes.node(id).deviceFrom, RED.nodes.node(id).valid], oldId), [undefined, undefined, true]);
    await E.openNodeDialog(page, oldId);
    assert.strictEqual(await page.locator('#node-input-deviceFrom').inputValue(), 'node', 'the old node shows the device choice it always had');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.deepStrictEqual(await page.evaluate((id) => [RED.nodes.node(id).version, RED.nodes.node(id).deviceFrom], oldId), [current, 'node']);
    // "msg.device" makes the node's own device a fallback: none is valid too.
    await E.openNodeDialog(page, oldId);
    await page.selectOption('#node-input-deviceFrom', 'msg');
    await page.selectOption('#node-input-device', '_ADD_');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.deepStrictEqual(await page.evaluate((id) => [RED.nodes.node(id).deviceFrom, RED.nodes.node(id).device, RED.nodes.node(id).valid], oldId), ['msg', '', true]);
    // A polling node over a group needs the group's name.
    const pollId = await E.dragFromPalette(page, 'mediant-alarms-poll', 700, 500);
    assert.strictEqual(await page.evaluate((id) => RED.nodes.node(id).version, pollId), await page.evaluate(() => RED.mediant.version('mediant-alarms-poll')), 'a new node has the current version');
    await E.openNodeDialog(page, pollId);
    await page.selectOption('#node-input-deviceFrom', 'group');
    await page.locator('#node-input-deviceGroup').waitFor({ state: 'visible' });
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.strictEqual(await page.evaluate((id) => RED.nodes.node(id).valid, pollId), false, 'a group with no name is not valid');
    await E.openNodeDialog(page, pollId);
    await page.locator('#node-input-deviceGroup').fill('core');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.deepStrictEqual(await page.evaluate((id) => [RED.nodes.node(id).deviceGroup, RED.nodes.node(id).valid], pollId), ['core', true]);
    // Not deployed with the rest: removed again.
    await page.evaluate((ids) => {
      for (const id of ids) RED.nodes.remove(id);
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    }, [oldId, pollId]);
    assertClean();
  });

  it('deploys from the Deploy button, and the nodes reach the simulator with the credentials typed in the dialog', async function () {
    const { page } = tab;
    sim.control.clearLog();
    await E.deploy(page);
    // mediant-alarms-poll polls on its own: its requests carry the credentials typed above.
    await waitFor('an authenticated alarm poll', () => sim.control.log().some((e) => e.path.startsWith('/api/v1/alarms/active') && e.authenticated && e.status < 400));
    assert.ok(!sim.control.log().some((e) => e.status === 401 || e.status === 403), 'no request refused for credentials');
    const flows = await red.api('GET', '/flows');
    // every type but the optional mediant-cluster (its check is in installed.test.js, with a Redis)
    for (const t of NODE_TYPES.filter((x) => x !== 'mediant-cluster')) assert.ok(flows.json.some((n) => n.type === t), `deployed flow has a ${t}`);
    assert.ok(!flows.text.includes(PASSWORD), 'GET /flows carries no password');
    const errors = red.log().split('\n').filter((l) => /\[error\]/.test(l));
    assert.deepStrictEqual(errors, [], 'the runtime logged no error for the deployed nodes');
    assertClean();
  });

  it('the KPI dialog browses the deployed device\'s own KPI tree and sets the path it picks', async function () {
    assert.ok(dropped['mediant-kpi'], 'needs the mediant-kpi node dropped and deployed above');
    const { page } = tab;
    await E.openNodeDialog(page, dropped['mediant-kpi']);
    const input = page.locator('#node-input-kpi');
    const items = page.locator('#mediant-kpi-list .mediant-kpi-item');
    const note = page.locator('#mediant-kpi-note');
    const open = async (label) => {
      await items.filter({ hasText: label }).first().click();
      await waitFor(`the entries below ${label}`, async () => !/Asking the device/.test(await note.innerText()));
    };
    await page.click('#mediant-kpi-browse');
    await waitFor('the applications of the device', async () => (await items.count()) > 0);
    assert.deepStrictEqual((await items.allInnerTexts()).map((x) => x.trim()), ['System (system)', 'SBC (sbc)', 'Media (media)', 'Gateway (gateway)']);
    await open('SBC (sbc)');
    await open('Call Statistics (callStats)');
    assert.strictEqual(await input.inputValue(), '', 'a group is no path to read');
    await open('Global (global)');
    assert.strictEqual(await input.inputValue(), 'sbc/callStats/global', 'opening an entity sets the path to all its KPIs');
    assert.match(await note.innerText(), /reads all 16 KPIs of sbc\/callStats\/global/);
    assert.strictEqual(await items.count(), 16);
    await items.filter({ hasText: 'Active Calls In' }).first().click();
    assert.strictEqual(await input.inputValue(), 'sbc/callStats/global/activeCallsIn', 'clicking a KPI reads only that one');
    // the path bar goes back up
    await page.locator('#mediant-kpi-crumbs a', { hasText: 'sbc' }).first().click();
    await waitFor('the groups of sbc', async () => (await items.allInnerTexts()).some((x) => x.includes('Other Statistics')));
    assert.ok(!(await page.content()).includes(PASSWORD), 'the dialog holds no password');
    await page.click('#node-dialog-ok');
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    assert.strictEqual(await page.evaluate((nid) => RED.nodes.node(nid).kpi, dropped['mediant-kpi']), 'sbc/callStats/global/activeCallsIn');
    assertClean();
  });

  it('after a reload the password is never sent back to the browser, only has_password', async function () {
    const { page } = tab;
    tab.responses.length = 0;
    await page.reload();
    await E.openEditor(page, red.url);
    const credentials = page.waitForResponse((r) => r.url().includes(`/credentials/mediant-device/${deviceId}`));
    await E.openNodeDialog(page, firstStatusId);
    await page.click('#node-input-btn-device-edit');
    const cred = await (await credentials).json();
    assert.strictEqual(cred.has_password, true);
    assert.ok(!('password' in cred), `credentials answer: ${JSON.stringify(Object.keys(cred))}`);
    assert.strictEqual(cred.username, USERNAME);
    await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible' });
    assert.notStrictEqual(await page.locator('#node-config-input-password').inputValue(), PASSWORD);
    assert.ok(!(await page.content()).includes(PASSWORD), 'the page does not hold the password');
    const leaks = tab.responses.filter((r) => r.text.includes(PASSWORD)).map((r) => r.url);
    assert.deepStrictEqual(leaks, [], 'no answer of the runtime carries the password');
    assert.ok(tab.responses.length > 5, 'responses were recorded');
    await page.click('#node-config-dialog-cancel');
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await page.click('#node-dialog-cancel');
    await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
    assertClean();
  });

  // One test per example (each its own time budget, and a failure names the
  // example), each in a fresh editor, as a user importing one example into their flows.
  for (const file of EXAMPLES) {
    it(`Import > Examples lists every example of the package and imports "${file.replace(/\.json$/, '')}" without error`, async function () {
      const names = EXAMPLES.map((f) => f.replace(/\.json$/, ''));
      const t = await newTab();
      try {
        const { page } = t;
        const { dialog, labels } = await E.openImportExamples(page, PKG.name, names);
        for (const n of names) assert.ok(labels.includes(n), `Import > Examples lists "${n}" (has: ${labels.join(', ')})`);
        await dialog.locator('.red-ui-treeList-label', { hasText: file.replace(/\.json$/, '') }).first().click();
        await page.click('#red-ui-clipboard-dialog-import-opt-new');
        const tabsBefore = await page.locator('#red-ui-workspace-tabs .red-ui-tab').count();
        await page.click('#red-ui-clipboard-dialog-ok');
        await page.locator('.red-ui-notification', { hasText: 'Imported' }).first().waitFor({ state: 'visible' });
        const bad = await page.locator('.red-ui-notification-error, .red-ui-notification-warning').allInnerTexts();
        assert.deepStrictEqual(bad, [], `importing ${file}`);
        assert.strictEqual(await page.locator('#red-ui-workspace-tabs .red-ui-tab').count(), tabsBefore + 1, 'imported into a new flow tab');
        const flow = JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'examples', file), 'utf8'));
        const expected = flow.filter((n) => n.z).length;
        const shown = await page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').count();
        assert.strictEqual(shown, expected, `${file}: nodes drawn on the new tab`);
        const invalid = await page.evaluate(() => RED.nodes.filterNodes({ z: RED.workspaces.active() }).filter((n) => !n.valid).map((n) => `${n.type} ${n.name || n.id}`));
        assert.deepStrictEqual(invalid, [], `${file}: nodes marked invalid after import`);
        assertClean(t);
      } finally {
        await t.context.close();
      }
    });
  }

  it('shows the alarm-to-chat example running against the simulator (docs/images/editor.png)', async function () {
    const file = EXAMPLES.find((f) => /alarm to chat/.test(f));
    assert.ok(file, 'an alarm-to-chat example');
    const flow = JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'examples', file), 'utf8'));
    await red.deploy(prepareFlow(flow, { sim, username: USERNAME, password: PASSWORD }));
    const t = await newTab();
    try {
      const { page } = t;
      await page.locator('#red-ui-palette-search input').pressSequentially('mediant');
      await page.locator('#red-ui-tab-debug-link-button').click();
      const chart = await fitFlow(page);
      receivers.chat.clear();
      sim.control.clearAllAlarms();
      sim.control.raiseAlarm({ description: 'Proxy set is unreachable', severity: 'Major', source: 'ProxySet#1' });
      sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
      await waitFor('both alarms posted to the chat', () => receivers.chat.requests.filter((r) => /raised/.test(r.text)).length >= 2);
      await page.locator('.red-ui-debug-msg').nth(1).waitFor({ state: 'visible' });
      await noTooltip(page, chart);
      await readmePicture(page, 'editor.png');
      assertClean(t);
    } finally {
      await t.context.close();
    }
  });

  it('shows the fleet example fixing the one branch SBC of three that raised the alarm (docs/images/fleet.png)', async function () {
    const file = EXAMPLES.find((f) => /fleet remediation/.test(f));
    assert.ok(file, 'a fleet example');
    const { startSimulator } = require(path.join(ROOT, 'simulator'));
    const branches = [];
    try {
      for (let i = 0; i < 3; i++) branches.push(await startSimulator({ firmware: '7.4', users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }], bootTimeMs: 1500 }));
      const flow = JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'examples', file), 'utf8'));
      await red.deploy(prepareFlow(flow, { sims: branches, username: USERNAME, password: PASSWORD }));
      const t = await newTab();
      try {
        const { page } = t;
        await page.locator('#red-ui-tab-debug-link-button').click();
        const chart = await fitFlow(page);
        receivers.chat.clear();
        branches[1].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
        const fixed = (r) => r.json && r.json.text === '✅ Trunk is down on branch-2 cleared after the CLI fix';
        await waitFor('the fix reported for branch-2', () => receivers.chat.requests.some(fixed));
        await page.locator('.red-ui-debug-msg', { hasText: 'branch-2' }).first().waitFor({ state: 'visible' });
        assert.deepStrictEqual(branches.map((b) => b.control.log().filter((e) => e.path === '/api/v1/files/cliScript/incremental').length), [0, 1, 0], 'the CLI fix ran on branch-2 only');
        await noTooltip(page, chart);
        await readmePicture(page, 'fleet.png');
        assertClean(t);
      } finally {
        await t.context.close();
      }
    } finally {
      for (const b of branches) await b.close();
    }
  });

  it('what a user sees under the nodes: the expected 404 of the Remediation example in green, a variable not set by name, HTTP to an HTTPS port (issue 12, points 6, 7, 8)', async function () {
    const { startSimulator } = require(path.join(ROOT, 'simulator'));
    const tlsSim = await startSimulator({ firmware: '7.4', tls: true, users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }] });
    let t;
    try {
      const remediation = prepareFlow(JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'examples', EXAMPLES.find((f) => /^\d+ remediation/.test(f))), 'utf8')), { sim, username: USERNAME, password: PASSWORD });
      const remTab = remediation.find((n) => n.type === 'tab').id;
      const check = remediation.find((n) => n.name === 'is it still active?');
      // A tab of a user's own: a device as the examples ship it (${MEDIANT_HOST}, not set in this Node-RED),
      // and one set to HTTP on the port of a device that speaks HTTPS.
      const mine = [
        { id: 'e2e12tab', type: 'tab', label: 'mine' },
        { id: 'e2e12envdev', type: 'mediant-device', name: 'from env', host: '${MEDIANT_HOST}', port: '${MEDIANT_PORT}', protocol: 'https', tls: '', timeout: 10000, conflictRetry: 0, credentials: { username: USERNAME, password: PASSWORD } },
        { id: 'e2e12httpdev', type: 'mediant-device', name: 'http to https', host: tlsSim.host, port: String(tlsSim.port), protocol: 'http', tls: '', timeout: 10000, conflictRetry: 0, credentials: { username: USERNAME, password: PASSWORD } },
        { id: 'e2e12envstatus', z: 'e2e12tab', type: 'mediant-status', name: 'env status', device: 'e2e12envdev', x: 300, y: 80, wires: [[]] },
        { id: 'e2e12inject', z: 'e2e12tab', type: 'inject', name: 'once', props: [], repeat: '', once: true, onceDelay: 0.1, x: 100, y: 160, wires: [['e2e12httpstatus']] },
        { id: 'e2e12httpstatus', z: 'e2e12tab', type: 'mediant-status', name: 'http status', device: 'e2e12httpdev', x: 300, y: 160, wires: [[]] },
      ];
      receivers.chat.clear();
      sim.control.clearAllAlarms();
      sim.control.clearLog();
      // raised before the deploy: the example's first poll reports it
      sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
      await red.deploy([...remediation, ...mine]);
      await waitFor('the remediation report in the chat', () => receivers.chat.requests.some((r) => r.json && /cleared after the CLI fix/.test(r.json.text || '')));
      assert.ok(sim.control.log().some((e) => /^\/api\/v1\/alarms\/active\/\d+$/.test(e.path) && e.status === 404), 'the check answered 404');

      // the editor as a user opens it after the deploy
      t = await newTab();
      const { page } = t;
      const statusOf = async (id) => {
        const g = page.locator(`g[id="${id}"]`);
        await g.waitFor({ state: 'attached' });
        return {
          text: (await g.locator('.red-ui-flow-node-status-label').textContent()) || '',
          look: ((await g.locator('.red-ui-flow-node-status').getAttribute('class')) || '').replace('red-ui-flow-node-status', '').trim(),
        };
      };
      const shows = async (id, re) => {
        let last;
        await waitFor(`the status of ${id} to read ${re}`, async () => re.test((last = await statusOf(id)).text)).catch((e) => {
          throw new Error(`${e.message}; it shows ${JSON.stringify(last)}`);
        });
        return last;
      };
      await page.evaluate((z) => RED.workspaces.show(z), remTab);
      const gone = await shows(check.id, /^GET 404/);
      assert.match(gone.text, /^GET 404 Not Found · \d\d:\d\d:\d\d$/);
      assert.strictEqual(gone.look, 'red-ui-flow-node-status-dot-green', 'the expected 404 is a green dot, not a red ring');

      await page.evaluate(() => RED.workspaces.show('e2e12tab'));
      const env = await shows('e2e12envstatus', /not set/);
      assert.strictEqual(env.text, 'MEDIANT_HOST not set');
      assert.strictEqual(env.look, 'red-ui-flow-node-status-ring-red');
      const wrong = await shows('e2e12httpstatus', /protocol/);
      assert.match(wrong.text, /^wrong protocol: port serves HTTPS · /);
      assert.strictEqual(wrong.look, 'red-ui-flow-node-status-ring-red');
      assert.match(red.log(), /the environment variable MEDIANT_HOST is not set/);
      assertClean(t);
    } finally {
      if (t) await t.context.close();
      await tlsSim.close();
    }
  });
});
