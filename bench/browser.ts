// The browser build against Node on real photos, in one run: the same model (default: the shipped one) through
// headless Chromium (onnxruntime-web for the detector and the model, the browser decoding each JPEG from its URL)
// and through Node (onnxruntime-node, sharp), on photos/sfew-frames (105 raw movie frames) and photos/faceapi-examples.
// Reports photos/s for each, per-photo agreement (faces found, top label of every face, max probability difference)
// and accuracy on the frames (largest face per frame; no face = wrong). Browser runs: 1 thread, and 2 threads on a
// cross-origin-isolated page (wasm threads need SharedArrayBuffer).
// --baseline REF: also the browser build of git commit REF (its src/ and scripts/, bundled the same way), on the same
// pages in the same run, interleaved with this build: the before/after ratio that load on a shared machine does not
// distort.
// Run: node --import tsx bench/browser.ts [--out bench/results/browser] [--model DIR] [--datasets DIR] [--baseline REF]
// (datasets: --datasets, else $CAFE_DATASETS, else ../shared/datasets beside the repository)
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EXPRESSIONS, type Expression } from '../src/labels.js';
import { createRecognizer, type Recognition } from '../src/recognizer/index.js';
import { packageDir } from '../src/runtime/node-packages.js';
import { packageRoot } from '../src/util/package-root.js';
import { writeAtomic } from '../src/util/atomic.js';
import { datasetsHint, datasetsRoot } from '../src/util/datasets.js';
import { buildBrowser } from '../scripts/build-browser.mjs';
import { NO_CHROMIUM, runPage } from '../test/browser/harness.js';

const args = process.argv.slice(2);
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/results/browser';
const ROOT = datasetsRoot(args.includes('--datasets') ? args[args.indexOf('--datasets') + 1] : undefined);
const DATA = join(ROOT, 'photos');
if (!existsSync(DATA) || NO_CHROMIUM) {
  console.error(`skipped: ${!existsSync(DATA) ? `photos is absent; ${datasetsHint(ROOT)}` : NO_CHROMIUM}`);
  process.exit(0);
}
const CLASS: Record<string, Expression> = { Angry: 'anger', Disgust: 'disgust', Fear: 'fear', Happy: 'happiness', Neutral: 'neutral', Sad: 'sadness', Surprise: 'surprise' };
const photos: Array<{ path: string; url: string; label?: Expression }> = [];
for (const cls of readdirSync(join(DATA, 'sfew-frames')).sort()) {
  for (const f of readdirSync(join(DATA, 'sfew-frames', cls)).sort()) if (f.endsWith('.jpg')) photos.push({ path: join(DATA, 'sfew-frames', cls, f), url: `/photos/sfew-frames/${cls}/${f}`, label: CLASS[cls] });
}
const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.(jpe?g|png)$/i.test(e.name) ? [join(dir, e.name)] : []));
for (const p of walk(join(DATA, 'faceapi-examples'))) photos.push({ path: p, url: `/photos/${relative(DATA, p)}` });

