'use strict';
// What every file in examples/ must be: an importable flow that starts with a comment, uses only
// core nodes and ours, keeps no credentials or outside URL in the file; together, every node type of the package.
require('should');
const s = require('./support');

describe('examples/', function () {
  const files = s.exampleFiles();

  it('holds the example flows', () => {
    files.should.eql(['01 alarm to chat.json', '02 alarm to ticket.json', '03 remediation.json', '04 configuration backup.json', '05 PM watch.json', '06 alarms on replicas.json', '07 KPI watch.json', '08 fleet remediation.json', '09 fleet dashboard.json']);
  });

  it('use every node type of the package, together', () => {
    const used = new Set(files.flatMap((f) => s.readExample(f).map((n) => n.type)));
    const missing = s.OUR_TYPES.filter((t) => !used.has(t));
    missing.should.eql([], `node types used in no example: ${missing.join(', ')}`);
  });

  it('name each device by one config node across the examples, so that importing two never makes two devices of one name', () => {
    // two nodes named `sbc` make msg.device "sbc" ambiguous: a node over every device refuses it
    const idsOf = new Map();
    for (const f of files) {
      for (const d of s.readExample(f).filter((n) => n.type === 'mediant-device')) idsOf.set(d.name, new Set([...(idsOf.get(d.name) || []), d.id]));
    }
    for (const [name, ids] of idsOf) ids.size.should.equal(1, `device "${name}" has ${ids.size} config nodes: ${[...ids].join(', ')}`);
  });

  for (const file of files) {
    describe(file, () => {
      const nodes = s.readExample(file);
      const dashboard = s.DASHBOARD_EXAMPLES.includes(file);
      // the dashboard's config nodes (ui-base, ui-page, ui-group, ui-theme) belong to no tab
      const dashboardConfig = (n) => dashboard && Object.prototype.hasOwnProperty.call(s.DASHBOARD_FILES, n.type) && !n.z;
      const flowNodes = nodes.filter((n) => n.type !== 'mediant-device' && n.type !== 'mediant-cluster' && !dashboardConfig(n));

      it('is one tab of nodes, starting with a comment that says what it shows and how to use it', () => {
        nodes[0].type.should.equal('comment');
        nodes[0].name.should.not.be.empty();
        nodes[0].info.should.match(/What it shows/).and.match(/How to use/);
        new Set(flowNodes.map((n) => n.z)).size.should.equal(1);
        nodes.filter((n) => n.type === 'tab' || n.type === 'subflow').should.be.empty();
        new Set(nodes.map((n) => n.id)).size.should.equal(nodes.length);
      });

      it('uses only core nodes and ours (and FlowFuse Dashboard 2.0 in the dashboard example), and no function node', () => {
        const known = (t) => Object.prototype.hasOwnProperty.call(s.CORE_FILES, t) || (dashboard && Object.prototype.hasOwnProperty.call(s.DASHBOARD_FILES, t));
        for (const n of nodes) {
          (s.OUR_TYPES.includes(n.type) || known(n.type)).should.be.true(`unexpected node type ${n.type}`);
        }
        nodes.filter((n) => n.type === 'function').should.be.empty();
      });

      it('wires only to nodes of the flow, and points every device node at its own mediant-device config (or its fleet, or the message)', () => {
        const ids = new Set(nodes.map((n) => n.id));
        for (const n of flowNodes) {
          for (const out of n.wires || []) for (const to of out) ids.has(to).should.be.true(`${n.name || n.type} wires to unknown ${to}`);
          if (n.type === 'catch' && Array.isArray(n.scope)) n.scope.forEach((id) => ids.has(id).should.be.true());
          if (n.type.startsWith('mediant-')) {
            if (n.cluster) nodes.find((c) => c.id === n.cluster).type.should.equal('mediant-cluster');
            const from = n.deviceFrom || 'node';
            const dev = nodes.find((d) => d.id === n.device);
            if (from === 'group') {
              // a group the file's own devices belong to
              nodes.filter((d) => d.type === 'mediant-device' && d.group === n.deviceGroup).should.not.be.empty(`${n.name || n.type}: no device of group ${n.deviceGroup}`);
            } else if (from === 'msg' && !n.device) {
              // the device comes from msg.device: the chain must start at a node that sets it (an alarms node)
              nodes.some((x) => x.type === 'mediant-alarms-poll').should.be.true(`${n.name || n.type} takes msg.device, but no node of the flow sets it`);
            } else if (from !== 'all') {
              (dev && dev.type).should.equal('mediant-device', `${n.name || n.type} has no device`);
            }
          }
        }
      });

      it('keeps credentials out of the file and takes the device address and outside URLs from env vars', () => {
        const devices = nodes.filter((n) => n.type === 'mediant-device');
        devices.should.not.be.empty();
        for (const d of devices) {
          d.should.not.have.property('credentials');
          // one device: the shared ${MEDIANT_HOST}; a fleet: each its own variables, named in the comment
          if (devices.length === 1) d.host.should.equal('${MEDIANT_HOST}');
          else {
            d.host.should.match(/^\$\{[A-Z0-9_]+\}$/);
            d.port.should.match(/^\$\{[A-Z0-9_]+\}$/);
            nodes[0].info.should.containEql(d.host.slice(2, -1));
          }
        }
        if (devices.length > 1) new Set(devices.map((d) => d.name)).size.should.equal(devices.length, 'each device its own name');
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
