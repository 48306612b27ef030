// Where the shared datasets live, for benches and tests.
// No machine's absolute path belongs in code: the default is ../shared/datasets next to the repository
// root (found from this file, not the cwd, so it holds wherever a bench or test is started from), and one
// environment variable, CAFE_DATASETS, points elsewhere; benches also take a --datasets DIR flag.
import { join, resolve } from 'node:path';
import { packageRoot } from './package-root.js';

export const DATASETS_ENV = 'CAFE_DATASETS';

/** The datasets folder: `flag` if given, else $CAFE_DATASETS if set and non-empty, else <repo>/../shared/datasets; relative paths resolve against the cwd. */
export function datasetsRoot(flag?: string): string {
  if (flag) return resolve(flag);
  const env = process.env[DATASETS_ENV];
  if (env) return resolve(env);
  return join(packageRoot(), '..', 'shared', 'datasets');
}

/** A short line for skip and error messages when the datasets are not there. */
export function datasetsHint(root: string = datasetsRoot()): string {
  return `datasets absent (${root}); set ${DATASETS_ENV} or pass --datasets; see ../shared/datasets/README.md`;
}