type Faces = Recognition['faces'];
interface PageOut { ok: boolean; error?: string; threads: number; isolated: boolean; loadMs: number; seconds: number; faces: Faces[]; build?: string }

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const post = (o) => fetch('/result', { method: 'POST', body: JSON.stringify(o) });
try {
  const cafe = await import(new URLSearchParams(location.search).get('bundle') + 'cafe.mjs');
  const urls = await (await fetch('/list.json')).json();
  const threads = Number(new URLSearchParams(location.search).get('threads'));
  let t = performance.now();
  const fer = await cafe.createRecognizer({ model: '/model/', humanModels: '/human/', threads });
  const loadMs = performance.now() - t;
  await fer.recognize(urls[0]);
  const faces = [];
  t = performance.now();
  for (const u of urls) faces.push((await fer.recognize(u)).faces);
  const seconds = (performance.now() - t) / 1000;
  await fer.dispose();
  await post({ ok: true, threads, isolated: self.crossOriginIsolated, loadMs, seconds, faces });
} catch (e) { await post({ ok: false, error: String((e && e.stack) || e) }); }
</script>`;

const model = args.includes('--model') ? args[args.indexOf('--model') + 1] : join(packageRoot(), 'models', 'cafe-ferplus');
const work = mkdtempSync(join(tmpdir(), 'cafe-bench-browser-'));
const built = await buildBrowser({ out: join(work, 'dist'), minified: true });
const baseline = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined;
let baseRef: string | undefined;
if (baseline) {
  // The baseline's own sources and build script, with this checkout's node_modules.
  baseRef = execSync(`git rev-parse ${baseline}`, { encoding: 'utf8' }).trim();
  const src = join(work, 'baseline');
  execSync(`mkdir -p ${src} && git archive ${baseRef} src scripts package.json | tar -x -C ${src}`);
  symlinkSync(join(packageRoot(), 'node_modules'), join(src, 'node_modules'));
  const { buildBrowser: buildBase } = await import(join(src, 'scripts', 'build-browser.mjs'));
  await buildBase({ out: join(work, 'base'), minified: true });
}
const browserRuns: PageOut[] = [];
for (const [threads, isolate] of [[1, false], [2, true]] as const) {
  const builds = baseline ? (threads === 1 ? ['base', 'dist'] : ['dist', 'base']) : ['dist'];
  for (const b of builds) {
    const { result } = await runPage<PageOut>({
      mounts: { '/dist/': join(work, 'dist'), '/base/': join(work, baseline ? 'base' : 'dist'), '/model/': model, '/human/': join(packageDir('@vladmandic/human'), 'models'), '/photos/': DATA },
      pages: { '/bench.html': PAGE, '/list.json': JSON.stringify(photos.map((p) => p.url)) },
      page: `/bench.html?threads=${threads}&bundle=/${b}/`,
      timeoutMs: 1_200_000,
      isolate,
    });
    if (!result.ok) throw new Error(`browser run failed: ${result.error}`);
    result.build = b === 'base' ? `baseline ${baseRef!.slice(0, 7)}` : undefined;
    browserRuns.push(result);
    console.error(`browser${b === 'base' ? ' (baseline)' : ''}, ${threads} thread(s): ${(photos.length / result.seconds).toFixed(2)} photos/s`);
  }
}
rmSync(work, { recursive: true, force: true });

const fer = await createRecognizer({ model });
let t = performance.now();
await fer.recognize(photos[0].path);
const nodeFaces: Faces[] = [];
t = performance.now();
for (const p of photos) nodeFaces.push((await fer.recognize(p.path)).faces);
const nodeSeconds = (performance.now() - t) / 1000;
await fer.dispose();

const largest = (fs: Faces) => (fs.length ? fs.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a)).label : null);
const frames = photos.map((p, i) => ({ p, i })).filter(({ p }) => p.label);
const accuracy = (all: Faces[]) => frames.filter(({ p, i }) => largest(all[i]) === p.label).length / frames.length;
function agreement(web: Faces[]) {
  let sameCount = 0;
  let sameLabels = 0;
  let maxDiff = 0;
  photos.forEach((_, i) => {
    const a = web[i];
    const b = nodeFaces[i];
    if (a.length !== b.length) return;
    sameCount++;
    if (a.every((f, k) => f.label === b[k].label)) sameLabels++;
    a.forEach((f, k) => EXPRESSIONS.forEach((e) => (maxDiff = Math.max(maxDiff, Math.abs(f.scores[e] - b[k].scores[e])))));
  });
  return { sameFaceCount: sameCount, sameLabels, maxProbDiff: maxDiff };
}

const nFaces = (all: Faces[]) => all.reduce((a, f) => a + f.length, 0);
const rows = [
  { runtime: 'Node: onnxruntime-node, sharp decoding', photosPerSecond: photos.length / nodeSeconds, faces: nFaces(nodeFaces), framesAccuracy: accuracy(nodeFaces) },
  ...browserRuns.map((r) => ({
    runtime: r.build
      ? `**${r.build}** (detector on tfjs-wasm): Chromium, ${r.threads} thread${r.threads > 1 ? 's' : ''}${r.isolated ? ', cross-origin isolated' : ''}`
      : `Chromium: onnxruntime-web (${r.threads} thread${r.threads > 1 ? 's' : ''}${r.isolated ? ', cross-origin isolated' : ''}), browser decoding`,
    photosPerSecond: photos.length / r.seconds, faces: nFaces(r.faces), framesAccuracy: accuracy(r.faces), loadMs: r.loadMs, ...agreement(r.faces),
  })),
];
// The previous results in the same place (before this run overwrites them), for the before/after line.
let previous: { commit: string; date: string; loadAverage: number[]; rows: Array<{ runtime: string; photosPerSecond: number }> } | undefined;
try {
  previous = JSON.parse(readFileSync(`${OUT}.json`, 'utf8'));
} catch {
  previous = undefined;
}
const commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
const dirty = execSync('git status --porcelain -- src scripts/build-browser.mjs bench/browser.ts models', { encoding: 'utf8' }).trim() !== '';
const command = `node --import tsx bench/browser.ts${args.length ? ' ' + args.join(' ') : ''}`;
const chromium = execSync(`${process.env.CHROMIUM ?? '/usr/bin/chromium'} --version`, { encoding: 'utf8' }).trim();
const result = { command, commit, dirty, baseline: baseRef, date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0]?.model}`, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), chromium, bundleBytes: built.bytes, photos: photos.length, frames: frames.length, rows, previous: previous ? { commit: previous.commit, date: previous.date, loadAverage: previous.loadAverage, photosPerSecond: previous.rows.map((r) => r.photosPerSecond) } : undefined };
const pct = (x: number) => (100 * x).toFixed(1);
const md = [
  '# The browser build against Node, same photos, one run', '',
  `\`${command}\` at \`${commit}\`${dirty ? ' (uncommitted changes)' : ''}, ${result.date}, ${result.machine}, load average ${result.loadAverage.join(' ')}, ${chromium} headless.`, '',
  `${photos.length} photos: ${frames.length} raw SFEW frames (720x576) + ${photos.length - frames.length} from faceapi-examples. Bundle ${(built.bytes / 1e6).toFixed(2)} MB (+ wasm files beside it). Photos/s: warm (one untimed photo first), decode + detect + align + classify, the browser fetching each photo from localhost. Frame accuracy: largest face per frame, no face = wrong. Agreement: photos where the browser found as many faces as Node, and where every face also got Node's label.`, '',
  '| runtime | photos/s | faces | frame accuracy | same face count | same labels | max \\|p diff\\| | model load |', '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.runtime} | ${r.photosPerSecond.toFixed(2)} | ${r.faces} | ${pct(r.framesAccuracy)}% | ${'sameFaceCount' in r ? `${r.sameFaceCount}/${photos.length}` : ''} | ${'sameLabels' in r ? `${r.sameLabels}/${photos.length}` : ''} | ${'maxProbDiff' in r ? r.maxProbDiff.toExponential(1) : ''} | ${'loadMs' in r ? `${(r.loadMs! / 1000).toFixed(1)} s` : ''} |`),
  '',
  ...(baseline
    ? [`Same run, this build vs ${baseRef!.slice(0, 7)} (${baseline}): ${[1, 2].map((t) => {
        const a = rows.find((r) => r.runtime.startsWith('Chromium') && r.runtime.includes(`(${t} thread`));
        const b = rows.find((r) => r.runtime.includes('baseline') && r.runtime.includes(`, ${t} thread`));
        return a && b ? `${t} thread${t > 1 ? 's' : ''} ${b.photosPerSecond.toFixed(2)} -> ${a.photosPerSecond.toFixed(2)} photos/s (${(a.photosPerSecond / b.photosPerSecond).toFixed(2)}x), model load ${(((b as { loadMs?: number }).loadMs ?? 0) / 1000).toFixed(1)} -> ${(((a as { loadMs?: number }).loadMs ?? 0) / 1000).toFixed(1)} s` : '';
      }).join('; ')}.`, '']
    : []),
  ...(previous && previous.rows.length === rows.length
    ? [`Previous results here (\`${previous.commit.slice(0, 7)}\`, ${previous.date}, load average ${previous.loadAverage.join(' ')}): ${previous.rows.map((r, i) => `${r.photosPerSecond.toFixed(2)} -> ${rows[i].photosPerSecond.toFixed(2)} photos/s (${(rows[i].photosPerSecond / r.photosPerSecond).toFixed(2)}x)`).join('; ')}, in table order.`, '']
    : []),
].join('\n');
for (const [ext, text] of [['json', JSON.stringify(result, null, 2) + '\n'], ['md', md]] as const) writeAtomic(`${OUT}.${ext}`, text);
console.log(md);
