'use strict';
// What every file in examples/ must be: an importable flow that starts with a comment, uses only
// core nodes and ours, keeps no credentials or outside URL in the file; together, every node type of the package.
require('should');
const s = require('./support');

describe('examples/', function () {
  const files = s.exampleFiles();

  it('holds the seven example flows', () => {
    files.should.eql(['01 alarm to chat.json', '02 alarm to ticket.json', '03 remediation.json', '04 configuration backup.json', '05 PM watch.json', '06 alarms on replicas.json', '07 KPI watch.json']);
  });

  it('use every node type of the package, together', () => {
    const used = new Set(files.flatMap((f) => s.readExample(f).map((n) => n.type)));
    const missing = s.OUR_TYPES.filter((t) => !used.has(t));
    missing.should.eql([], `node types used in no example: ${missing.join(', ')}`);
  });

  for (const file of files) {
    describe(file, () => {
      const nodes = s.readExample(file);
      const flowNodes = nodes.filter((n) => n.type !== 'mediant-device' && n.type !== 'mediant-cluster');

      it('is one tab of nodes, starting with a comment that says what it shows and how to use it', () => {
        nodes[0].type.should.equal('comment');
        nodes[0].name.should.not.be.empty();
        nodes[0].info.should.match(/What it shows/).and.match(/How to use/);
        new Set(flowNodes.map((n) => n.z)).size.should.equal(1);
        nodes.filter((n) => n.type === 'tab' || n.type === 'subflow').should.be.empty();
        new Set(nodes.map((n) => n.id)).size.should.equal(nodes.length);
      });

      it('uses only core nodes and ours, and no function node', () => {
        for (const n of nodes) {
          (s.OUR_TYPES.includes(n.type) || Object.prototype.hasOwnProperty.call(s.CORE_FILES, n.type)).should.be.true(`unexpected node type ${n.type}`);
        }
        nodes.filter((n) => n.type === 'function').should.be.empty();
      });

      it('wires only to nodes of the flow, and points every device node at its own mediant-device config', () => {
        const ids = new Set(nodes.map((n) => n.id));
        for (const n of flowNodes) {
          for (const out of n.wires || []) for (const to of out) ids.has(to).should.be.true(`${n.name || n.type} wires to unknown ${to}`);
          if (n.type === 'catch' && Array.isArray(n.scope)) n.scope.forEach((id) => ids.has(id).should.be.true());
          if (n.type.startsWith('mediant-')) {
            if (n.cluster) nodes.find((c) => c.id === n.cluster).type.should.equal('mediant-cluster');
            const dev = nodes.find((d) => d.id === n.device);
            (dev && dev.type).should.equal('mediant-device', `${n.name || n.type} has no device`);
          }
        }
      });

      it('keeps credentials out of the file and takes the device address and outside URLs from env vars', () => {
        const devices = nodes.filter((n) => n.type === 'mediant-device');
        devices.should.have.length(1);
        devices[0].should.not.have.property('credentials');
        devices[0].host.should.equal('${MEDIANT_HOST}');
        for (const c of nodes.filter((n) => n.type === 'mediant-cluster')) c.host.should.equal('${REDIS_HOST}');
        // no literal address anywhere but in the comment's prose, no password property
        JSON.stringify(flowNodes.filter((n) => n.type !== 'comment')).should.not.match(/https?:\/\//i);
        JSON.stringify(nodes).should.not.match(/"(password|username|credentials)"\s*:/i);
        for (const n of nodes.filter((x) => x.type === 'http request')) {
          // the URL is the node's, from an env var, or set into msg.url by a change node from one
          if (n.url) n.url.should.match(/^\$\{[A-Z_]+\}$/);
        }
      });
    });
  }
});
