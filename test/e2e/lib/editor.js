'use strict';
// Steps a user takes in the Node-RED editor, as playwright actions on the real UI
// (clicks, drags, typing). Reading the editor's own state (`RED.nodes`) is kept to
// finding what a step produced (the id of the node just dropped).
const { sleep } = require('./runtime');

/** Load the editor and wait until the palette holds our category. */
async function openEditor(page, url) {
  await page.goto(`${url}/`);
  await page.waitForSelector('#red-ui-palette-container-mediant .red-ui-palette-node', { state: 'attached', timeout: 60000 });
  await page.waitForFunction(() => window.RED && RED.nodes && RED.workspaces && RED.workspaces.active());
}

/**
 * Wait until the editor holds a deployed flow: `devices` mediant-device config
 * nodes and `pollNodes` mediant-alarms-poll nodes in RED.nodes, a tab shown,
 * and a frame drawn after that. Resolves to what the editor holds.
 */
async function flowLoaded(page, { devices, pollNodes, timeout = 300000 }) {
  await page.waitForFunction(
    ([d, p]) => {
      const R = window.RED;
      if (!R || !R.nodes || !R.workspaces || !R.workspaces.active()) return false;
      let dev = 0;
      let poll = 0;
      R.nodes.eachConfig((n) => {
        if (n.type === 'mediant-device') dev++;
      });
      R.nodes.eachNode((n) => {
        if (n.type === 'mediant-alarms-poll') poll++;
      });
      return dev === d && poll === p;
    },
    [devices, pollNodes],
    { timeout, polling: 50 },
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  return page.evaluate(() => {
    let dev = 0;
    let poll = 0;
    RED.nodes.eachConfig((n) => {
      if (n.type === 'mediant-device') dev++;
    });
    RED.nodes.eachNode((n) => {
      if (n.type === 'mediant-alarms-poll') poll++;
    });
    return { devices: dev, pollNodes: poll };
  });
}

/** Wait until an element stops moving (the edit tray slides in). */
async function settled(locator) {
  let last = null;
  for (let i = 0; i < 100; i++) {
    const box = await locator.boundingBox();
    if (box && last && box.x === last.x && box.y === last.y && box.width === last.width) return box;
    last = box;
    await sleep(100);
  }
  return last;
}

/** The visible edit tray (the last one opened). */
function tray(page) {
  return page.locator('.red-ui-tray').last();
}

async function openedTray(page) {
  const t = tray(page);
  await t.waitFor({ state: 'visible' });
  await settled(t);
  return t;
}

/** Drag a palette node onto the workspace at (dx, dy) from the chart's corner; returns the new node's id. */
async function dragFromPalette(page, type, dx, dy) {
  const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const src = page.locator(`#red-ui-palette-container-mediant .red-ui-palette-node[data-palette-type="${type}"]`);
  await src.scrollIntoViewIfNeeded();
  const from = await src.boundingBox();
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(chart.x + dx - 20, chart.y + dy - 10, { steps: 12 });
  await page.mouse.move(chart.x + dx, chart.y + dy, { steps: 4 });
  await page.mouse.up();
  const after = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const added = after.filter((id) => !before.includes(id));
  if (added.length !== 1) throw new Error(`dragging ${type} onto the workspace added ${added.length} nodes`);
  await page.locator(`g[id="${added[0]}"]`).waitFor({ state: 'visible' });
  return added[0];
}

/** Double-click a node on the workspace; resolves once its edit tray is open. */
async function openNodeDialog(page, id) {
  await page.locator(`g[id="${id}"] .red-ui-flow-node`).first().dblclick();
  await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
  return openedTray(page);
}

/** Click the book button in the open tray's footer; returns the help sidebar's text and its h3 headings. */
async function showHelp(page) {
  await tray(page).locator('.red-ui-tray-footer button:has(i.fa-book)').click();
  const help = page.locator('.red-ui-sidebar-help-stack .red-ui-help').first();
  await help.waitFor({ state: 'visible' });
  return {
    text: await help.innerText(),
    headings: (await help.locator('h3').allInnerTexts()).map((s) => s.trim()),
  };
}

/** Deploy with the Deploy button; resolves to the success notification's text or throws what the editor said. */
async function deploy(page) {
  await page.click('#red-ui-header-button-deploy');
  const ok = page.locator('.red-ui-notification', { hasText: 'Successfully deployed' });
  const problem = page.locator('.red-ui-notification-error, .red-ui-notification-warning, #red-ui-header-button-deploy + .ui-dialog, .ui-dialog:visible:has(#node-dialog-confirm-deploy)');
  const which = await Promise.race([
    ok.first().waitFor({ state: 'visible', timeout: 60000 }).then(() => 'ok'),
    problem.first().waitFor({ state: 'visible', timeout: 60000 }).then(() => 'problem'),
  ]);
  if (which !== 'ok') throw new Error(`deploy did not succeed: ${await problem.first().innerText()}`);
  return ok.first().innerText();
}

/**
 * Menu > Import > Examples, our module's folder expanded. Waits for each of
 * `expected` to be listed; returns the dialog and every label it shows.
 */
async function openImportExamples(page, moduleName, expected) {
  await page.click('#red-ui-header-button-sidemenu');
  await page.click('#menu-item-import');
  await page.locator('#red-ui-clipboard-dialog-ok').waitFor({ state: 'visible' });
  await page.click('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples a');
  const dialog = page.locator('.ui-dialog:visible');
  await dialog.locator('.red-ui-treeList-label', { hasText: moduleName }).click();
  // The folder's children load on demand.
  for (const name of expected) {
    await dialog.locator('.red-ui-treeList-label', { hasText: name }).first().waitFor({ state: 'visible' });
  }
  const labels = (await dialog.locator('.red-ui-treeList-label').allInnerTexts()).map((s) => s.trim());
  return { dialog, labels };
}

module.exports = { openEditor, flowLoaded, settled, tray, openedTray, dragFromPalette, openNodeDialog, showHelp, deploy, openImportExamples };
