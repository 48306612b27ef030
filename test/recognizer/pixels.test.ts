// boundPixels: RGBA / gray frames that need no resize take a plain copy (the webcam page's path, every frame); it
// must give exactly what the scale-1 warp gave before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundPixels } from '../../src/recognizer/pixels.js';
import { scaleMap, warpAffine } from '../../src/detect/warp.js';

test('boundPixels without resize: RGBA and gray -> RGB, identical to the scale-1 warp', () => {
  for (const c of [1, 4] as const) {
    const w = 37;
    const h = 23;
    const data = new Uint8Array(w * h * c).map((_, i) => (i * 97 + 13) % 256);
    const d = boundPixels({ width: w, height: h, channels: c, data }, 64);
    assert.deepEqual([d.width, d.height, d.scale, d.image.channels], [w, h, 1, 3]);
    assert.deepEqual(d.image.data, warpAffine({ width: w, height: h, channels: c, data }, scaleMap(1), w, h).data);
  }
});
