// ResNet-18 training step (forward + backward + Adam) in cafe's training core vs the same step in Python torch,
// measured in one run, interleaved round by round so that load from other processes hits both alike.
//   node --import tsx bench/train-step.ts [--sizes 112,224] [--batch 32] [--steps 5] [--rounds 3] [--threads N]
// Writes bench/results/train-step.{json,md}.
import { spawnSync, execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg, cpus } from 'node:os';
import * as torch from '../src/torch/index.js';
import { resnet18 } from '../src/models/resnet.js';
import { blasInfo } from '../src/torch/native.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '112,224' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(Math.max(1, cpus().length)) },
    python: { type: 'string', default: process.env.CAFE_PYTHON ?? '/usr/bin/python3' },
    // Result file base name under bench/results (e.g. train-step-openblas beside the reference-BLAS train-step).
    out: { type: 'string', default: 'train-step' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const batch = Number(values.batch);
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const threads = Number(values.threads);

const PY = `
import sys, time, torch
sys.path.insert(0, sys.argv[5])
from resnet_ref import ResNet18
size, batch, steps, threads = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
m = ResNet18(7); m.train()
opt = torch.optim.Adam(m.parameters(), lr=2e-4, weight_decay=1e-4)
x = torch.randn(batch, 3, size, size); y = torch.randint(0, 7, (batch,))
def step():
    loss = torch.nn.functional.cross_entropy(m(x), y)
    opt.zero_grad(); loss.backward(); opt.step()
step()  # warm-up
t = []
for _ in range(steps):
    t0 = time.perf_counter(); step(); t.append(time.perf_counter() - t0)
print(' '.join(str(v) for v in t))
`;
import { writeAtomic } from '../src/util/atomic.js';

function pythonRound(size: number): number[] {
  const r = spawnSync(values.python!, ['-c', PY, String(size), String(batch), String(steps), String(threads), join(import.meta.dirname, '..', 'test', 'helpers')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout.trim().split(' ').map(Number);
}

function cafeRound(size: number): number[] {
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const m = resnet18({ numClasses: 7 });
  const opt = new torch.optim.Adam(m.parameters(), { lr: 2e-4, weightDecay: 1e-4 });
  const x = torch.randn([batch, 3, size, size]);
  const y = torch.randint(0, 7, [batch]);
  // The forward pass runs in its own tidy scope, so its activations' JS handles are gone before backward: autograd
  // then frees each saved tensor as soon as backward has used it, exactly as Python does.
  const step = () => {
    const loss = torch.tidy(() => torch.crossEntropy(m.forward(x), y));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    loss.dispose();
  };
  step();
  const t: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    t.push((performance.now() - t0) / 1000);
  }
  m.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return t;
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const results: Array<Record<string, number>> = [];
for (const size of sizes) {
  const cafe: number[] = [];
  const py: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first so drift in background load cancels out.
    if (r % 2 === 0) {
      cafe.push(...cafeRound(size));
      py.push(...pythonRound(size));
    } else {
      py.push(...pythonRound(size));
      cafe.push(...cafeRound(size));
    }
    console.error(`size ${size} round ${r + 1}/${rounds}: cafe ${median(cafe).toFixed(3)} s/step, python ${median(py).toFixed(3)} s/step`);
  }
  const cafeIps = batch / median(cafe);
  const pyIps = batch / median(py);
  // Paired ratio: each round's cafe and Python steps ran back to back under the same background load, so the median
  // of per-round ratios is robust to load that drifts between rounds.
  const perRound = Array.from({ length: rounds }, (_, r) => median(py.slice(r * steps, (r + 1) * steps)) / median(cafe.slice(r * steps, (r + 1) * steps)));
  results.push({ size, batch, threads, steps: cafe.length, cafeImgPerS: cafeIps, pythonImgPerS: pyIps, ratio: median(perRound),
    ratioOfMedians: cafeIps / pyIps, cafeMedianStepS: median(cafe), pythonMedianStepS: median(py) });
}

const commit = execSync('git rev-parse HEAD').toString().trim();
// Name uncommitted changes to the code this bench runs, so a result never claims a commit it did not run.
const dirty = execSync('git status --porcelain -- bench/train-step.ts src/torch src/models native test/helpers').toString().trim();
const command = `node --import tsx bench/train-step.ts ${process.argv.slice(2).join(' ')}`.trim();
const meta = { command, commit, dirty, date: new Date().toISOString(), torch: torch.loadNative().info().torchVersion, blas: blasInfo(), loadavg: loadavg(), cpus: cpus().length };
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
const write = (name: string, text: string) => writeAtomic(join(out, name), text);
write(`${values.out}.json`, JSON.stringify({ meta, results }, null, 2) + '\n');
const md = [
  '# ResNet-18 training step: cafe (TypeScript over libtorch) vs Python torch',
  '',
  `Forward + backward + Adam, batch ${batch}, ${threads} thread(s), median of ${rounds} interleaved rounds x ${steps} steps (after a warm-up step), same libtorch ${meta.torch}, BLAS: ${meta.blas.kind}${meta.blas.library ? ` (${meta.blas.library})` : ''}.`,
  '',
  '| input | cafe img/s | Python torch img/s | ratio (median of paired rounds) | ratio of medians |',
  '|---|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.size}x${r.size} | ${r.cafeImgPerS.toFixed(2)} | ${r.pythonImgPerS.toFixed(2)} | ${r.ratio.toFixed(3)} | ${r.ratioOfMedians.toFixed(3)} |`),
  '',
  `Command: \`${command}\`  `,
  `Commit: ${commit}${dirty ? ' (with uncommitted changes: ' + dirty.split('\n').map((l) => l.trim()).join('; ') + ')' : ''}  `,
  `Date: ${meta.date}; load average at the end ${meta.loadavg.map((v) => v.toFixed(2)).join(', ')} (the machine is shared: absolute rates vary, the interleaved ratio is the figure of merit).`,
  '',
].join('\n');
write(`${values.out}.md`, md);
console.log(md);
