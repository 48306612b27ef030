// The training configuration: one typed object, defaults commented here, presets in configs/*.json, overrides on the
// command line as dotted keys (model.kind=baseline optim.epochs=3). The resolved object is saved in the run folder
// and inside every checkpoint, so a run can be reproduced or resumed from its folder alone.
import { readFileSync } from 'node:fs';
import { fileError, invalidParameter } from '../errors.js';

/** What is trained; each value is one row of the ablation table. */
export type ModelKind =
  | 'cafe' // mask CNN -> M = act(f); F~ = M * F; linear classifier on F~ (+ separation / diversity losses)
  | 'baseline' // the mask CNN alone with an FC on f, trained end to end (paper's "None" row); no encoder
  | 'probe' // linear classifier on the frozen F (no CNN)
  | 'concat'; // linear classifier on [F, f] (paper Table 4: encoder + finetuned CNN concatenated)

/** How the encoder's D channels are matched to the CNN's d channels when D != d (faceres: 1024 vs 512). */
export type DimMatch =
  | 'pool' // sliding-window mean of F (window = stride = D/d): F 1024 -> 512, no parameters (the paper's choice)
  | 'projectF' // trainable linear projection of F: D -> d
  | 'projectf'; // trainable linear projection of f: d -> D (the mask then lives in the encoder's space)

export interface TrainConfig {
  /** Run name, used in reports. */
  name: string;
  /** Seeds the weights (libtorch), the data order, augmentation and the channel dropout. */
  seed: number;
  /** libtorch intra-op threads; default 1 (the dev machine is shared). */
  threads: number;
  data: {
    /**
     * Source training set (FERPlus-train with majority labels in the paper's protocol), or several sources (a list of
     * specs: multi-source training, e.g. FER+ train + SFEW Train for the product model).
     */
    train: string | string[];
    /**
     * Share of every epoch per data.train source (e.g. [1, 1] = source-balanced, drawn with replacement); [] = each
     * item once per epoch, sources in proportion to their size.
     */
    sourceWeights: number[];
    /**
     * Folders of images kept out of training: items of any source whose file name (without extension) matches an
     * image there are removed (e.g. photos/sfew-frames, full frames of SFEW Train images that are a target).
     */
    exclude: string[];
    /**
     * What an image in data.exclude takes out of the sources: 'clip' (default) every image of its clip (the name
     * without a trailing _<frame number>: other frames of a target's movie clip are near-duplicates of it), 'image'
     * the same file name only (what runs before this key did).
     */
    excludeBy: 'clip' | 'image';
    /** The source's own validation split: picks the best epoch. Never a target. */
    valid: string;
    /** Mask-CNN input side in px; 224 in the paper, small on CPU. */
    imageSize: number;
    /** Face-box margin fraction for datasets with boxes; 0 keeps FER's 48x48 crops as they are. */
    margin: number;
    /** Use at most this many training items per epoch (0 = all): a CPU budget knob, a fixed random subset. */
    trainLimit: number;
    /** Validate on at most this many items (0 = all): a fixed random subset, a CPU budget knob. */
    validLimit: number;
    /** Horizontal flip probability (the encoder feature is the cached flipped-image feature when flipped). */
    flip: number;
    /** Random erasing probability (scale 0.02-0.25); reaches the mask CNN only, F comes from the cache. */
    erase: number;
    /** Gaussian-noise probability; mask CNN only, like erasing. */
    noise: number;
    /**
     * Augmented views per training image (features/augment.ts: framing jitter, blur, low resolution, light), cached
     * like the flip (`cafe features extract --aug-views K`); 0 = none (the paper's recipe). A step draws view k of an
     * item with probability data.augP: the mask CNN sees that view's pixels and F is that view's cached feature, as
     * the official code's re-encoded augmented images would give.
     */
    augViews: number;
    /** Probability that a training image is replaced by one of its augmented views (when data.augViews > 0). */
    augP: number;
  };
  encoder: {
    /** Frozen encoder whose cached features are F ('faceres' default: CLIP is not obtainable offline). */
    name: string;
    /** Feature cache root; default $CAFE_CACHE_DIR or .cache/cafe/features. */
    cacheDir?: string;
    /** Train on the items whose features are cached instead of computing missing ones (a CPU budget escape). */
    allowPartial: boolean;
  };
  model: {
    kind: ModelKind;
    /** Mask CNN, from scratch (no pretrained weights offline). */
    backbone: 'resnet18' | 'resnet50' | 'mobilenetv2';
    /** See DimMatch. */
    dimMatch: DimMatch;
    /** Keep the ReLU before the pooled f (official code: mask >= 0.5). false = mask free to reach 0. */
    finalRelu: boolean;
    /** 'sigmoid' (CAFE) or 'none' (ablation: M = f, unbounded). */
    maskActivation: 'sigmoid' | 'none';
    /**
     * Standardise F per channel with the training features' mean and std (fixed buffers fnorm.*, exported as a Sub and
     * a Mul). false = the paper (raw F). Fused encoders need it: face-mesh geometry varies ~5x less per channel than
     * faceres' activations, so raw, it barely moves the projection.
     */
    normalizeF: boolean;
    /**
     * Width of a hidden layer (Linear + ReLU) between F and the classifier, kind 'probe' only; 0 = the linear probe.
     * Fitted by `cafe probe --hidden N` (minibatch Adam with dropout, features/probe-mlp.ts); saved as hidden.weight
     * [N, D], hidden.bias [N] and fc.weight [7, N].
     */
    hidden: number;
  };
  loss: {
    /** Weight of the channel-separation loss (paper 1.5; 0 = off). */
    lambda: number;
    /** Weight of the channel-diverse loss (paper 5; 0 = off). */
    beta: number;
    /** Channel groups, one per expression. */
    groups: number;
    /** Channels zeroed per group each step in the separation loss. */
    dropPerGroup: number;
    /**
     * Against the source's class prior (FER+: 35 % neutral, 0.5 % disgust), on the classifier's cross-entropy:
     * 'none' (paper); 'reweight': class weights N / (C * count); 'logit-adjust': CE on logits + tau * log prior
     * (Menon et al. 2021), so the unadjusted logits the model exports score as if classes were balanced.
     */
    classBalance: 'none' | 'reweight' | 'logit-adjust';
    /** Strength of the logit adjustment (1 = Menon et al.'s default). */
    tau: number;
  };
  optim: {
    epochs: number;
    batchSize: number;
    /** Adam (L2 weight decay added to the gradient, as torch.optim.Adam). */
    lr: number;
    weightDecay: number;
    /** ExponentialLR, stepped per epoch. */
    gamma: number;
  };
}

