// `cafe predict --samples` (the README's first command: photos every install has) and a closed stdout: the run stops
// after the current file, leaves no temp files beside the annotated copies and exits 141 (documented in --help).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { samplePhotos } from '../../src/recognizer/files.js';
import { EXIT_STDOUT_CLOSED } from '../../src/cli/stop.js';

const cli = join(import.meta.dirname, 'run-cli.mts');

test('samplePhotos: the six photos face-api ships, sorted', () => {
  const files = samplePhotos();
  assert.deepEqual(files.map((f) => basename(f)), ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg']);
});

test('cafe predict --samples prints one JSON row per face for every sample photo', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'predict', '--samples', '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(rows.map((x) => basename(x.file)))].sort(), samplePhotos().map((f) => basename(f)));
  for (const x of rows) {
    const sum = Object.values(x.scores as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 2e-3, `scores of ${x.file} sum to ${sum}`);
  }
  assert.doesNotMatch(r.stderr, /warn/i);
});

test('cafe predict | head: a closed stdout stops the run cleanly, no *.tmp-* left, exit 141', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-epipe-'));
  try {
    const photos = join(dir, 'in');
    const ann = join(dir, 'annotated');
    // 18 photos: far more than one read takes, so the pipe closes mid-run.
    mkdirSync(photos);
    for (let k = 0; k < 3; k++) for (const f of samplePhotos()) copyFileSync(f, join(photos, `${k}-${basename(f)}`));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'predict', photos, '--annotate', ann, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Like `head -1`: read the first line, then close the read end of the pipe.
    await new Promise<void>((resolve) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, EXIT_STDOUT_CLOSED, stderr);
    assert.match(stderr, /stdout closed after \d+ of 18 files: stopped/);
    const left = readdirSync(ann);
    assert.deepEqual(left.filter((n) => n.includes('.tmp-')), [], 'no temp files');
    assert.ok(left.length >= 1 && left.length < 18, `stopped early: ${left.length} annotated`);
    assert.ok(left.every((n) => n.endsWith('.jpg')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
