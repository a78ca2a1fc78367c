'use strict';
// The editor opens a deployed flow over a fleet of 1,000 devices: every
// mediant-device config node and the polling node(s) are there, with no
// browser error and nothing leaving 127.0.0.1. How long that takes is a
// figure of the bench (npm run bench -- --only=deploy), not asserted here.
const assert = require('assert');
const { installPackage, startNodeRed } = require('./lib/runtime');
const { launchBrowser, openPage } = require('./lib/browser');
const { fleetFlow } = require('./lib/fleet-flow');
const { freePort } = require('../helpers/net');
const E = require('./lib/editor');

const DEVICES = 1000;

describe('the editor with a fleet of 1,000 devices (chromium)', function () {
  let red;
  let browserHandle;

  before(async function () {
    const inst = await installPackage();
    red = await startNodeRed({ userDir: inst.userDir, name: 'fleet-editor' });
    browserHandle = await launchBrowser();
  });

  after(async function () {
    if (browserHandle) await browserHandle.close();
    if (red) await red.stop();
  });

  for (const way of ['fleet', 'nodes']) {
    it(`loads ${way === 'fleet' ? 'one alarms node over all' : 'an alarms node for each'} of ${DEVICES} devices, every node present`, async function () {
      this.timeout(600000);
      // Nothing listens there and nothing polls (no timer): this is about the editor.
      const port = await freePort();
      const { flow, devices, pollNodes } = fleetFlow({ way, targets: DEVICES, port, pollInterval: 0 });
      await red.deploy(flow);
      const tab = await openPage(browserHandle.browser, red.url);
      try {
        await tab.page.goto(`${red.url}/`);
        const held = await E.flowLoaded(tab.page, { devices, pollNodes, timeout: 540000 });
        assert.deepStrictEqual(held, { devices: DEVICES, pollNodes: way === 'fleet' ? 1 : DEVICES });
        assert.deepStrictEqual(tab.consoleErrors, [], `browser console errors:\n${tab.consoleErrors.join('\n')}`);
        assert.deepStrictEqual(tab.blocked, [], `requests that tried to leave the machine:\n${tab.blocked.join('\n')}`);
      } finally {
        await tab.context.close();
      }
    });
  }
});
