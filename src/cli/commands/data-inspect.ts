import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { getAdapter, openDataset, parseSpec } from '../../data/index.js';
import { countClasses, formatClassTable, markdownTable, reasonCounts, scanImages, type ScanReport } from '../../data/inspect.js';
import type { Dataset } from '../../data/types.js';

const USAGE = `Usage: cafe data inspect <spec> [--no-pixels] [--json] [--examples N] [--quiet]

Counts items per class and split, lists what the adapter skipped (out-of-space labels such as contempt, missing
files, ...) and scans every image (zero-byte, unreadable, all-black, duplicate files, size histogram) with a progress
bar on stderr. For datasets with several label modes (FERPlus: majority, plurality, probability) and no mode= in the
spec, counts are shown under every mode.

Specs: ferplus:PATH[:train|valid|test][:mode=majority|plurality|probability]   fer2013:PATH
       rafdb:PATH[:train|test]   affectnet:PATH[:train|test]   sfew:PATH[/Val]   mma:PATH   expw:PATH
       ckplus:PATH[:train|test][:testFraction=0.2][:seed=0][:fold=i/k]   jaffe:PATH   kdef:PATH[:angles=S]
       csv:FILE.csv   folder:PATH

Options:
  --no-pixels    skip the image scan (counts only)
  --json         print one JSON object instead of text
  --examples N   how many example ids to list per problem (default 10)
  --quiet        no progress bar`;

function reasonsTable(skipped: Array<{ id: string; reason: string }>, examples: number): string {
  const counts = reasonCounts(skipped);
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => [reason, String(n), skipped.filter((s) => s.reason === reason).slice(0, Math.min(examples, 3)).map((s) => s.id).join(' ')]);
  return rows.length ? markdownTable(['reason', 'items', 'e.g.'], rows) : 'none';
}

function scanText(scan: ScanReport, examples: number): string[] {
  const out: string[] = [];
  const sizes = Object.entries(scan.sizes).sort((a, b) => b[1] - a[1]);
  out.push(`## Image scan: ${scan.scanned} images in ${scan.seconds.toFixed(1)} s`, '');
  out.push('Image sizes (WxH):', '', markdownTable(['size', 'images'], sizes.slice(0, 12).map(([k, v]) => [k, String(v)])));
  if (sizes.length > 12) out.push(`... and ${sizes.length - 12} other sizes (${sizes.slice(12).reduce((a, [, v]) => a + v, 0)} images)`);
  out.push('', 'Formats:', '', markdownTable(['format', 'images'], Object.entries(scan.formats).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, String(v)])), '');
  const kinds = ['zero-byte', 'unreadable', 'all-black'] as const;
  out.push('Problems (a loader skips these items):', '');
  out.push(markdownTable(['problem', 'items'], kinds.map((k) => [k, String(scan.problems.filter((p) => p.kind === k).length)])));
  for (const p of scan.problems.slice(0, examples)) out.push(`  skipped ${p.id}: ${p.kind} (${p.detail})`);
  if (scan.problems.length > examples) out.push(`  ... ${scan.problems.length - examples} more`);
  const dupFiles = scan.duplicates.reduce((a, g) => a + g.length, 0);
  out.push('', `Duplicate files (byte-identical, reported not skipped): ${scan.duplicates.length} group(s), ${dupFiles} files`);
  for (const g of scan.duplicates.slice(0, examples)) out.push(`  ${g.join(' = ')}`);
  if (scan.duplicates.length > examples) out.push(`  ... ${scan.duplicates.length - examples} more group(s)`);
  return out;
}

export const dataInspect: Command = {
  name: ['data', 'inspect'],
  summary: 'counts per class and split, skipped items and image problems of a dataset spec',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'no-pixels': { type: 'boolean' }, json: { type: 'boolean' }, examples: { type: 'string', default: '10' }, quiet: { type: 'boolean' } },
    });
    if (positionals.length !== 1) {
      console.error(USAGE);
      return 2;
    }
    const spec = positionals[0];
    const examples = Math.max(0, Number(values.examples) || 0);
    const dataset = await openDataset(spec);
    const adapter = getAdapter(dataset.name);
    const modes: Array<{ mode: string; dataset: Dataset }> = [];
    if (adapter?.labelModes && parseSpec(spec).args.mode === undefined) {
      for (const mode of adapter.labelModes) modes.push({ mode, dataset: await openDataset(spec, { args: { mode } }) });
    }
    // Scan the union of every mode's items, so images one mode drops are checked too.
    const union = new Map(dataset.items.map((it) => [it.id, it]));
    for (const m of modes) for (const it of m.dataset.items) if (!union.has(it.id)) union.set(it.id, it);
    const scanTarget = { ...dataset, items: [...union.values()] };
    const scan = values['no-pixels'] ? undefined : await scanImages(scanTarget, { progress: !values.quiet });
    const scanProblems = new Set(scan?.problems.map((p) => p.id));
    const counts = countClasses(dataset.items);
    const scanSkipped = dataset.items.filter((it) => scanProblems.has(it.id)).length;
    if (values.json) {
      console.log(JSON.stringify({
        spec: dataset.spec, adapter: dataset.name, notes: dataset.notes, items: dataset.items.length, ...counts,
        labelModes: modes.map((m) => ({ mode: m.mode, items: m.dataset.items.length, ...countClasses(m.dataset.items), skipped: reasonCounts(m.dataset.skipped) })),
        skipped: reasonCounts(dataset.skipped), skippedItems: dataset.skipped, scan,
      }, null, 2));
      return 0;
    }
    const out: string[] = [`# cafe data inspect ${dataset.spec}`, ''];
    for (const n of dataset.notes) out.push(`- ${n}`);
    if (modes.length === 0) out.push('', `## Items per class and split (${dataset.items.length} items)`, '', formatClassTable(counts));
    else out.push('', `Label modes compared below; the default (${String(parseSpec(dataset.spec).args.mode ?? adapter!.labelModes![0])}) is what a loader uses without mode=.`);
    if (counts.subjectsInSeveralSplits) out.push('', `Subjects in more than one split: ${counts.subjectsInSeveralSplits.length ? counts.subjectsInSeveralSplits.join(', ') : 'none'}`);
    for (const m of modes) {
      out.push('', `## Label mode ${m.mode}: ${m.dataset.items.length} items`, '', formatClassTable(countClasses(m.dataset.items)), '', 'Dropped by this mode:', '', reasonsTable(m.dataset.skipped, examples));
    }
    out.push('', `## Skipped while reading the labels (${dataset.skipped.length})`, '', reasonsTable(dataset.skipped, examples));
    if (scan) out.push('', ...scanText(scan, examples).map((l, i) => (i === 0 && modes.length ? `${l} (every item kept by any label mode)` : l)));
    out.push('', '## Summary', '', `${dataset.items.length} usable items by the labels; ${dataset.skipped.length} skipped while reading (${Object.entries(reasonCounts(dataset.skipped)).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})` +
      (scan ? `; ${scanSkipped} more skipped by the image scan (${scan.problems.map((p) => p.kind).filter((k, i, a) => a.indexOf(k) === i).map((k) => `${scan.problems.filter((p) => p.kind === k).length} ${k}`).join(', ') || 'none'}) -> ${dataset.items.length - scanSkipped} loadable` : ''));
    if (modes.length) out.push(`(counts in this summary are for the default label mode; the tables above give every mode)`);
    console.log(out.join('\n'));
    return 0;
  },
};