/** The paper's recipe (ResNet-18 mask CNN at 224 px, 60 epochs as the official script). */
export const DEFAULT_CONFIG: TrainConfig = {
  name: 'cafe',
  seed: 0,
  threads: 1,
  data: {
    train: 'ferplus:../shared/datasets/ferplus:train:mode=majority',
    sourceWeights: [],
    exclude: [],
    excludeBy: 'clip',
    valid: 'ferplus:../shared/datasets/ferplus:valid:mode=majority',
    imageSize: 224,
    margin: 0,
    trainLimit: 0,
    validLimit: 0,
    flip: 0.5,
    erase: 0.5,
    noise: 0.5,
    augViews: 0,
    augP: 0.5,
  },
  encoder: { name: 'faceres', cacheDir: undefined, allowPartial: false }, // cacheDir undefined: defaultCacheDir() (listed so it can be overridden)
  model: { kind: 'cafe', backbone: 'resnet18', dimMatch: 'pool', finalRelu: true, maskActivation: 'sigmoid', normalizeF: false, hidden: 0 },
  loss: { lambda: 1.5, beta: 5, groups: 7, dropPerGroup: 10, classBalance: 'none', tau: 1 },
  optim: { epochs: 60, batchSize: 32, lr: 2e-4, weightDecay: 1e-4, gamma: 0.9 },
};

type Json = Record<string, unknown>;

/** Keys that take one string or a list of strings. */
const LIST_OR_STRING = new Set(['data.train']);

function mergeInto(base: Json, over: Json, path: string): void {
  for (const [k, v] of Object.entries(over)) {
    const where = path ? `${path}.${k}` : k;
    if (k.startsWith('//') || k === '$comment') continue; // comments in JSON presets
    if (!(k in base)) throw invalidParameter(`config key '${where}'`, 'a key of TrainConfig', k);
    const b = base[k];
    if (LIST_OR_STRING.has(where)) {
      const ok = typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
      if (!ok) throw invalidParameter(`config '${where}'`, 'a string or a non-empty list of strings', JSON.stringify(v));
      base[k] = v;
    } else if (Array.isArray(b)) {
      if (!Array.isArray(v)) throw invalidParameter(`config '${where}'`, 'a list', v);
      base[k] = v;
    } else if (b && typeof b === 'object') {
      if (!v || typeof v !== 'object') throw invalidParameter(`config '${where}'`, 'an object', v);
      mergeInto(b as Json, v as Json, where);
    } else if (b !== undefined && typeof v !== typeof b) throw invalidParameter(`config '${where}'`, `a ${typeof b}`, v);
    else base[k] = v;
  }
}

