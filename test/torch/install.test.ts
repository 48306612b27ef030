// Without libtorch: npm install still succeeds (the build script exits 0 with instructions), and the training core
// throws an error that says how to install libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('build script without libtorch: exit 0 and install instructions; exit 1 when CAFE_REQUIRE_NATIVE=1', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: '/nonexistent/libtorch' };
  delete env.CAFE_REQUIRE_NATIVE;
  const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /LIBTORCH=\/nonexistent\/libtorch has no include/);
  assert.match(r.stderr, /apt-get install libtorch-dev/);
  const strict = spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: root, env: { ...env, CAFE_REQUIRE_NATIVE: '1' }, encoding: 'utf8' });
  assert.equal(strict.status, 1);
});

test('using the training core without the addon throws how to install libtorch; importing it does not', () => {
  const script = `
    const torch = await import(${JSON.stringify(new URL('../../src/torch/index.ts', import.meta.url).href)});
    console.log('imported', torch.nativeAvailable());
    try { torch.zeros([1]); } catch (e) { console.log('ERR', e.name, e.message); }
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root, env: { ...process.env, CAFE_TORCH_ADDON: '/nonexistent/cafe_torch.node' }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported false/);
  assert.match(r.stdout, /ERR CafeError libtorch addon not built/);
  assert.match(r.stdout, /apt-get install libtorch-dev libopenblas0-pthread && npm run build:native/);
  assert.match(r.stdout, /LIBTORCH=\/path\/to\/libtorch/);
});
