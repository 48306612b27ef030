// The one loader for the libtorch addon (after sharp): every use of the training core goes through loadNative(), which
// either returns the binding or throws an error that says exactly how to get libtorch.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CafeError } from '../errors.js';
import type { NativeBinding } from './native-types.js';

import { packageRoot } from '../util/package-root.js';

const candidates = [join(packageRoot(), 'native')];

let cached: NativeBinding | undefined;
let loadError: CafeError | undefined;

export const INSTALL_HINT =
  'The cafe training core needs libtorch. Install it and rebuild the addon:\n' +
  '  Debian/Ubuntu:   sudo apt-get install libtorch-dev libopenblas0-pthread && npm run build:native\n' +
  '  any libtorch:    LIBTORCH=/path/to/libtorch npm run build:native   (CUDA builds and a PyTorch wheel\'s torch/ folder work)\n' +
  'Inference (cafe predict) does not need it.';

/** Path of the built addon (CAFE_TORCH_ADDON overrides), or undefined when it was never built. */
export function nativeAddonPath(): string | undefined {
  const override = process.env.CAFE_TORCH_ADDON;
  if (override) return existsSync(override) ? override : undefined;
  for (const dir of candidates) {
    const p = join(dir, 'build', 'Release', 'cafe_torch.node');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Loads the libtorch addon once; throws a CafeError with install instructions when it is unavailable. */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  if (loadError) throw loadError;
  const path = nativeAddonPath();
  if (!path) {
    loadError = new CafeError(`libtorch addon not built (no native/build/Release/cafe_torch.node).\n${INSTALL_HINT}`);
    throw loadError;
  }
  try {
    cached = createRequire(import.meta.url)(path) as NativeBinding;
    return cached;
  } catch (err) {
    loadError = new CafeError(`libtorch addon at ${path} failed to load: ${(err as Error).message}\n${INSTALL_HINT}`);
    throw loadError;
  }
}

/** True when the training core can be used (never throws). */
export function nativeAvailable(): boolean {
  try {
    loadNative();
    return true;
  } catch {
    return false;
  }
}

export interface BlasInfo {
  /** 'openblas' | 'mkl' | 'blis' | 'reference' | 'unknown' (no libblas mapped, or not Linux). */
  kind: 'openblas' | 'mkl' | 'blis' | 'reference' | 'unknown';
  /** The shared library the process mapped (after symlinks and Debian's alternatives), when found. */
  library?: string;
}

export const OPENBLAS_HINT =
  "libtorch's matrix products run on the reference BLAS (10x slower: Linear layers, the probe). Switch to OpenBLAS, no rebuild:\n" +
  '  Debian/Ubuntu:   sudo apt-get install libopenblas0-pthread';

/**
 * The BLAS that libtorch's matrix products go to, read from the libraries this process has mapped after loading the
 * addon (Debian's libtorch links libblas.so.3, whose alternative may be the reference BLAS or OpenBLAS).
 */
export function blasInfo(maps = '/proc/self/maps'): BlasInfo {
  loadNative();
  try {
    return classifyBlas(readFileSync(maps, 'utf8'));
  } catch {
    return { kind: 'unknown' };
  }
}

/** The BLAS named by a /proc/<pid>/maps text (see blasInfo). */
export function classifyBlas(mapsText: string): BlasInfo {
  const libs = [...new Set(mapsText.split('\n').map((l) => l.slice(Math.max(0, l.indexOf('/'))).trim()).filter((p) => p.startsWith('/') && /\.so/.test(p)))];
  const find = (re: RegExp | ((p: string) => boolean)) => libs.find((p) => (typeof re === 'function' ? re(p) : re.test(p)));
  // The reference library first: libtorch's libblas.so.3 resolves before anything its other dependencies pull in
  // (Debian's liblapack.so.3 alternative may load libopenblas.so.0 beside the reference libblas, which then still
  // serves the matrix products). A libblas.so is the reference one unless it sits in an optimised BLAS's folder:
  // Debian's libopenblas0-pthread ships its own libblas.so.3 (a real file, not a link) in .../openblas-pthread/,
  // a thin front that forwards to libopenblasp-r*.so.
  const ref = find((p) => /\/libblas\.so/.test(p) && !/openblas|blis|mkl|atlas/i.test(p.slice(0, p.lastIndexOf('/'))));
  if (ref) return { kind: 'reference', library: ref };
  const mkl = find(/libmkl/i);
  if (mkl) return { kind: 'mkl', library: mkl };
  const openblas = find(/openblas/i);
  if (openblas) return { kind: 'openblas', library: openblas };
  const blis = find(/libblis/i);
  return blis ? { kind: 'blis', library: blis } : { kind: 'unknown' };
}
