// Converts a TensorFlow.js graph model of the MobileNet family (Conv2D, _FusedConv2D, DepthwiseConv2dNative and its
// fused form, Add, Mul, Relu, Relu6, PReLU, Minimum/Maximum, Mean, MaxPool, Pad, Reshape, Identity) to ONNX, cut at
// chosen output nodes: faceres (one output), the face mesh (one), BlazeFace (four) and CenterNet's MobileNetV3
// backbone (two; its hard-swish is Relu6 + Mul). Why: onnxruntime-node runs the converted faceres
// several times faster than tfjs-wasm on this CPU (see bench/results/encoders.md), and the same session code then
// serves every encoder.
//
// Layout: tfjs is NHWC; the ONNX graph is NCHW end to end (input [N, C, H, W]) so preprocessing is the same for
// every encoder. Kernels are transposed; per-channel constants become [C, 1, 1]; reduction axes are remapped.
import { invalidParameter } from '../errors.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-writer.js';
import type { TfjsGraph, TfjsNode, TfjsWeight } from './tfjs-graph.js';

/** Where NHWC axis i sits in NCHW: N 0 -> 0, H 1 -> 2, W 2 -> 3, C 3 -> 1. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

/** tfjs stores string attributes (and the items of string lists) as base64 bytes. */
function base64Text(s: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
}

function attrString(node: TfjsNode, key: string): string | undefined {
  const s = node.attr?.[key]?.s;
  return s === undefined ? undefined : base64Text(s);
}

function attrInts(node: TfjsNode, key: string): number[] | undefined {
  const l = node.attr?.[key]?.list?.i;
  return l === undefined ? undefined : (l as string[]).map(Number);
}

/** [H, W, I, O] -> [O, I, H, W] */
function hwioToOihw(w: TfjsWeight): OnnxTensor['data'] {
  const [H, W, I, O] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let h = 0; h < H; h++)
    for (let x = 0; x < W; x++)
      for (let i = 0; i < I; i++)
        for (let o = 0; o < O; o++) out[((o * I + i) * H + h) * W + x] = w.data[((h * W + x) * I + i) * O + o];
  return out;
}

/** Depthwise [H, W, C, M] -> grouped conv weight [C*M, 1, H, W] (output channel c*M + m, as TF orders it). */
function depthwiseToGrouped(w: TfjsWeight): OnnxTensor['data'] {
  const [H, W, C, M] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let h = 0; h < H; h++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++)
        for (let m = 0; m < M; m++) out[((c * M + m) * H + h) * W + x] = w.data[((h * W + x) * C + c) * M + m];
  return out;
}

export interface TfjsToOnnxOptions {
  /** Node(s) whose values become the ONNX outputs, e.g. 'global_pooling/Mean'. */
  output: string | string[];
  /** Name of the ONNX input (default 'pixel_values', as in the Hugging Face exports). */
  inputName?: string;
  /** Name(s) of the ONNX output(s), one per `output` (default 'features' for a single output, else the node names). */
  outputName?: string | string[];
}

/** ONNX auto_pad of a conv or pool: TF 'SAME' puts the odd padding pixel at the end, which is ONNX SAME_UPPER. 'EXPLICIT'
 * paddings would need their own pads attribute: refused rather than read as VALID. */
function autoPad(node: TfjsNode): 'SAME_UPPER' | 'VALID' {
  const pad = attrString(node, 'padding');
  if (pad !== 'SAME' && pad !== 'VALID') throw invalidParameter(`padding of ${node.name}`, "'SAME' or 'VALID'", pad);
  return pad === 'SAME' ? 'SAME_UPPER' : 'VALID';
}

/** Convolutions and pools: their strides, sizes and paddings are read as NHWC; an NCHW graph is refused, not misread. */
function requireNhwc(node: TfjsNode): void {
  const f = attrString(node, 'data_format');
  if (f !== 'NHWC') throw invalidParameter(`data_format of ${node.name}`, "'NHWC'", f);
}

/** ONNX pads [begin per axis..., end per axis...] from TF paddings [[begin, end] per NHWC axis], in NCHW order. */
function nhwcPadsToOnnx(p: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(8);
  for (let axis = 0; axis < 4; axis++) {
    const onnxAxis = NHWC_TO_NCHW_AXIS[axis];
    out[onnxAxis] = BigInt(p[2 * axis]);
    out[4 + onnxAxis] = BigInt(p[2 * axis + 1]);
  }
  return out;
}

