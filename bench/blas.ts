// Which BLAS libtorch's matrix products run on, and what it costs: the reference BLAS (Debian's default libblas.so.3)
// against OpenBLAS (`apt-get install libopenblas0-pthread`), on the same libtorch, in fresh processes pointed at each
// library with LD_LIBRARY_PATH and interleaved round by round so that load from other processes hits both alike.
// Workloads (bench/helpers/blas-work.ts): cafe's linear probe on 24,925 x 1024 rows (FER+ train x faceres), and one
// epoch of cafe's trainer (CAFE, 48 px, projectF, batch 32) on generated images; each at 1 and 2 threads.
//   node --import tsx bench/blas.ts [--rounds 2] [--probe-steps 30] [--train-images 640] [--threads 1,2]
// Writes bench/results/blas.{json,md}.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { writeAtomic } from '../src/util/atomic.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    'probe-steps': { type: 'string', default: '30' },
    'train-images': { type: 'string', default: '640' },
    threads: { type: 'string', default: '1,2' },
    out: { type: 'string', default: 'bench/results/blas' },
  },
});
const LIBS = [
  // The reference LAPACK too: Debian's liblapack.so.3 alternative would otherwise load OpenBLAS beside it.
  { name: 'reference', dir: '/usr/lib/x86_64-linux-gnu/blas', path: '/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack' },
  { name: 'openblas', dir: '/usr/lib/x86_64-linux-gnu/openblas-pthread', path: '/usr/lib/x86_64-linux-gnu/openblas-pthread' },
].filter((l) => existsSync(`${l.dir}/libblas.so.3`));
if (LIBS.length < 2) {
  console.error(`skipped: needs both BLAS libraries (found: ${LIBS.map((l) => l.name).join(', ') || 'none'}); apt-get install libblas3 libopenblas0-pthread`);
  process.exit(0);
}
const threads = values.threads!.split(',').map(Number);
const rounds = Number(values.rounds);
type Row = { blas: string; loaded: string; threads: number; workload: string; value: number };
const rows: Row[] = [];
const work = (lib: (typeof LIBS)[number], args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/helpers/blas-work.ts', ...args], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: lib.path } });
  if (r.status !== 0) throw new Error(`blas-work ${args.join(' ')} under ${lib.name}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
};
for (let round = 0; round < rounds; round++) {
  for (const t of threads) {
    for (const lib of LIBS) {
      const p = work(lib, ['probe', String(t), '24925', values['probe-steps']!]);
      rows.push({ blas: lib.name, loaded: p.blas.kind, threads: t, workload: 'probe s / 300 steps', value: p.secondsPer300Steps });
      const tr = work(lib, ['train', String(t), values['train-images']!]);
      rows.push({ blas: lib.name, loaded: tr.blas.kind, threads: t, workload: 'train img/s', value: tr.imagesPerSecond });
      console.error(`round ${round + 1} threads ${t} ${lib.name} (loaded ${p.blas.kind}): probe ${p.secondsPer300Steps.toFixed(1)} s/300 steps, train ${tr.imagesPerSecond.toFixed(1)} img/s`);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const table: Array<{ workload: string; threads: number; reference: number; openblas: number; speedup: number }> = [];
for (const workload of ['probe s / 300 steps', 'train img/s']) {
  for (const t of threads) {
    const get = (b: string) => median(rows.filter((r) => r.blas === b && r.threads === t && r.workload === workload).map((r) => r.value));
    const reference = get('reference');
    const openblas = get('openblas');
    table.push({ workload, threads: t, reference, openblas, speedup: workload.startsWith('probe') ? reference / openblas : openblas / reference });
  }
}
const command = `node --import tsx bench/blas.ts ${process.argv.slice(2).join(' ')}`.trim();
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const result = { command, commit, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`, loadAverage: loadavg(), rounds, rows, table };
const md = [
  '# libtorch on the reference BLAS vs OpenBLAS', '',
  `\`${command}\` at \`${commit}\`, ${result.date}; ${result.machine}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`,
  `Fresh process per measurement with LD_LIBRARY_PATH at each library (the "loaded" column of the JSON is what the process mapped); median of ${rounds} interleaved rounds.`, '',
  '| workload | threads | reference BLAS | OpenBLAS | OpenBLAS speed-up |', '|---|---:|---:|---:|---:|',
  ...table.map((r) => `| ${r.workload} | ${r.threads} | ${r.reference.toFixed(1)} | ${r.openblas.toFixed(1)} | ${r.speedup.toFixed(2)}x |`), '',
  'probe: cafe\'s linear probe (full-batch Adam, 1024 -> 7, 24,925 rows: FER+ train with faceres), seconds per 300 steps (one weight decay of the grid);',
  'train: one epoch of cafe\'s trainer (CAFE, ResNet-18 mask CNN at 48 px, projectF 512 -> 1024, batch 32) on generated images, images per second.', '',
].join('\n');
writeAtomic(`${values.out}.json`, JSON.stringify(result, null, 2) + '\n');
writeAtomic(`${values.out}.md`, md);
console.log(md);
