'use strict';
/**
 * 3. Streamed upload: a generated file (1 GiB; quick 128 MiB) through
 * mediant-upload-file with msg.filename — peak RSS growth of the Node-RED
 * process (sampled every 50 ms) and throughput as a ratio to `curl -T` of the
 * same file to the same simulator. The file lives in a temp dir and is
 * deleted afterwards.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFile } = require('node:child_process');
const { row } = require('../lib/context');
const { round, sleep } = require('../lib/measure');

const MiB = 1048576;

async function makeFile(file, bytes) {
  const block = crypto.randomBytes(MiB);
  const fd = await fs.promises.open(file, 'w');
  try {
    for (let off = 0; off < bytes; off += MiB) {
      block.writeUInt32BE(off / MiB, 0); // no two blocks alike
      await fd.write(block, 0, Math.min(MiB, bytes - off));
    }
  } finally {
    await fd.close();
  }
}

function curlUpload(file, port, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    execFile(
      'curl',
      ['-sS', '-u', 'Admin:Admin', '-T', file, '-H', 'Content-Type: application/octet-stream', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(Math.ceil(timeoutMs / 1000)), `http://127.0.0.1:${port}/api/v1/files/software`],
      { timeout: timeoutMs },
      (err, stdout, stderr) => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve({ ms: round(ms, 1), statusCode: Number(stdout) || 0, error: err ? String(stderr || err.message).trim() : undefined });
      },
    );
  });
}

async function run(ctx) {
  const sizeMiB = ctx.opts.uploadMiB || (ctx.quick ? 128 : 1024);
  const rounds = 2;
  const bytes = sizeMiB * MiB;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'mediant-bench-'));
  const file = path.join(dir, 'software.cmp');
  const sims = await ctx.simHost('sim-host upload');
  const w = await ctx.worker('upload-ours');
  const result = { sizeMiB, curl: [], ours: [] };
  try {
    ctx.log(`upload: writing ${sizeMiB} MiB test file`);
    await makeFile(file, bytes);
    const [sim] = await sims.call('start', { count: 1 });
    await w.call('init', { side: 'ours' });
    await w.call('setupSingle', { type: 'mediant-upload-file', port: sim.port, props: { fileType: 'software', filename: '' } });
    const timeoutMs = Math.max(120_000, sizeMiB * 1000);
    // A software upload makes the simulated device restart: wait it out between runs.
    const waitUp = () => sims.call('waitUp', { index: 0 }, 60_000);
    for (let i = 0; i < rounds; i++) {
      await waitUp();
      const c = await curlUpload(file, sim.port, timeoutMs);
      result.curl.push(c);
      await waitUp();
      await sleep(200);
      const o = await w.call('once', { msg: { filename: file } }, timeoutMs + 10_000);
      delete o.payload;
      result.ours.push(o);
      ctx.log(`upload round ${i + 1}: curl ${c.ms} ms (${c.statusCode}), ours ${o.ms} ms (${o.statusCode || o.error}), rss +${o.rssGrowthMiB} MiB`);
    }
    // What a bigger read chunk would give (the client alone, 1 MiB reads instead of 64 KiB).
    await waitUp();
    result.client1MiB = await w.call('clientUpload', { port: sim.port, file, chunkBytes: MiB }, timeoutMs + 10_000);
    ctx.log(`upload client alone, 1 MiB reads: ${result.client1MiB.ms} ms, rss +${result.client1MiB.rssGrowthMiB} MiB`);
    await waitUp();
    const counts = await sims.call('counts', { index: 0 });
    result.simUploads = counts[0].uploads;
  } finally {
    await w.stop();
    await sims.call('closeAll').catch(() => undefined);
    await sims.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  const okCurl = result.curl.filter((c) => c.statusCode >= 200 && c.statusCode < 300);
  const okOurs = result.ours.filter((o) => o.statusCode >= 200 && o.statusCode < 300);
  const fullUploads = (result.simUploads || []).filter((u) => u.bytes === bytes).length;
  const bestCurl = Math.min(...okCurl.map((c) => c.ms));
  const bestOurs = Math.min(...okOurs.map((o) => o.ms));
  const peakGrowth = Math.max(...result.ours.map((o) => o.rssGrowthMiB));
  const ratio = okCurl.length && okOurs.length ? round(bestCurl / bestOurs, 2) : null;
  const mbps = (ms) => round(sizeMiB / (ms / 1000), 0);
  result.bestCurlMs = bestCurl;
  result.bestOursMs = bestOurs;
  result.fullUploadsAtSimulator = fullUploads;
  const note = okOurs.length === rounds && fullUploads >= rounds * 2 ? '' : `ours ok ${okOurs.length}/${rounds}, curl ok ${okCurl.length}/${rounds}, complete at simulator ${fullUploads}/${rounds * 2}`;
  const c1 = result.client1MiB;
  const chunkNote = c1 && c1.statusCode === 200 ? `${note ? '; ' : ''}our client with 1 MiB reads: ${mbps(c1.ms)} MiB/s = ${round(bestCurl / c1.ms, 2)} of curl, RSS +${c1.rssGrowthMiB} MiB` : '';
  const rows = [
    row('3a', `upload ${sizeMiB} MiB: peak RSS growth`, `${peakGrowth} MiB`, '< 64 MiB', round(peakGrowth / 64, 2), okOurs.length > 0 && peakGrowth < 64, note),
    row('3b', `upload ${sizeMiB} MiB: throughput ours / curl -T`, `${mbps(bestOurs)} / ${mbps(bestCurl)} MiB/s`, '>= 0.8', ratio, ratio !== null && ratio >= 0.8, note + chunkNote),
  ];
  return { rows, data: result };
}

module.exports = { id: 3, name: 'upload', run };
