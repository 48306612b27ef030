// Assembles the cross-domain table (the paper's Table 2 layout) from `cafe eval` outputs and the runs' metrics:
//   node --import tsx bench/cafe-table.ts [--results bench/results/cafe] [--runs runs] [--out bench/results/cafe-table]
// One row per bench/results/cafe/<row>.json (written by `cafe eval --out bench/results/cafe/<row>`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { writeAtomic } from '../src/util/atomic.js';

const { values } = parseArgs({ options: { results: { type: 'string', default: 'bench/results/cafe' }, out: { type: 'string', default: 'bench/results/cafe-table' } } });

interface EvalJson {
  command: string;
  commit: string;
  run?: string;
  epoch?: number;
  history?: Array<{ validAccuracy: number }>;
  /** Peer rows (bench/cafe-peers.ts): no run, no config. */
  peer?: string;
  what?: string;
  config?: { name: string; model: Record<string, unknown>; loss: { lambda: number; beta: number; classBalance?: string; tau?: number }; optim: { epochs: number }; data: { trainLimit: number; imageSize: number; train?: string | string[]; sourceWeights?: number[] }; encoder?: { name: string } };
  targets: Array<{ target: string; scores: { n: number; accuracy: number; balancedAccuracy: number; macroF1: number } }>;
}

const pct = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? (100 * x).toFixed(2) : '-');
const ORDER = ['baseline', 'full-baseline', 'probe', 'full-probe', 'concat', 'mask-only', 'mask-sep', 'nosigmoid', 'cafe', 'cafe-freemask', 'cafe-projectF', 'full-cafe', 'bb-resnet18', 'bb-resnet50', 'bb-mobilenetv2', 'dim-pool', 'dim-projectF', 'dim-projectf', 'balance-reweight', 'balance-logit-adjust', 'peer-faceapi', 'peer-human'];
const GROUPS = [
  ['ablation', 'Ablation budget: 6000-image FERPlus-train subset, 5 epochs, validation on a fixed 1500-image subset of FERPlus-valid (`configs/cafe-cpu-ablation.json`)'],
  ['full', 'CPU recipe: all of FERPlus-train, validation on all of FERPlus-valid (`configs/cafe-cpu.json`)'],
  ['bb', 'Mask-CNN backbone at equal budget (3000 images, 3 epochs, projectF), as in the paper\'s backbone table'],
  ['dim', "Dimension matching at equal budget (3000 images, 1 epoch): faceres' 1024-d F vs the CNN's 512-d f"],
  ['balance', "Class balance against FER+'s prior (35 % neutral, 0.5 % disgust) at the ablation budget, CAFE projectF; `none` is the cpu-cafe-projectF row above"],
  ['levers', 'Product levers (#11): frozen encoder (faceres, faceres-bands: faceres plus its mid-level map pooled in three horizontal bands, face-mesh geometry, centernet-bands: the backbone of a COCO object detector, hog: a gradient histogram with no learned weights, fused), training sources (FER+ train, SFEW Train, synthetic FACS-warped faces from bench/facs-synth.ts), class balance, augmented encoder views, re-framed views (`--reframe`: every training crop also cut in the other source\'s frame); heads fitted by `cafe probe --save-run` (linear: full batch; `lever-mlp-*`: one 512-unit hidden layer, `--hidden 512`; standardised features, weight decay chosen on FER+ valid), scored by `cafe eval --run`; `lever-cafe-*` rows train the mask-CNN model on the same levers (`cafe train`, CPU recipe: all of FER+ train, 6 epochs). Not the paper\'s protocol when SFEW Train is a source: SFEW Val is then in-domain'],
  ['peers', 'Peers, as shipped (trained on their own data; crops fed as the datasets ship them)'],
] as const;

/** 'faceres+faceres:/x/faceres-deep.json' -> 'faceres+faceres-deep': a part with a model path is named by its file. */
const encoderLabel = (spec: string): string => spec.split('+').map((p) => (/^[\w-]+:.*[\\/]([^\\/]+)\.json$/.exec(p)?.[1] ?? p)).join('+');

function describe(c: NonNullable<EvalJson['config']>): string {
  const m = c.model as { kind: string; finalRelu: boolean; maskActivation: string; dimMatch: string; backbone: string };
  const name = m.backbone === 'resnet50' ? 'ResNet-50' : m.backbone === 'mobilenetv2' ? 'MobileNetV2' : 'ResNet-18';
  if (m.kind === 'baseline') return `${name} + FC, end to end ("None")`;
  const px = m.kind !== 'probe' && c.data.imageSize && c.data.imageSize !== 48 ? ` [mask CNN at ${c.data.imageSize} px]` : '';
  // The CPU presets train at lr 1e-3; a row that overrides it says so.
  const lr = (c.optim as { lr?: number }).lr;
  const lrNote = m.kind !== 'probe' && lr !== undefined && lr !== 1e-3 ? `, lr ${lr}` : '';
  return describeKind(c, m) + lrNote + (m.backbone === 'resnet18' || m.kind === 'probe' ? '' : ` [${name}]`) + px;
}

