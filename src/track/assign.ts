// Box matching for the tracker: IoU between boxes and an optimal one-to-one assignment (Hungarian / Kuhn-Munkres
// with potentials, O(n^2 m)). Platform-free, no dependencies: a frame has a handful of faces, so the cubic cost is
// nothing next to one detector call, and optimal matching keeps ids where greedy matching swaps two close faces.
import type { FaceBox } from '../detect/types.js';

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Minimum-cost assignment of rows to columns of `cost` ([rows][cols], any shape). Returns, per row, the column it
 * got or -1 (more rows than columns). Every finite cost is allowed; callers drop pairs they consider no match.
 */
export function assignMinCost(cost: number[][]): number[] {
  const n = cost.length;
  const m = n ? cost[0].length : 0;
  if (n === 0) return [];
  if (m === 0) return new Array(n).fill(-1);
  // The algorithm wants rows <= cols: transpose when needed.
  if (n > m) {
    const t = Array.from({ length: m }, (_, j) => cost.map((row) => row[j]));
    const colOfRowT = assignMinCost(t); // per column of `cost`: its row
    const out = new Array(n).fill(-1);
    colOfRowT.forEach((i, j) => {
      if (i >= 0) out[i] = j;
    });
    return out;
  }
  // e-maxx formulation, 1-based: u/v potentials, p[j] = row matched to column j, way[j] = previous column on the path.
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(INF);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out = new Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) out[p[j] - 1] = j - 1;
  return out;
}
