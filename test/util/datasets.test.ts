// The datasets folder for benches and tests: <repo>/../shared/datasets by default (found from the package root,
// not the cwd), $CAFE_DATASETS overrides it, a --datasets flag overrides both; relative paths resolve against the cwd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { DATASETS_ENV, datasetsHint, datasetsRoot } from '../../src/util/datasets.js';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// Absolute folders for the env variable and the flag: under this machine's temp folder (never created).
const ENV_DIR = join(tmpdir(), 'cafe-datasets-env');
const FLAG_DIR = join(tmpdir(), 'cafe-datasets-flag');

/** Runs `fn` with $CAFE_DATASETS set to `value` (or unset when undefined), restoring it afterwards. */
function withEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env[DATASETS_ENV];
  if (value === undefined) delete process.env[DATASETS_ENV];
  else process.env[DATASETS_ENV] = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env[DATASETS_ENV];
    else process.env[DATASETS_ENV] = saved;
  }
}

test('the env variable is CAFE_DATASETS', () => {
  assert.equal(DATASETS_ENV, 'CAFE_DATASETS');
});

test('default: ../shared/datasets beside the repository root, whatever the cwd', () => {
  const want = resolve(REPO, '..', 'shared', 'datasets');
  withEnv(undefined, () => assert.equal(datasetsRoot(), want));
  withEnv('', () => assert.equal(datasetsRoot(), want, 'an empty CAFE_DATASETS counts as unset'));
  const cwd = process.cwd();
  process.chdir(join(REPO, 'test'));
  try {
    withEnv(undefined, () => assert.equal(datasetsRoot(), want));
  } finally {
    process.chdir(cwd);
  }
});

test('CAFE_DATASETS overrides the default; a relative value resolves against the cwd', () => {
  withEnv(ENV_DIR, () => assert.equal(datasetsRoot(), ENV_DIR));
  withEnv('some/rel', () => assert.equal(datasetsRoot(), resolve(process.cwd(), 'some/rel')));
});

test('the flag overrides CAFE_DATASETS; a relative flag resolves against the cwd', () => {
  withEnv(ENV_DIR, () => {
    assert.equal(datasetsRoot(FLAG_DIR), FLAG_DIR);
    assert.equal(datasetsRoot('data/here'), resolve(process.cwd(), 'data/here'));
    assert.equal(datasetsRoot(''), ENV_DIR, 'an empty flag counts as not given');
  });
  withEnv(undefined, () => assert.equal(datasetsRoot('./d'), resolve(process.cwd(), 'd')));
});

test('the hint names the folder, the env variable and the flag', () => {
  const where = join(tmpdir(), 'cafe-no-datasets-here');
  const h = datasetsHint(where);
  assert.ok(h.includes(where), h);
  assert.match(h, /CAFE_DATASETS/);
  assert.match(h, /--datasets/);
});
