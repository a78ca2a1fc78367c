/**
 * The device simulator as a library: `startSimulator({ port: 0 })` gives a
 * Mediant REST API on loopback with a control handle. See types.ts for the
 * control API (`/__sim/`) and the options.
 *
 * Cheap by design: no timer runs while a simulator is idle (PM and KPI values
 * and test calls are a function of the clock; the boot timer lives only during a reboot, the
 * scenario timer only in scenario mode; Node's per-server connection checker
 * is stretched to its longest period since request timeouts are off), so
 * hundreds of simulators fit in one process.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { makeSelfSignedCertificate } from './cert';
import { Device } from './device';
import { createRequestHandler, isControlPath } from './http';
import { profileFor } from './profiles';
import type { Simulator, SimulatorOptions } from './types';

export * from './types';
export { makeSelfSignedCertificate } from './cert';
export { DEFAULT_FIRMWARE, FIRMWARES } from './profiles';

function checkOptions(o: SimulatorOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw new TypeError('port must be an integer 0..65535');
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) throw new TypeError('host must be a non-empty string');
  if (o.bootTimeMs !== undefined && (typeof o.bootTimeMs !== 'number' || !(o.bootTimeMs >= 0))) throw new TypeError('bootTimeMs must be a number >= 0');
  if (o.logLimit !== undefined && (!Number.isInteger(o.logLimit) || o.logLimit < 0)) throw new TypeError('logLimit must be an integer >= 0');
  profileFor(o.firmware);
  if (o.utcOffsetMinutes !== undefined && (!Number.isInteger(o.utcOffsetMinutes) || o.utcOffsetMinutes < -720 || o.utcOffsetMinutes > 840)) {
    throw new TypeError('utcOffsetMinutes must be an integer -720..840');
  }
  if (o.kpiIntervalSeconds !== undefined && (!Number.isInteger(o.kpiIntervalSeconds) || o.kpiIntervalSeconds < 1)) throw new TypeError('kpiIntervalSeconds must be an integer >= 1');
  if (o.debugFileMs !== undefined && (typeof o.debugFileMs !== 'number' || !(o.debugFileMs >= 0))) throw new TypeError('debugFileMs must be a number >= 0');
  if (o.users !== undefined) {
    for (const u of o.users) {
      if (!u || typeof u.username !== 'string' || typeof u.password !== 'string' || !['securityAdmin', 'admin', 'monitor'].includes(u.privilege)) {
        throw new TypeError('each user needs username, password and privilege (securityAdmin, admin or monitor)');
      }
    }
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(opts);
  const host = opts.host ?? '127.0.0.1';
  let material: { cert: string; key: string | Buffer } | undefined;
  if (opts.tls === true) material = makeSelfSignedCertificate(host);
  else if (opts.tls && typeof opts.tls === 'object') material = { cert: opts.tls.cert.toString(), key: opts.tls.key };
  const dev = new Device(opts);
  const handler = createRequestHandler(dev, host, material?.cert);
  const serverOptions = {
    keepAlive: true,
    // no request timeout (uploads may be long); the connection checker then has nothing to do
    requestTimeout: 0,
    connectionsCheckingInterval: 2 ** 31 - 1,
  };
  const server: http.Server = material
    ? https.createServer({ ...serverOptions, cert: material.cert, key: material.key }, handler)
    : http.createServer(serverOptions, handler);
  const sockets = new Set<Socket>();
  /**
   * Connections that carried a control request (/__sim/): the device going
   * down or rebooting spares them. Known by the client's address and port, the
   * same for the TCP socket and the TLS socket over it.
   */
  const control = new Set<string>();
  const peer = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}`;
  server.on('connection', (s: Socket) => {
    if (dev.closed) {
      s.destroy();
      return;
    }
    sockets.add(s);
    const key = peer(s);
    s.once('close', () => {
      sockets.delete(s);
      control.delete(key);
    });
  });
  server.on('request', (req: http.IncomingMessage) => {
    if (isControlPath(req.url ?? '/')) control.add(peer(req.socket));
  });
  const destroyAll = (): void => {
    for (const s of sockets) s.destroy();
  };
  // The device's own connections go when it goes down or reboots; a control
  // connection (the one that asked for the reboot, a test's keep-alive) stays,
  // as the control API stays reachable. An /api request on it is dropped anyway
  // while the device is not up.
  dev.disconnectAll = () => {
    for (const s of sockets) if (!control.has(peer(s))) s.destroy();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    dev.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const protocol = material ? 'https' : 'http';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `${protocol}://${urlHost}:${port}`,
    host,
    port,
    protocol,
    ...(material ? { certificate: material.cert } : {}),
    control: dev,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        dev.close();
        server.close(() => resolve());
        destroyAll();
      });
      return closing;
    },
  };
}
