// The whole tree type-checks (src, bench and these tests: tsx runs tests without checking types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { packageRoot } from '../src/util/package-root.js';

test('tsc -p tsconfig.check.json: no type errors', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.check.json'], { cwd: packageRoot(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
