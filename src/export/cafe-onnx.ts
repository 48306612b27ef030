// The CAFE model of src/cafe/model.ts as an ONNX graph, for onnxruntime without libtorch. Parameter names are the
// training core's (backbone.*, proj.*, fc.*); the structure comes from the run's config "model" section:
//
//   cafe      f = ResNet(image) [N, d];  M = sigmoid(f') (or f');  logits = fc(M * F')
//             dimMatch 'pool': F' = mean of F over windows of D/d; 'projectF': F' = proj(F); 'projectf': f' = proj(f)
//             (with model.normalizeF, F is first standardised per channel: (F - fnorm.mean) * fnorm.scale)
//   baseline  logits = fc(f)        probe  logits = fc(F)        concat  logits = fc([F, f])
//
// Inputs 'image' [N, 3, S, S] (the mask CNN's preprocessing) and 'features' [N, D] (the frozen encoder's output);
// output 'logits' [N, 7]. BatchNorm is exported as BatchNormalization (exact, no folding error); onnxruntime fuses it
// into the convolutions when it optimises the session.
import { invalidParameter } from '../errors.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../encoders/onnx-writer.js';
import { f32ToF16, type PlainTensor } from './safetensors-read.js';
import { MOBILENETV2_SETTINGS } from '../models/mobilenetv2-arch.js';

/** The run config's "model" section (see src/cafe/config.ts); only what the graph depends on. */
export interface HeadModelConfig {
  kind: 'cafe' | 'baseline' | 'probe' | 'concat';
  backbone: 'resnet18' | 'resnet50' | 'mobilenetv2';
  dimMatch: 'pool' | 'projectF' | 'projectf';
  finalRelu: boolean;
  maskActivation: 'sigmoid' | 'none';
}

export const DEFAULT_HEAD_MODEL: HeadModelConfig = { kind: 'cafe', backbone: 'resnet18', dimMatch: 'pool', finalRelu: true, maskActivation: 'sigmoid' };

export interface HeadGraphOptions {
  /** Side of the mask CNN's input, recorded in the input shape. */
  imageSize: number;
  /** Width D of the encoder feature. */
  featureDim: number;
  /** Store the CNN's big weights as float16 (half the file) and Cast them to float32 at load; compute stays float32.
   *  The linear layers that produce the logits (proj, fc) stay float32: on a trained FER+ model, rounding them moved
   *  the logits by 2.3e-2, rounding every conv of the ResNet-18 by 1.1e-3 (seeded uniform inputs; on real images see
   *  bench/results/export-parity.md). */
  fp16?: boolean;
}

function must(w: Map<string, PlainTensor>, name: string): PlainTensor {
  const t = w.get(name);
  if (!t) throw invalidParameter('weights', `a tensor named '${name}' (a src/cafe CafeModel state dict)`, [...w.keys()].slice(0, 6).join(', ') + (w.size > 6 ? ', ...' : ''));
  return t;
}

/** Width d of the pooled backbone feature: output channels of the last conv. */
function lastWidth(w: Map<string, PlainTensor>, backbone: HeadModelConfig['backbone']): number {
  if (backbone === 'mobilenetv2') return must(w, `backbone.features.${MOBILENETV2_BLOCKS + 1}.0.weight`).shape[0];
  let n = 0;
  while (w.has(`backbone.layer4.${n + 1}.conv1.weight`)) n++;
  const c3 = w.get(`backbone.layer4.${n}.conv3.weight`);
  return (c3 ?? must(w, `backbone.layer4.${n}.conv2.weight`)).shape[0];
}

/** Inverted-residual blocks in MobileNetV2's features (1..17; features.0 is the stem, features.18 the last conv). */
const MOBILENETV2_BLOCKS = MOBILENETV2_SETTINGS.reduce((a, s) => a + s[2], 0);

