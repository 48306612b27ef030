// The CAFE head as an ONNX graph: mask CNN (torchvision-layout ResNet) -> sigmoid mask over the frozen encoder's
// feature -> linear classifier. Inputs 'image' [N, 3, S, S] (the mask CNN's preprocessing) and 'features' [N, D]
// (the encoder's output); output 'logits' [N, 7]. BatchNorm is exported as BatchNormalization (exact: no folding
// error), which onnxruntime fuses into the convolutions when it optimises the graph.
import { invalidParameter } from '../errors.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../encoders/onnx-writer.js';
import { f32ToF16, type PlainTensor } from './safetensors-read.js';

/** Where each part of the head lives in a weights file (names are discovered, see findLayout). */
export interface HeadLayout {
  /** Prefix of the ResNet parameters, e.g. 'mask.' or 'mask_net.backbone.' ('' for a bare ResNet). */
  backbone: string;
  /** Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18. */
  blocks: number[];
  /** Convolutions per residual block: 2 (BasicBlock) or 3 (Bottleneck). */
  convsPerBlock: number;
  /** Linear layer from the pooled ResNet feature to the mask logits [D, featureDim]. */
  maskFc: string;
  /** Linear classifier [classes, D]. */
  classifier: string;
  featureDim: number;
  classes: number;
}

function must(w: Map<string, PlainTensor>, name: string): PlainTensor {
  const t = w.get(name);
  if (!t) throw invalidParameter('weights', `a tensor named '${name}'`, [...w.keys()].slice(0, 8).join(', ') + (w.size > 8 ? ', ...' : ''));
  return t;
}

/**
 * Finds the mask CNN, its mask layer and the classifier by shape: the ResNet stem is the only [64, C, 7, 7] conv,
 * the mask layer is a 2-D weight reading the pooled ResNet feature, the classifier a 2-D weight reading the mask's
 * output. Names then only have to be consistent, not fixed, so the exporter survives renames in training code.
 */
export function findLayout(w: Map<string, PlainTensor>, classes = 7): HeadLayout {
  const stem = [...w.keys()].filter((k) => k.endsWith('conv1.weight') && w.get(k)!.shape.length === 4 && w.get(k)!.shape[0] === 64 && w.get(k)!.shape[2] === 7);
  if (stem.length !== 1) throw invalidParameter('weights', 'exactly one ResNet stem conv ([64, C, 7, 7] ...conv1.weight)', stem);
  const backbone = stem[0].slice(0, -'conv1.weight'.length);
  const blocks = [1, 2, 3, 4].map((s) => {
    let n = 0;
    while (w.has(`${backbone}layer${s}.${n}.conv1.weight`)) n++;
    return n;
  });
  if (blocks.some((n) => n === 0)) throw invalidParameter('weights', `ResNet stages ${backbone}layer1..4`, blocks);
  const convsPerBlock = w.has(`${backbone}layer1.0.conv3.weight`) ? 3 : 2;
  const lastConv = must(w, `${backbone}layer4.${blocks[3] - 1}.conv${convsPerBlock}.weight`);
  const pooled = lastConv.shape[0];
  const twoD = [...w.entries()].filter(([k, t]) => t.shape.length === 2 && k.endsWith('.weight'));
  const maskFc = twoD.filter(([, t]) => t.shape[1] === pooled).map(([k]) => k);
  if (maskFc.length !== 1) throw invalidParameter('weights', `exactly one linear layer reading the ${pooled}-d ResNet feature (the mask layer)`, maskFc);
  const featureDim = w.get(maskFc[0])!.shape[0];
  const cls = twoD.filter(([k, t]) => k !== maskFc[0] && t.shape[0] === classes && t.shape[1] === featureDim).map(([k]) => k);
  if (cls.length !== 1) throw invalidParameter('weights', `exactly one [${classes}, ${featureDim}] classifier weight`, cls);
  return { backbone, blocks, convsPerBlock, maskFc: maskFc[0].slice(0, -'.weight'.length), classifier: cls[0].slice(0, -'.weight'.length), featureDim, classes };
}

export interface HeadGraphOptions {
  /** Side of the mask CNN's input; only recorded in the input shape ('S' symbolic when undefined). */
  imageSize?: number;
  /** Store big weights as float16 (half the file) and Cast them to float32 at load; compute stays float32. */
  fp16?: boolean;
  /** L2-normalise the encoder feature before masking (when training did). Default false. */
  l2Features?: boolean;
}

