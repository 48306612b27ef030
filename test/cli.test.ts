// The `cafe` binary: version, help, doctor, unknown commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { doctorReport } from '../src/cli/commands/doctor.js';
import { classifyBlas } from '../src/torch/native.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  return fn().then((code) => {
    console.log = log;
    console.error = error;
    return { code, out: out.join('\n'), err: err.join('\n') };
  }, (e) => {
    console.log = log;
    console.error = error;
    throw e;
  });
}

test('cafe --version prints the package version', async () => {
  const r = await capture(() => main(['--version']));
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), pkg.version);
});

test('cafe --help lists commands; unknown commands exit 2', async () => {
  const h = await capture(() => main(['--help']));
  assert.equal(h.code, 0);
  assert.match(h.out, /doctor/);
  const u = await capture(() => main(['frobnicate']));
  assert.equal(u.code, 2);
  assert.match(u.err, /unknown command 'frobnicate'/);
});

test('cafe doctor reports node, libtorch, threads, CUDA and onnxruntime', async () => {
  const r = doctorReport();
  assert.equal(r.node, process.version);
  assert.equal(r.onnxruntime.found, true);
  if (r.libtorch.found) {
    assert.match(r.libtorch.version!, /^\d+\.\d+/);
    assert.ok(r.libtorch.threads! >= 1);
    assert.equal(typeof r.libtorch.cuda, 'boolean');
    assert.ok(['openblas', 'mkl', 'blis', 'reference', 'unknown'].includes(r.libtorch.blas!.kind));
    // CI installs OpenBLAS beside libtorch-dev (.ci/run): a reference-BLAS libtorch there is a setup regression.
    if (process.env.CAFE_REQUIRE_OPENBLAS) assert.equal(r.libtorch.blas!.kind, 'openblas', JSON.stringify(r.libtorch.blas));
  } else {
    assert.match(r.libtorch.error!, /libtorch-dev/);
  }
  const j = await capture(() => main(['doctor', '--json']));
  assert.equal(j.code, 0);
  assert.equal(JSON.parse(j.out).cafe, pkg.version);
  const txt = await capture(() => main(['doctor']));
  assert.match(txt.out, /libtorch\s+(found|NOT found)/);
  assert.match(txt.out, /onnxruntime\s+found/);
});

test('the installed bin runs (after npm install built dist/)', { skip: existsSync(new URL('../dist/src/cli/main.js', import.meta.url)) ? false : 'dist/ not built (npm install / npm run build)' }, () => {
  const r = spawnSync(process.execPath, [new URL('../bin/cafe.js', import.meta.url).pathname, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('classifyBlas: which BLAS a process mapped (the reference libblas wins when OpenBLAS came in via LAPACK)', () => {
  const line = (p: string) => `7f2a1c000000-7f2a1c100000 r-xp 00000000 08:01 1234  ${p}`;
  const ref = line('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0');
  const ob = line('/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so');
  const other = ['7f2a1c000000-7f2a1c100000 rw-p 00000000 00:00 0 ', line('/usr/lib/x86_64-linux-gnu/libc.so.6')];
  assert.deepEqual(classifyBlas([...other, ob].join('\n')), { kind: 'openblas', library: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so' });
  assert.equal(classifyBlas([...other, ob, ref].join('\n')).kind, 'reference');
  // Debian's libopenblas0-pthread: its own libblas.so.3 (a real file) beside libopenblasp, as libtorch maps it.
  const obFront = line('/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3');
  const obLapack = line('/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3');
  assert.equal(classifyBlas([...other, obFront, obLapack, ob].join('\n')).kind, 'openblas');
  assert.equal(classifyBlas([...other, obFront, ob, ref].join('\n')).kind, 'reference');
  assert.equal(classifyBlas([...other, line('/opt/intel/lib/libmkl_core.so.2')].join('\n')).kind, 'mkl');
  assert.deepEqual(classifyBlas(other.join('\n')), { kind: 'unknown' });
});
