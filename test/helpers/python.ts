// Python torch (Debian python3-torch) as a test oracle. Dev/test only: the library never needs Python.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let found: string | null | undefined;

/** A python3 that can `import torch`, or null. CAFE_PYTHON overrides the search. */
export function torchPython(): string | null {
  if (found !== undefined) return found;
  const candidates = [process.env.CAFE_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  found = null;
  for (const c of candidates) {
    if (c.startsWith('/') && !existsSync(c)) continue;
    const r = spawnSync(c, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) {
      found = c;
      break;
    }
  }
  return found;
}

export const NO_TORCH_PYTHON = 'python3 with torch not found (apt-get install python3-torch, or set CAFE_PYTHON)';

/** Runs a Python script (with test/helpers/st.py importable) and returns stdout; throws with stderr on failure. */
export function runPython(script: string, args: string[] = []): string {
  const py = torchPython();
  if (!py) throw new Error(NO_TORCH_PYTHON);
  const r = spawnSync(py, ['-c', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: new URL('.', import.meta.url).pathname, OMP_NUM_THREADS: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
