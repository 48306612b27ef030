// Band pooling of a mid-level feature map, appended to a converted graph (#11 lever 7: other frozen features).
// Why: faceres' descriptor (global_pooling/Mean of its last 7 x 7 map) is made for identity and averages the whole
// face into one vector; an expression lives in where things are (brows lowered, mouth corners up). The last 14 x 14
// map (conv_pw_11) mean-pooled over three horizontal bands of the crop (forehead and brows / eyes and nose / mouth
// and chin) keeps that "where" at the cost of 3 x 512 numbers. Chosen over the 7 x 7 map's bands or grid and over
// earlier 14 x 14 maps by a linear probe's FER+ valid accuracy; the measured rows are lever-faceresbands* in
// bench/results/cafe-table.md.
//
// The pooling is ONNX (Slice + ReduceMean + Concat) inside the encoder's own graph, so every place that runs the
// encoder (Node, the browser, workers) gets the same feature from one pass and one output, with no JS post-step.
import { invalidParameter } from '../errors.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-writer.js';

export interface BandPooling {
  /** The graph's value holding the pooled descriptor [N, Dg] (kept first in the output). */
  global: string;
  /** The graph's value holding the map [N, C, H, W] to pool. */
  map: string;
  /** Rows of the map, H. */
  height: number;
  /** Band edges as row indices: [0, 5, 10, 14] = three bands, rows 0-4, 5-9, 10-13. */
  edges: number[];
  /** Name of the single output: [N, Dg + bands * C]. */
  output: string;
}

/** The default bands of a 14-row map: edges at 5 and 10 rows (~0.36 and ~0.71 of the crop's height). */
export const BAND_EDGES_14 = [0, 5, 10, 14];

/**
 * Returns `g` with the band pooling appended and `pool.output` as its only output. `g` must output `pool.global` and
 * `pool.map` (as tfjsToOnnx does when asked for both nodes); they become internal values.
 */
export function appendBandPooling(g: OnnxGraph, pool: BandPooling): OnnxGraph {
  const { edges, height } = pool;
  const names = g.outputs.map((o) => o.name);
  for (const v of [pool.global, pool.map]) if (!names.includes(v)) throw invalidParameter('band pooling input', `an output of the graph (${names.join(', ')})`, v);
  const ok = edges.length >= 2 && edges[0] === 0 && edges[edges.length - 1] === height && edges.every((e, i) => Number.isInteger(e) && (i === 0 || e > edges[i - 1]));
  if (!ok) throw invalidParameter('band edges', `increasing integers from 0 to the map's height ${height}`, edges);
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const i64 = (name: string, v: number[]) => {
    inits.push({ name, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
    return name;
  };
  const axisH = i64('bands/axis_h', [2]);
  const bands: string[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const slice = `bands/${k}/rows`;
    nodes.push({ op: 'Slice', name: slice, inputs: [pool.map, i64(`bands/${k}/start`, [edges[k]]), i64(`bands/${k}/end`, [edges[k + 1]]), axisH], outputs: [slice] }); // [N, C, h_k, W]
    const mean = `bands/${k}/mean`;
    nodes.push({ op: 'ReduceMean', name: mean, inputs: [slice], outputs: [mean], attrs: { axes: [2, 3], keepdims: 0 } }); // [N, C]
    bands.push(mean);
  }
  nodes.push({ op: 'Concat', name: 'bands/concat', inputs: [pool.global, ...bands], outputs: [pool.output], attrs: { axis: 1 } }); // [N, Dg + bands * C]
  return {
    ...g,
    nodes: [...g.nodes, ...nodes],
    initializers: [...g.initializers, ...inits],
    outputs: [{ name: pool.output, shape: ['batch', 'features'] }],
  };
}