function describeKind(c: NonNullable<EvalJson['config']>, m: { kind: string; finalRelu: boolean; maskActivation: string; dimMatch: string }): string {
  const hidden = (m as { hidden?: number }).hidden;
  if (m.kind === 'probe' && hidden) return `probe with a ${hidden}-unit hidden layer (minibatch Adam, dropout) on frozen ${encoderLabel(c.encoder?.name ?? 'faceres')} F${sourcesAndBalance(c)}`;
  if (m.kind === 'probe') return `linear probe on frozen ${encoderLabel(c.encoder?.name ?? 'faceres')} F${sourcesAndBalance(c)}`;
  if (m.kind === 'concat') return 'concat [F, f] + FC (Table 4)';
  const parts = [m.maskActivation === 'sigmoid' ? `mask sigmoid${m.finalRelu ? ' (post-ReLU, M >= 0.5)' : ' (free, no final ReLU)'}` : `mask M = f, no sigmoid${m.finalRelu ? ' (post-ReLU, M >= 0)' : ''}`];
  if (c.loss.lambda > 0) parts.push(`sep lambda=${c.loss.lambda}`);
  if (c.loss.beta > 0) parts.push(`div beta=${c.loss.beta}`);
  const cb = c.loss.classBalance && c.loss.classBalance !== 'none' ? `, class balance ${c.loss.classBalance}${c.loss.classBalance === 'logit-adjust' ? ` tau=${c.loss.tau}` : ''}` : '';
  const enc = c.encoder?.name && c.encoder.name !== 'faceres' ? `, F = ${encoderLabel(c.encoder.name)}` : '';
  const src = [c.data.train ?? ''].flat().length > 1 ? sourcesAndBalance({ ...c, loss: { ...c.loss, classBalance: 'none' } }) : '';
  const norm = (m as { normalizeF?: boolean }).normalizeF ? ', F standardised' : '';
  const d = c.data as { augViews?: number; augP?: number };
  const aug = d.augViews ? `, ${d.augViews} augmented views per training image (a step takes one with p ${d.augP})` : '';
  return `${parts.join(' + ')}, F ${m.dimMatch}${cb}${enc}${norm}${aug}${src}`;
}

/** ', sources FER+ train + SFEW Train (1:1), class balance reweight' for the lever rows. */
function sourcesAndBalance(c: NonNullable<EvalJson['config']>): string {
  const name = (s: string) =>
    /^ferplus:runs\/facs-/.test(s) ? 'synthetic FACS-warped FER+ neutrals beside their originals (bench/facs-synth.ts)'
      : s.startsWith('ferplus:') ? 'FER+ train' : s.startsWith('sfew:') ? 'SFEW Train (minus the sfew-frames)' : s.split(':')[0];
  const names = [c.data.train ?? ''].flat().map(name);
  const w = c.data.sourceWeights?.length ? ` (shares ${c.data.sourceWeights.join(':')})` : '';
  const src = names.length > 1 ? `, sources ${names.join(' + ')}${w}` : '';
  // A probe's logit-adjusted loss is described from its row name (-lasrc / -lapool: whose prior).
  const cb = c.loss.classBalance && c.loss.classBalance !== 'none' && c.loss.classBalance !== 'logit-adjust' ? `, class balance ${c.loss.classBalance}` : '';
  const soft = [c.data.train ?? ''].flat().some((s) => s.startsWith('ferplus:') && /:mode=probability\b/.test(s)) ? ', FER+ soft labels (annotator vote shares, mode=probability)' : '';
  return src + soft + cb;
}

