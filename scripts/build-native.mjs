// Builds the optional libtorch addon (native/). Runs at `npm install`; never fails the install: without libtorch
// the inference half of cafe still works, and the training core explains how to get libtorch when it is first used.
//   LIBTORCH=/path/to/libtorch   any libtorch (CUDA builds included; the folder with include/ and lib/, or a
//                                PyTorch wheel's torch/ folder). Default: Debian's libtorch-dev under /usr.
//   CAFE_REQUIRE_NATIVE=1        make a missing libtorch or a failed build an install error (CI uses this).
//   --force                      rebuild even if the stamp says the build is current.
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync, copyFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const require = createRequire(import.meta.url);
const strict = process.env.CAFE_REQUIRE_NATIVE === '1';
const force = process.argv.includes('--force');

function bail(msg) {
  const text = `cafe: training core (libtorch addon) not built: ${msg}\n` +
    'cafe: inference (cafe predict) works without it. To train, install libtorch and rebuild:\n' +
    'cafe:   Debian/Ubuntu: sudo apt-get install libtorch-dev libopenblas0-pthread && npm run build:native\n' +
    'cafe:   (libopenblas0-pthread: libtorch\'s matrix products on OpenBLAS instead of the 10x slower reference BLAS)\n' +
    'cafe:   any libtorch (e.g. CUDA): LIBTORCH=/path/to/libtorch npm run build:native';
  console.warn(text);
  process.exit(strict ? 1 : 0);
}

/** Finds include dirs, library dir and C++ ABI of a libtorch installation. */
function locate() {
  const env = process.env.LIBTORCH;
  if (env) {
    if (!existsSync(join(env, 'include', 'torch', 'csrc', 'api', 'include', 'torch', 'torch.h'))) {
      bail(`LIBTORCH=${env} has no include/torch/csrc/api/include/torch/torch.h`);
    }
    const libDir = join(env, 'lib');
    const cmake = [join(env, 'share', 'cmake', 'Torch', 'TorchConfig.cmake')].find(existsSync);
    let abi = null;
    if (cmake) {
      const m = readFileSync(cmake, 'utf8').match(/_GLIBCXX_USE_CXX11_ABI=([01])/);
      if (m) abi = m[1];
    }
    return { includes: [join(env, 'include'), join(env, 'include', 'torch', 'csrc', 'api', 'include')], libDir, abi, where: env };
  }
  const header = '/usr/include/torch/csrc/api/include/torch/torch.h';
  if (!existsSync(header)) bail(`no LIBTORCH set and ${header} not found`);
  const libDir = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].find((d) =>
    existsSync(join(d, 'libtorch.so')));
  if (!libDir) bail('libtorch headers found in /usr/include but no libtorch.so');
  return { includes: ['/usr/include/torch/csrc/api/include'], libDir, abi: null, where: libDir };
}

const lt = locate();
const libs = ['torch', 'torch_cpu', 'c10'];
const cudaLibs = ['torch_cuda', 'c10_cuda'].filter((l) => existsSync(join(lt.libDir, `lib${l}.so`)));
const defines = lt.abi !== null ? [`_GLIBCXX_USE_CXX11_ABI=${lt.abi}`] : [];
const ldflags = [`-L${lt.libDir}`, `-Wl,-rpath,${lt.libDir}`, '-Wl,--no-as-needed'];

const stampFile = join(nativeDir, 'build', 'cafe-stamp.json');
const sources = readdirSync(nativeDir).filter((f) => /\.(cc|h|gyp)$/.test(f)).sort();
const hash = createHash('sha256');
for (const f of sources) hash.update(f).update(readFileSync(join(nativeDir, f)));
const stamp = hash
  .update(JSON.stringify({ lt, cudaLibs, node: process.versions.modules }))
  .digest('hex');
const built = join(nativeDir, 'build', 'Release', 'cafe_torch.node');
if (!force && existsSync(built) && existsSync(stampFile) && JSON.parse(readFileSync(stampFile, 'utf8')).stamp === stamp) {
  console.log(`cafe: libtorch addon is up to date (${lt.where})`);
  process.exit(0);
}

let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  bail('node-gyp is not installed (it is a dependency of cafe: run npm install)');
}
console.log(`cafe: building the libtorch addon against ${lt.where}${cudaLibs.length ? ' (CUDA)' : ''} ...`);
// Build against the headers that ship with this Node when present: node-gyp would otherwise download them, which
// fails offline.
const nodePrefix = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
const nodedir = existsSync(join(nodePrefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodePrefix}`] : [];
// Build in a staging copy, then rename the result into place: a failed or half-done rebuild never removes a working
// addon, and processes starting meanwhile keep loading the old one.
const staging = join(nativeDir, `.staging-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const f of sources) copyFileSync(join(nativeDir, f), join(staging, f));
const r = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir, '--directory', staging, `--jobs=${Math.max(1, Math.min(4, (await import('node:os')).cpus().length))}`], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CAFE_TORCH_INCLUDES: lt.includes.join(' '),
    CAFE_TORCH_DEFINES: defines.join(' '),
    CAFE_TORCH_LIBS: [...libs, ...cudaLibs].map((l) => `-l${l}`).join(' '),
    CAFE_TORCH_LDFLAGS: ldflags.join(' '),
  },
});
if (r.status !== 0) bail(`node-gyp failed (exit ${r.status}); see the compiler output above`);
mkdirSync(dirname(built), { recursive: true });
copyFileSync(join(staging, 'build', 'Release', 'cafe_torch.node'), `${built}.tmp`);
renameSync(`${built}.tmp`, built);
rmSync(staging, { recursive: true, force: true });
writeFileSync(stampFile, JSON.stringify({ stamp, libtorch: lt.where, cuda: cudaLibs.length > 0 }));
console.log(`cafe: libtorch addon built: ${built}`);
