// A minimal ONNX (protobuf) writer: enough of onnx.proto to emit inference graphs (nodes, float/int64
// initializers, typed inputs/outputs). Hand-written so that neither the tfjs->ONNX conversion of faceres nor the
// test suite's tiny CLIP stand-in needs protobufjs or python. Field numbers are those of onnx/onnx.proto (IR 8).

/** ONNX TensorProto.DataType values used here. */
export const DType = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10 } as const;

export type AttrValue = number | string | number[] | { ints: number[] } | { floats: number[] } | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Plain numbers are written as INT when integral, FLOAT otherwise; use {float: 1} to force FLOAT. */
  attrs?: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** FLOAT -> Float32Array, INT64 -> BigInt64Array, INT32 -> Int32Array. */
  data: Float32Array | BigInt64Array | Int32Array | Uint16Array; // Uint16Array = FLOAT16 bit patterns
}

export interface OnnxValueInfo {
  name: string;
  elemType?: number; // default FLOAT
  /** Numbers are fixed sizes; strings are symbolic (e.g. 'batch'). */
  shape: Array<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Default opset 13: Clip takes min/max as inputs, ReduceMean still takes axes as an attribute. */
  opset?: number;
  producer?: string;
  docString?: string;
}

/** Growable byte buffer with protobuf primitives. */
class PbWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  varint(v: number | bigint): void {
    // Negative int64 values are encoded as 10-byte two's complement, as protobuf requires.
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }

  message(field: number, build: (w: PbWriter) => void): void {
    const inner = new PbWriter();
    build(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function writeTensor(w: PbWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  const type = t.data instanceof Float32Array ? DType.FLOAT : t.data instanceof BigInt64Array ? DType.INT64 : t.data instanceof Uint16Array ? DType.FLOAT16 : DType.INT32;
  w.int(2, type);
  w.string(8, t.name);
  // raw_data is little-endian; typed arrays on x64/arm64 already are.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeAttr(w: PbWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  if (typeof v === 'string') {
    w.bytes(4, new TextEncoder().encode(v));
    w.int(20, 3); // STRING
  } else if (typeof v === 'number') {
    if (Number.isInteger(v)) {
      w.int(3, v);
      w.int(20, 2); // INT
    } else {
      w.float(2, v);
      w.int(20, 1); // FLOAT
    }
  } else if (Array.isArray(v) || 'ints' in v) {
    for (const i of Array.isArray(v) ? v : v.ints) w.int(8, i);
    w.int(20, 7); // INTS
  } else if ('floats' in v) {
    for (const f of v.floats) w.float(7, f);
    w.int(20, 6); // FLOATS
  } else {
    w.float(2, v.float);
    w.int(20, 1);
  }
}

function writeValueInfo(w: PbWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType ?? DType.FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** Serialises a graph as an ONNX ModelProto. */
export function encodeOnnxModel(g: OnnxGraph): Uint8Array {
  const w = new PbWriter();
  w.int(1, 8); // ir_version 8 (onnx 1.13+); onnxruntime 1.30 reads it
  w.string(2, g.producer ?? 'cafe');
  w.message(7, (graph) => {
    g.nodes.forEach((n, i) =>
      graph.message(1, (node) => {
        for (const x of n.inputs) node.string(1, x);
        for (const y of n.outputs) node.string(2, y);
        node.string(3, n.name ?? `${n.op}_${i}`);
        node.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, (a) => writeAttr(a, k, v));
      }),
    );
    graph.string(2, g.name);
    for (const t of g.initializers) graph.message(5, (tw) => writeTensor(tw, t));
    if (g.docString) graph.string(10, g.docString);
    for (const v of g.inputs) graph.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of g.outputs) graph.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, g.opset ?? 13);
  });
  return w.finish();
}
