'use strict';
// `npm start` seen in a real browser (Debian chromium): the editor opens on the debug
// sidebar that the README and the banner point at, and what scrolls there is the one
// stream the demo promises (what reaches the team chat, and errors), not the output of
// every tab at once, so that a user's own debug nodes stay readable.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { launchBrowser, openPage } = require('./lib/browser');
const { onCleanup } = require('./lib/procs');
const { waitFor } = require('./lib/runtime');
const E = require('./lib/editor');
const { startDemo } = require('../helpers/demo');

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
});