/** 'a.b=3' -> { a: { b: 3 } }; values parse as JSON when they can, else stay strings. */
export function parseOverride(s: string): Json {
  const eq = s.indexOf('=');
  if (eq < 1) throw invalidParameter('override', 'key.path=value', s);
  let value: unknown = s.slice(eq + 1);
  try {
    value = JSON.parse(value as string);
  } catch {
    /* a bare string */
  }
  const keys = s.slice(0, eq).split('.');
  const out: Json = {};
  let cur = out;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) cur[k] = value;
    else cur = cur[k] = {} as Json;
  });
  return out;
}

/** Defaults <- optional partial object (preset file) <- overrides, validated. */
export function resolveConfig(partial: Json = {}, overrides: string[] = []): TrainConfig {
  const cfg = structuredClone(DEFAULT_CONFIG) as unknown as Json;
  mergeInto(cfg, partial, '');
  for (const o of overrides) mergeInto(cfg, parseOverride(o), '');
  const c = cfg as unknown as TrainConfig;
  const kinds: ModelKind[] = ['cafe', 'baseline', 'probe', 'concat'];
  if (!kinds.includes(c.model.kind)) throw invalidParameter('model.kind', kinds.join(' | '), c.model.kind);
  if (!['resnet18', 'resnet50', 'mobilenetv2'].includes(c.model.backbone)) throw invalidParameter('model.backbone', 'resnet18 | resnet50 | mobilenetv2', c.model.backbone);
  if (!['pool', 'projectF', 'projectf'].includes(c.model.dimMatch)) throw invalidParameter('model.dimMatch', 'pool | projectF | projectf', c.model.dimMatch);
  if (!['none', 'reweight', 'logit-adjust'].includes(c.loss.classBalance)) throw invalidParameter('loss.classBalance', 'none | reweight | logit-adjust', c.loss.classBalance);
  if (!['sigmoid', 'none'].includes(c.model.maskActivation)) throw invalidParameter('model.maskActivation', 'sigmoid | none', c.model.maskActivation);
  for (const [k, v] of Object.entries({ 'optim.epochs': c.optim.epochs, 'optim.batchSize': c.optim.batchSize, 'data.imageSize': c.data.imageSize })) {
    if (!Number.isInteger(v) || v < 1) throw invalidParameter(k, 'a positive integer', v);
  }
  if (!Number.isInteger(c.model.hidden) || c.model.hidden < 0) throw invalidParameter('model.hidden', 'an integer >= 0', c.model.hidden);
  if (c.model.hidden > 0 && c.model.kind !== 'probe') throw invalidParameter('model.hidden', "0 unless model.kind is 'probe' (the hidden layer belongs to the probe head)", c.model.hidden);
  if (!Number.isInteger(c.data.augViews) || c.data.augViews < 0) throw invalidParameter('data.augViews', 'an integer >= 0', c.data.augViews);
  if (!(c.data.augP >= 0 && c.data.augP <= 1)) throw invalidParameter('data.augP', 'a probability in [0, 1]', c.data.augP);
  if (c.data.sourceWeights.some((w) => typeof w !== 'number' || !(w >= 0))) throw invalidParameter('data.sourceWeights', 'non-negative numbers', JSON.stringify(c.data.sourceWeights));
  if (!['clip', 'image'].includes(c.data.excludeBy)) throw invalidParameter('data.excludeBy', 'clip | image', c.data.excludeBy);
  if (c.data.exclude.some((f) => typeof f !== 'string')) throw invalidParameter('data.exclude', 'folder paths', JSON.stringify(c.data.exclude));
  const nTrain = typeof c.data.train === 'string' ? 1 : c.data.train.length;
  if (c.data.sourceWeights.length > 0 && c.data.sourceWeights.length !== nTrain) throw invalidParameter('data.sourceWeights', `one weight per data.train source (${nTrain}) or []`, JSON.stringify(c.data.sourceWeights));
  return c;
}

/** Reads a preset (JSON; keys starting with // are comments) and resolves it. */
export function loadConfig(path: string, overrides: string[] = []): TrainConfig {
  let partial: Json;
  try {
    partial = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fileError(path, `cannot read config: ${(err as Error).message}`);
  }
  return resolveConfig(partial, overrides);
}
