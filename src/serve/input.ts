// A request's images as bytes, from the three ways a client can send them: a raw image/* body, multipart/form-data
// file parts (@fastify/multipart, limits enforced while streaming), or JSON with base64 strings. Nothing here
// decodes pixels or fetches anything: a URL where base64 belongs is refused (no server-side requests, no SSRF).
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

export interface NamedImage {
  /** How errors name it: 'body', "part 'photo.jpg'", 'images[2]'. */
  name: string;
  bytes: Uint8Array;
  /** Set when this image is unusable (bad base64, too large): it fails its own slot, the others go on. */
  error?: HttpError;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:[a-z0-9.+/-]*;base64,/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Base64 (optionally a data: URL) -> bytes; 400 naming `name` for anything else. */
export function decodeBase64(s: string, name: string): Uint8Array {
  if (URL_LIKE.test(s)) throw new HttpError(400, 'CAFE_URL_NOT_FETCHED', `${name}: looks like a URL; this server never fetches URLs, send the image itself as base64`);
  const b64 = s.replace(DATA_URL, '').replace(/\s+/g, '');
  if (b64.length === 0) throw new HttpError(400, 'CAFE_IMAGE_EMPTY', `${name}: empty base64 string`);
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
    throw new HttpError(400, 'CAFE_BASE64', `${name}: not valid base64 (${b64.length % 4 !== 0 ? `length ${b64.length} is not a multiple of 4` : 'characters outside A-Z a-z 0-9 + / ='})`);
  }
  const buf = Buffer.from(b64, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export interface ImageLimits {
  /** Most images accepted. */
  maxImages: number;
  /** Largest image in bytes (decoded from base64 or as uploaded). */
  maxBytes: number;
}

function tooBig(name: string, n: number, max: number): HttpError {
  return new HttpError(413, 'CAFE_BODY_TOO_LARGE', `${name}: ${n} bytes, above the limit of ${max} (maxBodyBytes)`);
}

/** The images of a request, in order (JSON: an unusable entry carries its error). Multipart reads file parts whatever their field name; form fields are ignored. */
export async function readImages(req: FastifyRequest, limits: ImageLimits): Promise<NamedImage[]> {
  if (req.isMultipart()) {
    const out: NamedImage[] = [];
    try {
      for await (const part of req.parts({ limits: { fileSize: limits.maxBytes, files: limits.maxImages, fields: 16, fieldSize: 1024, parts: limits.maxImages + 16 } })) {
        if (part.type !== 'file') continue;
        const bytes = await part.toBuffer();
        out.push({ name: `part '${part.filename || part.fieldname}'`, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
      }
    } catch (err) {
      const e = err as Error & { statusCode?: number; code?: string };
      if (e instanceof HttpError) throw e;
      if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'CAFE_BODY_TOO_LARGE', `a multipart file is larger than ${limits.maxBytes} bytes (maxBodyBytes)`);
      if (e.code === 'FST_FILES_LIMIT') throw new HttpError(413, 'CAFE_TOO_MANY_IMAGES', `more than ${limits.maxImages} files in the form`);
      // busboy's own errors (no boundary, truncated form, bad headers) carry no status: they are the client's.
      throw new HttpError(e.statusCode && e.statusCode < 500 ? e.statusCode : 400, 'CAFE_MULTIPART', `malformed multipart/form-data (${e.message})`);
    }
    if (out.length === 0) throw new HttpError(400, 'CAFE_NO_IMAGE', 'the form has no file part: send the image as a file field (e.g. curl -F image=@photo.jpg)');
    return out;
  }
  const body = req.body;
  if (body instanceof Uint8Array) return [{ name: 'body', bytes: body }];
  if (body && typeof body === 'object') {
    const { image, images } = body as { image?: string; images?: string[] };
    const list = images ?? (image === undefined ? [] : [image]);
    if (list.length === 0) throw new HttpError(400, 'CAFE_NO_IMAGE', 'the JSON body has no image: send { "image": "<base64>" }');
    if (list.length > limits.maxImages) throw new HttpError(413, 'CAFE_TOO_MANY_IMAGES', `${list.length} images, above the limit of ${limits.maxImages} per request`);
    return list.map((s, i): NamedImage => {
      const name = images ? `images[${i}]` : 'image';
      try {
        const bytes = decodeBase64(s, name);
        if (bytes.length > limits.maxBytes) throw tooBig(name, bytes.length, limits.maxBytes);
        return { name, bytes };
      } catch (err) {
        return { name, bytes: new Uint8Array(0), error: err as HttpError };
      }
    });
  }
  throw new HttpError(400, 'CAFE_NO_IMAGE', 'no image in the request: send image/* bytes, multipart/form-data with a file, or JSON { "image": "<base64>" }');
}
