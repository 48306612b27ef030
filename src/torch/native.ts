// The one loader for the libtorch addon (after sharp): every use of the training core goes through loadNative(), which
// either returns the binding or throws an error that says exactly how to get libtorch.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CafeError } from '../errors.js';
import type { NativeBinding } from './native-types.js';

import { packageRoot } from '../util/package-root.js';

const candidates = [join(packageRoot(), 'native')];

let cached: NativeBinding | undefined;
let loadError: CafeError | undefined;

export const INSTALL_HINT =
  'The cafe training core needs libtorch. Install it and rebuild the addon:\n' +
  '  Debian/Ubuntu:   sudo apt-get install libtorch-dev && npm run build:native\n' +
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