const files = existsSync(values.results!) ? readdirSync(values.results!).filter((f) => f.endsWith('.json')) : [];
const rows = files.map((f) => {
  const e = JSON.parse(readFileSync(join(values.results!, f), 'utf8')) as EvalJson;
  const get = (prefix: string) => e.targets.find((t) => t.target.startsWith(prefix))?.scores;
  const sfew = get('sfew:');
  const ck = get('ckplus:');
  const scores = {
    test: get('ferplus:')?.accuracy,
    sfew: sfew?.accuracy,
    ck: ck?.accuracy,
    meanTargets: sfew && ck ? (sfew.accuracy + ck.accuracy) / 2 : undefined,
    sfewBalanced: sfew?.balancedAccuracy,
    ckBalanced: ck?.balancedAccuracy,
  };
  const row = f.replace(/\.json$/, '');
  if (e.peer || !e.config || !e.run) {
    return { row, group: 'peers', what: e.what ?? row, epochsDone: undefined, weightsEpoch: undefined, epochsPlanned: undefined, trainImages: '-', imageSize: undefined, valid: undefined, ...scores, command: e.command, commit: e.commit };
  }
  // What the row's name says (its first group), when `when` holds: '' if the name lacks it.
  const tag = (re: RegExp, text: (v: string) => string, when = true) => {
    const m = when ? re.exec(row) : null;
    return m ? text(m[1]) : '';
  };
  // The training history travels in the eval JSON, so the table rebuilds from committed files alone.
  const metrics = e.history ?? [];
  const best = metrics.reduce((a: { validAccuracy: number } | undefined, m: { validAccuracy: number }) => (!a || m.validAccuracy > a.validAccuracy ? m : a), undefined);
  const weightsEpoch: number | undefined = e.epoch !== undefined ? e.epoch + 1 : best ? metrics.indexOf(best) + 1 : undefined;
  return {
    row,
    group: row.startsWith('dim-') ? 'dim' : row.startsWith('bb-') ? 'bb' : row.startsWith('balance-') ? 'balance' : row.startsWith('lever-') ? 'levers' : e.config.data.trainLimit ? 'ablation' : 'full',
    // cafe probe --logit-adjust folds tau into the saved bias (weights metadata, not the config): the row name says it.
    what:
      describe(e.config) +
      tag(/-aug(\d+)/, (v) => `, ${v} augmented views per training image`, !(e.config.data as { augViews?: number }).augViews) +
      tag(/-la([\d.]+)(?:-|$)/, (v) => `, post-hoc logit adjustment tau ${v}`, e.config.model.kind === 'probe') +
      tag(/-lasrc([\d.]+)(?:-|$)/, (v) => `, logit-adjusted loss tau ${v} (each source's own prior, fitting only)`) +
      tag(/-lapool([\d.]+)(?:-|$)/, (v) => `, logit-adjusted loss tau ${v} (one prior over both sources, fitting only)`) +
      tag(/-reframe(?:-|$)/, () => ", each training crop also re-framed into the other source's frame (ferplus / sfew)") +
      tag(/-gray(?:-|$)/, () => ', SFEW read as gray (train and targets)') +
      ((e.config as { seed?: number }).seed ? `, seed ${(e.config as { seed?: number }).seed}` : '') +
      tag(/-seeds(\d+)(?:-|$)/, (v) => `, the mean of ${v} seeds' logits (one wider hidden layer)`),
    epochsDone: metrics.length,
    weightsEpoch,
    epochsPlanned: e.config.optim.epochs,
    trainImages: e.config.data.trainLimit || 'all',
    imageSize: e.config.data.imageSize,
    valid: weightsEpoch ? metrics[weightsEpoch - 1]?.validAccuracy : undefined,
    ...scores,
    command: e.command,
    commit: e.commit,
  };
});
rows.sort((a, b) => (ORDER.indexOf(a.row.replace(/^cpu-/, '')) - ORDER.indexOf(b.row.replace(/^cpu-/, ''))) || a.row.localeCompare(b.row));

let commit = 'unknown';
try {
  commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
const md = [
  '# CAFE cross-domain table (source FERPlus-train, majority labels)',
  '',
  'Accuracy %. Weights from the best epoch on the source\'s own validation set (FERPlus-valid, never a target). Targets: FERPlus-test (in-domain, majority labels), SFEW 2.0 Val, CK+48 (no neutral: 7-way argmax, predicting neutral counts as an error, balanced accuracy over its 6 classes). "mean" = mean of SFEW and CK+ accuracy. CNN rows: ResNet-18 unless marked, from scratch, at 48 px, frozen encoder faceres (1024-d), seed 0.',
  '',
  ...GROUPS.flatMap(([g, title]) => {
    const rs = rows.filter((r) => r.group === g);
    if (!rs.length) return [];
    return [
      `## ${title}`,
      '',
      '| row | what | train images | epochs done | weights from epoch | FER+ valid | FER+ test | SFEW val | CK+48 | mean SFEW/CK+ | SFEW bal. | CK+ bal. |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rs.map((r) => `| ${r.row} | ${r.what} | ${r.trainImages} | ${r.epochsDone !== undefined ? `${r.epochsDone}/${r.epochsPlanned}` : '-'} | ${r.weightsEpoch ?? '-'} | ${pct(r.valid)} | ${pct(r.test)} | ${pct(r.sfew)} | ${pct(r.ck)} | ${pct(r.meanTargets)} | ${pct(r.sfewBalanced)} | ${pct(r.ckBalanced)} |`),
      '',
    ];
  }),
  'Commands:',
  '',
  ...rows.map((r) => `- ${r.row}: \`${r.command}\` (commit ${r.commit.slice(0, 10)})`),
  '',
  `Table built by \`node --import tsx bench/cafe-table.ts\` at commit \`${commit}\`, ${new Date().toISOString()}.`,
  '',
].join('\n');
writeAtomic(`${values.out}.md`, md);
writeAtomic(`${values.out}.json`, JSON.stringify({ commit, rows }, null, 2) + '\n');
console.log(md);