/** Builds the ONNX graph of the CAFE head from float32 weights. */
export function buildHeadGraph(w: Map<string, PlainTensor>, layout: HeadLayout, opts: HeadGraphOptions = {}): OnnxGraph {
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
  let id = 0;
  const tmp = (hint: string) => `${hint}_${id++}`;
  const conv = (x: string, p: string, stride: number): string => {
    const wt = must(w, `${p}.weight`);
    const k = wt.shape[2];
    const inputs = [x, init(`${p}.weight`)];
    if (w.has(`${p}.bias`)) inputs.push(init(`${p}.bias`, false));
    const y = tmp(p);
    nodes.push({ op: 'Conv', inputs, outputs: [y], attrs: { kernel_shape: [k, k], strides: [stride, stride], pads: Array(4).fill((k - 1) / 2) } });
    return y;
  };
  const bn = (x: string, p: string): string => {
    const y = tmp(p);
    const ins = ['weight', 'bias', 'running_mean', 'running_var'].map((s) => init(`${p}.${s}`, false));
    nodes.push({ op: 'BatchNormalization', inputs: [x, ...ins], outputs: [y], attrs: { epsilon: { float: 1e-5 } } });
    return y;
  };
  const relu = (x: string): string => {
    const y = tmp('relu');
    nodes.push({ op: 'Relu', inputs: [x], outputs: [y] });
    return y;
  };
  const add = (a: string, b: string): string => {
    const y = tmp('add');
    nodes.push({ op: 'Add', inputs: [a, b], outputs: [y] });
    return y;
  };
  const B = layout.backbone;
  let x = relu(bn(conv('image', `${B}conv1`, 2), `${B}bn1`));
  const mp = tmp('maxpool');
  nodes.push({ op: 'MaxPool', inputs: [x], outputs: [mp], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  x = mp;
  for (let s = 0; s < 4; s++) {
    for (let b = 0; b < layout.blocks[s]; b++) {
      const p = `${B}layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      let y = x;
      for (let c = 1; c <= layout.convsPerBlock; c++) {
        // torchvision puts the stride on conv1 (BasicBlock) or conv2 (Bottleneck, "ResNet v1.5").
        const st = (layout.convsPerBlock === 2 ? c === 1 : c === 2) ? stride : 1;
        y = bn(conv(y, `${p}.conv${c}`, st), `${p}.bn${c}`);
        if (c < layout.convsPerBlock) y = relu(y);
      }
      const identity = w.has(`${p}.downsample.0.weight`) ? bn(conv(x, `${p}.downsample.0`, stride), `${p}.downsample.1`) : x;
      x = relu(add(y, identity));
    }
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['pooled4d'] });
  nodes.push({ op: 'Flatten', inputs: ['pooled4d'], outputs: ['pooled'], attrs: { axis: 1 } });
  const gemm = (input: string, p: string, out: string) => {
    const ins = [input, init(`${p}.weight`)];
    if (w.has(`${p}.bias`)) ins.push(init(`${p}.bias`, false));
    nodes.push({ op: 'Gemm', inputs: ins, outputs: [out], attrs: { transB: 1 } });
  };
  gemm('pooled', layout.maskFc, 'mask_logits');
  nodes.push({ op: 'Sigmoid', inputs: ['mask_logits'], outputs: ['mask'] });
  let feats = 'features';
  if (opts.l2Features) {
    nodes.push({ op: 'LpNormalization', inputs: ['features'], outputs: ['features_l2'], attrs: { axis: 1, p: 2 } });
    feats = 'features_l2';
  }
  nodes.push({ op: 'Mul', inputs: [feats, 'mask'], outputs: ['masked'] });
  gemm('masked', layout.classifier, 'logits');
  const S = opts.imageSize ?? 'S';
  const C = must(w, `${B}conv1.weight`).shape[1];
  return {
    name: 'cafe_head',
    nodes,
    initializers: inits,
    inputs: [
      { name: 'image', shape: ['N', C, S, S] },
      { name: 'features', shape: ['N', layout.featureDim] },
    ],
    outputs: [{ name: 'logits', shape: ['N', layout.classes] }],
    opset: 13,
    producer: 'cafe export',
    docString: 'CAFE head: logits = classifier(features * sigmoid(maskFc(resnet(image))))',
  };
}