/** Builds the ONNX graph from float32 weights and the model config. */
export function buildHeadGraph(w: Map<string, PlainTensor>, m: HeadModelConfig, opts: HeadGraphOptions): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const used = new Set<string>();
  const init = (name: string, allowHalf = true): string => {
    if (used.has(name)) return name;
    used.add(name);
    const t = must(w, name);
    if (opts.fp16 && allowHalf && t.data.length >= 1024) {
      inits.push({ name: `${name}.f16`, dims: t.shape, data: f32ToF16(t.data) });
      nodes.push({ op: 'Cast', inputs: [`${name}.f16`], outputs: [name], attrs: { to: 1 } });
    } else inits.push({ name, dims: t.shape, data: t.data });
    return name;
  };
  const constant = (name: string, data: BigInt64Array): string => {
    inits.push({ name, dims: [data.length], data });
    return name;
  };
  const floatConst = (name: string, value: number): string => {
    inits.push({ name, dims: [], data: Float32Array.from([value]) });
    return name;
  };
  let id = 0;
  const tmp = (hint: string) => `${hint}_${id++}`;
  const op = (type: string, inputs: string[], attrs?: OnnxNode['attrs'], out = tmp(type.toLowerCase())): string => {
    nodes.push({ op: type, inputs, outputs: [out], attrs });
    return out;
  };
  const conv = (x: string, p: string, stride: number): string => {
    const [out, inPerGroup, k] = must(w, `${p}.weight`).shape;
    const inputs = [x, init(`${p}.weight`)];
    if (w.has(`${p}.bias`)) inputs.push(init(`${p}.bias`, false));
    // Depthwise convolutions (MobileNetV2) have one input channel per group.
    const attrs: NonNullable<OnnxNode['attrs']> = { kernel_shape: [k, k], strides: [stride, stride], pads: Array(4).fill((k - 1) / 2) };
    if (inPerGroup === 1 && out > 1) attrs.group = out;
    return op('Conv', inputs, attrs);
  };
  const bn = (x: string, p: string): string =>
    op('BatchNormalization', [x, ...['weight', 'bias', 'running_mean', 'running_var'].map((s) => init(`${p}.${s}`, false))], { epsilon: { float: 1e-5 } });
  const gemm = (x: string, p: string, out?: string): string => {
    const ins = [x, init(`${p}.weight`, false)];
    if (w.has(`${p}.bias`)) ins.push(init(`${p}.bias`, false));
    return op('Gemm', ins, { transB: 1 }, out);
  };

  /** torchvision-layout ResNet features: [N, d] after global average pooling. */
  const resnet = (x: string, B: string): string => {
    const blocks = [1, 2, 3, 4].map((s) => {
      let n = 0;
      while (w.has(`${B}layer${s}.${n}.conv1.weight`)) n++;
      return n;
    });
    if (blocks.some((n) => n === 0)) throw invalidParameter('weights', `ResNet stages ${B}layer1..4`, blocks);
    const convs = w.has(`${B}layer1.0.conv3.weight`) ? 3 : 2;
    let y = op('MaxPool', [op('Relu', [bn(conv(x, `${B}conv1`, 2), `${B}bn1`)])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    for (let s = 0; s < 4; s++) {
      for (let b = 0; b < blocks[s]; b++) {
        const p = `${B}layer${s + 1}.${b}`;
        const stride = s > 0 && b === 0 ? 2 : 1;
        let z = y;
        for (let c = 1; c <= convs; c++) {
          // torchvision puts the stride on conv1 (BasicBlock) or conv2 (Bottleneck, "ResNet v1.5").
          const st = (convs === 2 ? c === 1 : c === 2) ? stride : 1;
          z = bn(conv(z, `${p}.conv${c}`, st), `${p}.bn${c}`);
          if (c < convs) z = op('Relu', [z]);
        }
        const identity = w.has(`${p}.downsample.0.weight`) ? bn(conv(y, `${p}.downsample.0`, stride), `${p}.downsample.1`) : y;
        const sum = op('Add', [z, identity]);
        const last = s === 3 && b === blocks[3] - 1;
        y = last && !m.finalRelu ? sum : op('Relu', [sum]);
      }
    }
    return op('Flatten', [op('GlobalAveragePool', [y])], { axis: 1 });
  };

  /** torchvision-layout MobileNetV2 features: [N, 1280] after global average pooling. ReLU6 = Clip(0, 6). */
  const mobilenetv2 = (x: string, B: string): string => {
    let six: [string, string] | undefined;
    const relu6 = (z: string): string => {
      six ??= [floatConst('relu6_lo', 0), floatConst('relu6_hi', 6)];
      return op('Clip', [z, ...six]);
    };
    const convBn = (z: string, p: string, stride: number, act: boolean) => {
      const y = bn(conv(z, `${p}.0`, stride), `${p}.1`);
      return act ? relu6(y) : y;
    };
    let y = convBn(x, `${B}features.0`, 2, true);
    let i = 1;
    for (const [t, , n, s] of MOBILENETV2_SETTINGS) {
      for (let r = 0; r < n; r++, i++) {
        const p = `${B}features.${i}.conv`;
        const stride = r === 0 ? s : 1;
        // expand (1x1) when t != 1, depthwise 3x3, project (1x1, no activation), as torchvision numbers them.
        let z = y;
        let j = 0;
        if (t !== 1) z = convBn(z, `${p}.${j++}`, 1, true);
        z = convBn(z, `${p}.${j++}`, stride, true);
        z = bn(conv(z, `${p}.${j}`, 1), `${p}.${j + 1}`);
        const inC = must(w, `${p}.0.0.weight`).shape[t !== 1 ? 1 : 0];
        y = stride === 1 && inC === must(w, `${p}.${j}.weight`).shape[0] ? op('Add', [y, z]) : z;
      }
    }
    y = convBn(y, `${B}features.${i}`, 1, m.finalRelu);
    return op('Flatten', [op('GlobalAveragePool', [y])], { axis: 1 });
  };

  const D = opts.featureDim;
  // model.normalizeF: the run's fixed per-channel standardisation of F (fnorm.mean, fnorm.scale), as in training.
  const feats = w.has('fnorm.mean') ? op('Mul', [op('Sub', ['features', init('fnorm.mean', false)]), init('fnorm.scale', false)], undefined, 'features_std') : 'features';
  let logitsFrom: string;
  // model.hidden: the probe's hidden layer, relu(hidden(F)).
  if (m.kind === 'probe') logitsFrom = w.has('hidden.weight') ? op('Relu', [gemm(feats, 'hidden')], undefined, 'hidden_act') : feats;
  else {
    const f = m.backbone === 'mobilenetv2' ? mobilenetv2('image', 'backbone.') : resnet('image', 'backbone.');
    const d = lastWidth(w, m.backbone);
    if (m.kind === 'baseline') logitsFrom = f;
    else if (m.kind === 'concat') logitsFrom = op('Concat', [feats, f], { axis: 1 });
    else {
      let Fm = feats;
      let fm = f;
      if (D !== d) {
        if (m.dimMatch === 'pool') {
          if (D % d !== 0) throw invalidParameter('model.dimMatch', `pool with D a multiple of d (${D} vs ${d})`, 'pool');
          const shape = constant('pool_shape', BigInt64Array.from([-1n, BigInt(d), BigInt(D / d)]));
          Fm = op('ReduceMean', [op('Reshape', [feats, shape])], { axes: [2], keepdims: 0 });
        } else if (m.dimMatch === 'projectF') Fm = gemm(feats, 'proj');
        else fm = gemm(f, 'proj');
      }
      const mask = m.maskActivation === 'sigmoid' ? op('Sigmoid', [fm], undefined, 'mask') : fm;
      logitsFrom = op('Mul', [mask, Fm], undefined, 'masked');
    }
  }
  gemm(logitsFrom, 'fc', 'logits');
  const classes = must(w, 'fc.weight').shape[0];
  const inputs: OnnxGraph['inputs'] = [];
  const stem = m.backbone === 'mobilenetv2' ? 'backbone.features.0.0.weight' : 'backbone.conv1.weight';
  if (m.kind !== 'probe') inputs.push({ name: 'image', shape: ['N', must(w, stem).shape[1], opts.imageSize, opts.imageSize] });
  if (m.kind !== 'baseline') inputs.push({ name: 'features', shape: ['N', D] });
  return {
    name: 'cafe',
    nodes,
    initializers: inits,
    inputs,
    outputs: [{ name: 'logits', shape: ['N', classes] }],
    opset: 13,
    producer: 'cafe export',
    docString: `CAFE ${m.kind} (${m.backbone}, dimMatch ${m.dimMatch}, mask ${m.maskActivation}, finalRelu ${m.finalRelu})`,
  };
}