/** Builds the ONNX graph; throws invalidParameter for ops outside the supported set. */
export function tfjsToOnnx(graph: TfjsGraph, opts: TfjsToOnnxOptions): OnnxGraph {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const strip = (s: string) => s.replace(/:\d+$/, '');
  const outputs = Array.isArray(opts.output) ? opts.output : [opts.output];
  const outNodes = outputs.map((o) => {
    const n = byName.get(strip(o));
    if (!n) throw invalidParameter('output', `a node of the graph`, o);
    return n;
  });
  const outNames = opts.outputName === undefined ? (outNodes.length === 1 ? ['features'] : outNodes.map((n) => n.name)) : Array.isArray(opts.outputName) ? opts.outputName : [opts.outputName];
  if (outNames.length !== outNodes.length) throw invalidParameter('outputName', `${outNodes.length} names`, outNames.length);
  const inputName = opts.inputName ?? 'pixel_values';

  // Topological order of the nodes the output needs (DFS post-order).
  const order: TfjsNode[] = [];
  const seen = new Set<string>();
  const visit = (n: TfjsNode) => {
    if (seen.has(n.name)) return;
    seen.add(n.name);
    for (const i of n.input ?? []) {
      const dep = byName.get(strip(i));
      if (!dep) throw invalidParameter(`input of ${n.name}`, 'an existing node', i);
      visit(dep);
    }
    order.push(n);
  };
  for (const n of outNodes) visit(n);
  const consumers = new Map<string, number>();
  for (const n of order) for (const i of n.input ?? []) consumers.set(strip(i), (consumers.get(strip(i)) ?? 0) + 1);

  // Relu -> Minimum(hi) -> Maximum(lo) is Keras' relu6: emitted as one Clip (onnxruntime fuses Conv+Clip).
  const relu6 = new Map<string, { x: string; lo: number; hi: number }>(); // Maximum node -> Clip
  const absorbed = new Set<string>(); // the Relu and Minimum nodes inside those
  const scalarConst = (name: string | undefined) => {
    const n = name === undefined ? undefined : byName.get(strip(name));
    const w = n?.op === 'Const' ? graph.weights.get(n.name) : undefined;
    return w?.data.length === 1 ? w.data[0] : undefined;
  };
  for (const n of order) {
    if (n.op !== 'Maximum') continue;
    const min = byName.get(strip(n.input![0]));
    const relu = min?.op === 'Minimum' ? byName.get(strip(min.input![0])) : undefined;
    const lo = scalarConst(n.input![1]);
    const hi = scalarConst(min?.input?.[1]);
    if (!min || relu?.op !== 'Relu' || lo === undefined || hi === undefined) continue;
    if (consumers.get(min.name) !== 1 || consumers.get(relu.name) !== 1) continue;
    relu6.set(n.name, { x: strip(relu.input![0]), lo: Math.max(0, lo), hi });
    absorbed.add(min.name).add(relu.name);
  }

  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const rank = new Map<string, number>(); // rank of every produced value, to place per-channel constants
  const constOf = (name: string) => {
    const n = byName.get(strip(name));
    return n?.op === 'Const' ? graph.weights.get(n.name) : undefined;
  };
  const addInit = (name: string, dims: number[], data: OnnxTensor['data']) => {
    inits.push({ name, dims, data });
    return name;
  };
  // relu6 as one Clip (onnxruntime fuses Conv+Clip): Keras' Relu -> Minimum -> Maximum, or tfjs' own Relu6 op.
  const pushClip = (name: string, x: string, out: string, lo: number, hi: number) => {
    nodes.push({ op: 'Clip', name, inputs: [x, addInit(`${name}/lo`, [], Float32Array.of(lo)), addInit(`${name}/hi`, [], Float32Array.of(hi))], outputs: [out] });
  };
  const renamed = new Map(outNodes.map((n, i) => [n.name, outNames[i]]));
  const valueName = (name: string) => renamed.get(strip(name)) ?? strip(name);
  let inputShape: number[] = [];
  // PReLU slopes: tfjs stores them [C] or [1, 1, C] (NHWC); ONNX broadcasts [C, 1, 1] over NCHW.
  const slope = (node: string, name: string) => {
    const a = constOf(name);
    if (!a) throw invalidParameter(`alpha of ${node}`, 'a constant', name);
    return addInit(`${node}/slope`, [a.data.length, 1, 1], a.data);
  };

  for (const n of order) {
    const ins = (n.input ?? []).map(strip);
    const out = valueName(n.name);
    switch (n.op) {
      case 'Const':
        break; // materialised by the consumer, in the layout that consumer needs
      case 'Placeholder': {
        const s = (n.attr?.shape?.shape?.dim ?? []).map((d: { size: string }) => Number(d.size));
        inputShape = [s[0], s[3], s[1], s[2]];
        rank.set(n.name, 4);
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const w = constOf(ins[1]);
        if (!w) throw invalidParameter(`kernel of ${n.name}`, 'a constant', ins[1]);
        requireNhwc(n);
        const stride = attrInts(n, 'strides') ?? [1, 1, 1, 1];
        const dil = attrInts(n, 'dilations') ?? [1, 1, 1, 1];
        const dw = n.op === 'DepthwiseConv2dNative' || n.op === 'FusedDepthwiseConv2dNative';
        const [H, W, C, M] = w.shape;
        const wName = addInit(`${n.name}/W`, dw ? [C * M, 1, H, W] : [M, C, H, W], dw ? depthwiseToGrouped(w) : hwioToOihw(w));
        // _FusedConv2D (what the tfjs converter makes of Conv2D + BiasAdd [+ Relu]): the bias becomes Conv's B input.
        const fused = n.op === '_FusedConv2D' || n.op === 'FusedDepthwiseConv2dNative' ? (n.attr?.fused_ops?.list?.s ?? []).map(base64Text) : [];
        if (fused.length && (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused.length === 2 && !['Relu', 'Prelu'].includes(fused[1])))) throw invalidParameter(`fused_ops of ${n.name}`, "['BiasAdd'], ['BiasAdd', 'Relu'] or ['BiasAdd', 'Prelu']", fused.join(','));
        const bias = fused.length ? constOf(ins[2]) : undefined;
        if (fused.length && !bias) throw invalidParameter(`bias of ${n.name}`, 'a constant', ins[2]);
        const relu = fused[1] === 'Relu';
        const prelu = fused[1] === 'Prelu'; // the face mesh's Conv + BiasAdd + PReLU; the slopes are input 3
        const convOut = relu || prelu ? `${n.name}/conv` : out;
        nodes.push({
          op: 'Conv',
          name: n.name,
          inputs: [valueName(ins[0]), wName, ...(bias ? [addInit(`${n.name}/B`, [bias.data.length], bias.data)] : [])],
          outputs: [convOut],
          attrs: {
            kernel_shape: [H, W],
            strides: [stride[1], stride[2]],
            dilations: [dil[1], dil[2]],
            auto_pad: autoPad(n),
            ...(dw ? { group: C } : {}),
          },
        });
        if (relu) nodes.push({ op: 'Relu', name: `${n.name}/relu`, inputs: [convOut], outputs: [out] });
        if (prelu) nodes.push({ op: 'PRelu', name: `${n.name}/prelu`, inputs: [convOut, slope(n.name, ins[3])], outputs: [out] });
        rank.set(n.name, 4);
        break;
      }
      case 'Prelu': {
        nodes.push({ op: 'PRelu', name: n.name, inputs: [valueName(ins[0]), slope(n.name, ins[1])], outputs: [out] });
        rank.set(n.name, rank.get(ins[0]) ?? 4);
        break;
      }
      case 'MaxPool': {
        requireNhwc(n);
        const k = attrInts(n, 'ksize') ?? [1, 1, 1, 1];
        const stride = attrInts(n, 'strides') ?? [1, 1, 1, 1];
        nodes.push({ op: 'MaxPool', name: n.name, inputs: [valueName(ins[0])], outputs: [out], attrs: { kernel_shape: [k[1], k[2]], strides: [stride[1], stride[2]], auto_pad: autoPad(n) } });
        rank.set(n.name, 4);
        break;
      }
      case 'Pad': {
        const p = constOf(ins[1]);
        if (!p || p.shape.join() !== '4,2' || rank.get(ins[0]) !== 4) throw invalidParameter(`paddings of ${n.name}`, 'a constant [4, 2] on a 4-d value', ins[1]);
        nodes.push({ op: 'Pad', name: n.name, inputs: [valueName(ins[0]), addInit(`${n.name}/pads`, [8], nhwcPadsToOnnx(p.data))], outputs: [out] });
        rank.set(n.name, 4);
        break;
      }
      case 'Reshape': {
        // The value is NCHW here but the target shape counts NHWC elements: back to NHWC first. A leading 1 (the
        // tfjs graph's fixed batch) becomes 0 (ONNX: keep that dimension) so the ONNX graph takes any batch.
        const shape = constOf(ins[1]);
        if (!shape) throw invalidParameter(`shape of ${n.name}`, 'a constant', ins[1]);
        // Rank 4 after a reshape would be NHWC, which the per-channel logic here does not track: refuse it.
        if (shape.data.length === 4) throw invalidParameter(`shape of ${n.name}`, 'a reshape to rank != 4', shape.data.join('x'));
        let x = valueName(ins[0]);
        const r = rank.get(ins[0]) ?? 4;
        if (r === 4) {
          nodes.push({ op: 'Transpose', name: `${n.name}/nhwc`, inputs: [x], outputs: [`${n.name}/nhwc`], attrs: { perm: [0, 2, 3, 1] } });
          x = `${n.name}/nhwc`;
        }
        const dims = BigInt64Array.from(shape.data, (d, i) => BigInt(i === 0 && d === 1 ? 0 : d));
        nodes.push({ op: 'Reshape', name: n.name, inputs: [x, addInit(`${n.name}/shape`, [dims.length], dims)], outputs: [out] });
        rank.set(n.name, dims.length);
        break;
      }
      case 'Identity': {
        nodes.push({ op: 'Identity', name: n.name, inputs: [valueName(ins[0])], outputs: [out] });
        rank.set(n.name, rank.get(ins[0]) ?? 4);
        break;
      }
      case 'Add':
      case 'AddV2':
      case 'Mul':
      case 'Sub':
      case 'Minimum':
      case 'Maximum': {
        if (absorbed.has(n.name)) break; // folded into the relu6 Clip below
        const clip = relu6.get(n.name);
        if (clip) {
          pushClip(n.name, valueName(clip.x), out, clip.lo, clip.hi);
          rank.set(n.name, rank.get(clip.x) ?? 4);
          break;
        }
        const onnxOp = { Add: 'Add', AddV2: 'Add', Mul: 'Mul', Sub: 'Sub', Minimum: 'Min', Maximum: 'Max' }[n.op]!;
        const operands = ins.map((name) => {
          const c = constOf(name);
          if (!c) return valueName(name);
          const other = ins.find((x) => x !== name)!;
          // Per-channel vectors broadcast over NCHW as [C, 1, 1].
          const dims = c.shape.length === 1 && rank.get(other) === 4 ? [c.shape[0], 1, 1] : c.shape;
          return addInit(`${n.name}/${name}`, dims, c.data);
        });
        nodes.push({ op: onnxOp, name: n.name, inputs: operands, outputs: [out] });
        rank.set(n.name, Math.max(...ins.map((x) => rank.get(x) ?? 0)));
        break;
      }
      case 'Relu6': {
        // MobileNetV3's hard-swish / hard-sigmoid (x * relu6(x + 3) / 6): tfjs keeps Relu6 as one op.
        pushClip(n.name, valueName(ins[0]), out, 0, 6);
        rank.set(n.name, rank.get(ins[0]) ?? 4);
        break;
      }
      case 'Relu':
      case 'Sigmoid': {
        if (!absorbed.has(n.name)) nodes.push({ op: n.op, name: n.name, inputs: [valueName(ins[0])], outputs: [out] });
        rank.set(n.name, rank.get(ins[0]) ?? 4);
        break;
      }
      case 'Mean': {
        const axes = constOf(ins[1]);
        if (!axes) throw invalidParameter(`axes of ${n.name}`, 'a constant', ins[1]);
        const r = rank.get(ins[0]) ?? 4;
        const mapped = Array.from(axes.data, (a) => (r === 4 ? NHWC_TO_NCHW_AXIS[(a + 4) % 4] : a));
        const keep = n.attr?.keep_dims?.b ? 1 : 0;
        nodes.push({ op: 'ReduceMean', name: n.name, inputs: [valueName(ins[0])], outputs: [out], attrs: { axes: mapped, keepdims: keep } });
        rank.set(n.name, keep ? r : r - mapped.length);
        break;
      }
      default:
        throw invalidParameter(`op of ${n.name}`, 'one of Conv2D, PReLU, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative, Add, Mul, Sub, Relu, Relu6, Minimum, Maximum, Mean, Sigmoid, MaxPool, Pad, Reshape, Identity', n.op);
    }
  }
  // The graph input feeds the first consumer under its tfjs name; rename it.
  const placeholder = order.find((n) => n.op === 'Placeholder');
  if (!placeholder) throw invalidParameter('graph', 'a Placeholder input', 'none');
  for (const node of nodes) node.inputs = node.inputs.map((i) => (i === placeholder.name ? inputName : i));
  const outInfo = outNodes.map((n, k) => {
    const outShape: Array<number | string> = ['batch'];
    for (let i = 1; i < (rank.get(n.name) ?? 2); i++) outShape.push(`d${i}`);
    return { name: outNames[k], shape: outShape };
  });
  return {
    name: 'converted',
    nodes,
    initializers: inits,
    inputs: [{ name: inputName, shape: ['batch', ...inputShape.slice(1)] }],
    outputs: outInfo,
  };
}
