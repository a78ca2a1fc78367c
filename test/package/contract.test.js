'use strict';
// Every property a node stores is either one of the contract's original names or
// listed in docs/contract-additions.md, so that no stored name ships undocumented
// (flows depend on them: they are added, never renamed or removed).
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ADDITIONS = fs.readFileSync(path.join(ROOT, 'docs', 'contract-additions.md'), 'utf8');

/** The names fixed before these additions: the original contract and its 7.x / fleet section. */
const COMMON = ['name', 'device', 'deviceFrom', 'deviceGroup', 'cluster'];
const ORIGINAL = {
  'mediant-device': ['host', 'port', 'protocol', 'tls', 'timeout', 'group'],
  'mediant-cluster': ['host', 'port', 'tls', 'prefix', 'leaseSeconds'],
  'mediant-status': [],
  'mediant-reset': ['saveConfiguration', 'gracefulTimeout', 'waitForRestart', 'restartTimeout'],
  'mediant-save-config': [],
  'mediant-upload-file': ['fileType', 'filename'],
  'mediant-download-file': ['fileType'],
  'mediant-run-cli': ['script'],
  'mediant-alarms-poll': ['alarmType', 'pollInterval', 'emitExisting', 'output'],
  'mediant-pm-read': ['pm', 'index', 'interval', 'pollInterval'],
  'mediant-kpi': ['kpi', 'source', 'interval', 'pollInterval'],
  'mediant-test-call': ['calledNumber', 'callingNumber', 'destAddress', 'destIpGroup', 'transportType', 'timeout'],
  'mediant-license': ['action'],
  'mediant-request': ['method', 'path'],
};

/** The keys of a node's `defaults` in its editor file, and of the shared flowDefaults it calls. */
function storedProperties(type) {
  const html = fs.readFileSync(path.join(ROOT, 'nodes', `${type}.html`), 'utf8');
  const start = html.search(/\bdefaults:/);
  assert.ok(start >= 0, `${type}.html has no defaults`);
  const end = html.slice(start).search(/^\s{4}(inputs|credentials|outputs|color|category|label|icon)\b|\}, (true|false)\)/m);
  const block = html.slice(start, start + end);
  const keys = [...block.matchAll(/^\s{6,8}([A-Za-z_]\w*):\s*\{/gm)].map((m) => m[1]);
  assert.ok(keys.length > 0, `no properties read from ${type}.html (teach test/package/contract.test.js its layout)`);
  const shared = /flowDefaults\(/.test(block) ? ['device', 'deviceFrom', 'version', ...(/\}, true\)/.test(html.slice(start, start + end + 12)) ? ['deviceGroup'] : [])] : [];
  return [...new Set([...keys, ...shared])];
}

describe('node contract: every stored property is original or documented as an addition', function () {
  for (const type of Object.keys(PKG['node-red'].nodes)) {
    it(`${type}`, function () {
      assert.ok(ORIGINAL[type], `${type} is a new node type: list its original names here and its properties in docs/contract-additions.md`);
      const undocumented = storedProperties(type).filter(
        (p) => !COMMON.includes(p) && !ORIGINAL[type].includes(p) && !new RegExp(`\\| \`${type}\` \\|[^\\n]*\`${p}\`|\\| \`${p}\` \\|`).test(ADDITIONS),
      );
      assert.deepStrictEqual(undocumented, [], `${type} stores ${undocumented.join(', ')}, not in docs/contract-additions.md`);
    });
  }
});
