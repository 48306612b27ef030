// Cross-domain evaluation of a run folder: load its config and weights, score every target.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';
import { openDataset } from '../data/index.js';
import { DataLoader } from '../data/loader.js';
import { CafeModel } from '../cafe/model.js';
import type { TrainConfig } from '../cafe/config.js';
import { absoluteSpec, encoderWeightsHash, loadFeatureTable } from '../features/table.js';
import { grayDataset } from '../data/gray.js';
import { IMAGENET } from '../data/transforms.js';
import { EXPRESSIONS } from '../labels.js';
import { fileError } from '../errors.js';
import { predict } from './predict.js';
import { argmaxRows, score } from './metrics.js';
import type { TargetReport } from './report.js';

export interface EvalOptions {
  /** 'best' (validation-selected, default) or 'final'. */
  weights?: 'best' | 'final';
  progress?: boolean;
}

/** Loads the run's model. The encoder dim is read off the weights (fc / proj shapes), so no encoder is opened. */
export function loadRunModel(runDir: string, which: 'best' | 'final' = 'best'): { cfg: TrainConfig; model: CafeModel; epoch: number; encoderWeights?: string; /** Fitted with cafe probe --gray (weights metadata colour). */ gray: boolean } {
  const cfgPath = join(runDir, 'config.json');
  const wPath = join(runDir, `${which}.safetensors`);
  if (!existsSync(cfgPath)) throw fileError(cfgPath, 'not a run folder (no config.json)');
  if (!existsSync(wPath)) throw fileError(wPath, `no ${which} weights yet (has the run finished an epoch?)`);
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as TrainConfig;
  const st = torch.loadSafetensors(wPath);
  const fcIn = st.tensors.get('fc.weight')!.shape[1];
  const proj = st.tensors.get('proj.weight')?.shape; // [out, in]
  const backboneDim = cfg.model.backbone === 'resnet50' ? 2048 : cfg.model.backbone === 'mobilenetv2' ? 1280 : 512;
  // Newer runs record the encoder's width; older ones are inferred (cafe + pool with D != d cannot be, hence 1024 =
  // faceres, the only encoder they were trained with).
  let D = Number(st.metadata.encoderDim ?? NaN);
  if (!Number.isFinite(D)) {
    if (cfg.model.kind === 'probe') D = st.tensors.get('hidden.weight')?.shape[1] ?? fcIn;
    else if (cfg.model.kind === 'concat') D = fcIn - backboneDim;
    else if (cfg.model.kind === 'baseline') D = 0;
    else if (proj) D = cfg.model.dimMatch === 'projectF' ? proj[1] : proj[0];
    else D = fcIn === backboneDim ? 1024 : fcIn;
  }
  const model = new CafeModel(cfg.model, D);
  model.loadStateDict(st.tensors, { source: wPath });
  for (const t of st.tensors.values()) t.dispose();
  return { cfg, model, epoch: Number(st.metadata.epoch ?? NaN), ...(st.metadata.encoderWeights ? { encoderWeights: st.metadata.encoderWeights } : {}), gray: st.metadata.colour === 'gray' };
}

export async function evaluateRun(runDir: string, targets: string[], opts: EvalOptions = {}): Promise<{ cfg: TrainConfig; reports: TargetReport[]; epoch: number }> {
  const { cfg, model, epoch, encoderWeights, gray } = loadRunModel(runDir, opts.weights ?? 'best');
  torch.setNumThreads(cfg.threads);
  if (encoderWeights && model.usesFeature) {
    const here = await encoderWeightsHash(cfg.encoder.name);
    if (here !== encoderWeights) {
      model.dispose();
      throw fileError(join(runDir, 'config.json'), `encoder '${cfg.encoder.name}' opens weights ${here.slice(0, 12)}... here, but the run was fitted on features of weights ${encoderWeights.slice(0, 12)}...; point encoder.name at the same model files`);
    }
  }
  const reports: TargetReport[] = [];
  for (const spec of targets) {
    const ds = await openDataset(absoluteSpec(spec));
    // A probe fitted with --gray read colour datasets as luma: its targets are read the same way.
    const asGray = gray && !grayDataset(ds.spec);
    const feats = model.usesFeature ? await loadFeatureTable(cfg.encoder.name, ds, { flip: false, cacheDir: cfg.encoder.cacheDir, progress: opts.progress ?? true, gray: asGray }) : undefined;
    const loader = await DataLoader.create(ds, { normalization: IMAGENET, image: { size: cfg.data.imageSize, margin: cfg.data.margin }, batchSize: 128, shuffle: false });
    const p = await predict(model, loader, feats, { progress: opts.progress ?? true });
    await loader.close();
    const s = score(argmaxRows(p.logits), p.labels);
    const absent = EXPRESSIONS.filter((_, c) => !s.present.includes(c));
    const note = absent.length
      ? `no ${absent.join('/')} in this set: 7-way argmax, predicting ${absent.join('/')} counts as an error; balanced accuracy and macro-F1 over its ${s.present.length} classes`
      : '';
    reports.push({ target: ds.spec, scores: s, note: [note, asGray ? 'read as gray (the run was fitted with --gray)' : ''].filter(Boolean).join('; ') });
  }
  model.dispose();
  return { cfg, reports, epoch };
}
