// Inputs for the service tests: face-api's sample photos (shipped with an installed dependency), a small generated
// face-free image, a decompression-bomb header, and raw-socket helpers for bodies no fetch() would send.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { packageDir } from '../../src/runtime/node-packages.js';

/** face-api's demo photo n (1..6): group photos, 1920 px wide, several faces. */
export const sample = (n: number) => readFileSync(join(packageDir('@vladmandic/face-api'), 'demo', `sample${n}.jpg`));

/** A small photo with faces: sample 1 cut down (fast to score). */
export async function smallFacePhoto(): Promise<Buffer> {
  return sharp(sample(1)).extract({ left: 300, top: 300, width: 640, height: 400 }).jpeg().toBuffer();
}

/** A face crop (for ?detect=false): 96 x 96 of sample 1's first face region. */
export async function faceCrop(): Promise<Buffer> {
  return sharp(sample(1)).extract({ left: 410, top: 400, width: 210, height: 210 }).resize(96, 96).png().toBuffer();
}

/** A PNG that is only a header declaring width x height: a decompression bomb's first bytes (sharp would try to
 *  allocate width * height * 3 bytes if it decoded it). */
export function pngBombHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

/** Sends raw HTTP over a socket and resolves with what came back (status line parsed) when the server closes or
 *  answers. `writes` are sent `gapMs` apart (a slowly trickling body). */
export function rawRequest(url: string, writes: Array<string | Buffer>, gapMs = 0, waitMs = 20_000): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    let text = '';
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (i >= writes.length || sock.destroyed) return;
      sock.write(writes[i++]);
      timer = setTimeout(next, gapMs);
    };
    const done = () => {
      clearTimeout(timer);
      clearTimeout(guard);
      sock.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    };
    const guard = setTimeout(() => { sock.destroy(); reject(new Error(`no answer within ${waitMs} ms; got: ${text.slice(0, 200)}`)); }, waitMs);
    sock.on('connect', next);
    sock.on('data', (d) => {
      text += d.toString('latin1');
      // A complete response with a body length: done (keep-alive would otherwise hold the socket).
      const m = /content-length: (\d+)/i.exec(text);
      const head = text.indexOf('\r\n\r\n');
      if (m && head >= 0 && text.length >= head + 4 + Number(m[1])) done();
    });
    sock.on('close', done);
    sock.on('error', () => {});
  });
}

// Node's Buffers may sit on a SharedArrayBuffer as far as the DOM types know: fetch and Blob take them all the same.
export const post = (url: string, body: BodyInit | Uint8Array, type?: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: body as BodyInit, headers: { ...(type ? { 'content-type': type } : {}), ...headers } });

export const blobOf = (b: Uint8Array, type?: string) => new Blob([b as Uint8Array<ArrayBuffer>], type ? { type } : {});
