'use strict';
// Shared by the client tests and the e2e runtime: a free TCP port on loopback.
const net = require('node:net');

/**
 * A TCP port on 127.0.0.1 that nothing listens on (bound, then released):
 * for a server to listen on, or for a connection that must be refused.
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

module.exports = { freePort };
