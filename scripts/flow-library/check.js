#!/usr/bin/env node
'use strict';
/**
 * `npm run flow-library`: the Flow Library's scorecard for this package, computed on
 * what would be published. The package is packed (`npm pack`, which builds it), the
 * tarball unpacked, and node-red-dev (our devDependency, the tool the Flow Library
 * uses) validates the unpacked copy, so a file missing from `files` shows up here.
 * Its one request to the Flow Library's catalogue is answered locally
 * (offline-catalogue.js); the npm registry is asked as usual.
 *
 * On top of node-red-dev's checks, one of ours: every flow node of package.json was
 * read by node-red-dev's parser. A node it cannot parse (the type must be a string
 * literal and the definition an inline object in a <script type="text/javascript">)
 * is dropped silently by the Flow Library, and its checks then pass without it.
 *
 * Prints one line per check (pass / allowed / FAIL) and exits 1 on a failure,
 * 2 when the check could not run.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The checks node-red-dev 0.1 computes; one missing from its scorecard is a failure. */
const EXPECTED = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'];

/**
 * Failures we accept, each for named packages only and with the reason. Anything
 * else under the same check still fails.
 */
const ALLOWED = {
  D03: {
    packages: ['undici'],
    why: 'undici 8 needs Node.js 22.19 or later; we support Node.js 20.18.1 (engines.node, the Node of Node-RED 4 installs), and undici 7 is the line maintained for it',
  },
};

function stop(message) {
  process.stderr.write(`flow-library: ${message}\n`);
  process.exit(2);
}

// npm run puts npm_* settings into the environment; the nested npm must behave as for a user.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) stop(`${cmd} ${args[0]}: ${r.error.message}`);
  return r;
}

function main() {
  let validator;
  try {
    validator = require.resolve('node-red-dev/bin/run', { paths: [ROOT] });
  } catch {
    stop('node-red-dev is not installed: it is a devDependency, run "npm install" in the repository');
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-flow-library-'));
  try {
    const pack = run(NPM, ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
    if (pack.status !== 0) stop(`npm pack failed (${pack.status}):\n${pack.stdout}${pack.stderr}`);
    const tarball = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0].filename;
    const untar = run('tar', ['-xzf', path.join(work, tarball), '-C', work]);
    if (untar.status !== 0) stop(`unpacking ${tarball} failed: ${untar.stderr}`);
    const packageDir = path.join(work, 'package');
    const scoreFile = path.join(work, 'scorecard.json');
    const v = run(process.execPath, ['--require', path.join(__dirname, 'offline-catalogue.js'), validator, 'validate', '--path', packageDir, '--output', scoreFile], { cwd: work });
    const log = `${v.stdout}${v.stderr}`;
    if (!fs.existsSync(scoreFile)) stop(`node-red-dev wrote no scorecard (exit ${v.status}):\n${log}`);
    const score = JSON.parse(fs.readFileSync(scoreFile, 'utf8'));
    process.stdout.write(`Flow Library scorecard of ${tarball} (node-red-dev ${require(require.resolve('node-red-dev/package.json', { paths: [ROOT] })).version})\n`);
    for (const l of new Set(log.split('\n').filter((l) => l.startsWith('offline-catalogue: ')))) process.stdout.write(`${l}\n`);
    const failed = report(score, log, packageDir);
    process.stdout.write(`${EXPECTED.length + 1 - failed} passed or allowed, ${failed} failed\n`);
    if (failed) process.stdout.write(`\nnode-red-dev's log:\n${log}`);
    return failed ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** One line per check; the number of failures. */
function report(score, log, packageDir) {
  let failed = 0;
  const line = (verdict, check, detail) => process.stdout.write(`${verdict.padEnd(7)} ${check}  ${detail}\n`);
  for (const check of EXPECTED) {
    const r = score[check];
    if (!r || typeof r.test !== 'boolean') {
      failed++;
      line('FAIL', check, 'not computed (node-red-dev stopped early: see its log below)');
      continue;
    }
    const detail = Object.entries(r).filter(([k]) => k !== 'test').map(([k, val]) => `${k}=${JSON.stringify(val)}`).join(' ');
    if (r.test) {
      line('pass', check, detail);
      continue;
    }
    const allow = ALLOWED[check];
    const named = Array.isArray(r.packages) ? r.packages : [];
    if (allow && named.length > 0 && named.every((p) => allow.packages.includes(p))) {
      line('allowed', check, `${detail} — ${allow.why}`);
    } else {
      failed++;
      line('FAIL', check, detail);
    }
  }
  // ours: node-red-dev parsed every flow node of package.json (N02 lists the ones it read)
  const flowNodes = Object.entries(PKG['node-red'].nodes)
    .filter(([, file]) => !/category:\s*["']config["']/.test(fs.readFileSync(path.join(packageDir, file.replace(/\.js$/, '.html')), 'utf8')))
    .map(([type]) => type);
  const read = new Set((score.N02 && score.N02.nodes) || []);
  const unread = flowNodes.filter((t) => !read.has(t));
  const parseErrors = log.split('\n').filter((l) => /unable to parse/i.test(l));
  if (unread.length || parseErrors.length) {
    failed++;
    line('FAIL', 'parse', `node-red-dev did not read ${unread.join(', ') || 'every node'} (registerType needs a literal type and an inline definition) ${parseErrors.join('; ')}`);
  } else {
    line('pass', 'parse', `every flow node read: ${flowNodes.length}`);
  }
  return failed;
}

try {
  process.exitCode = main();
} catch (e) {
  stop(e && e.stack ? e.stack : String(e));
}
