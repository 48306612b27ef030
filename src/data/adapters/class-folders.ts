// Class-per-folder datasets: SFEW 2.0 (`Train/<Class>/`, `Val/<Class>/`), MMA facial expression (`train|valid|test/
// <class>/`), CK+48 and any user folder. Folder names are mapped by synonyms (src/data/label-names.ts): Angry/anger,
// Happy/happiness, Sad/sadness, Surprise/surprised, Fear/fearful, Disgust/disgusted, Neutral. A contempt folder is
// outside the 7 classes: its images are skipped and counted. A folder naming no expression is skipped with a note.
//
// Layouts accepted at PATH:
//   PATH/<split>/<class>/*.img   split folders named train/training, val/valid/validation, test (any case)
//   PATH/<class>/*.img           one split; if PATH's own name is a split word (e.g. SFEW's .../Val) it gives the split
//   PATH/**/*.img                no class folders ('folder:' only): unlabelled items
import { basename, join } from 'node:path';
import { registerAdapter, type AdapterContext } from '../registry.js';
import { listDir, listImages, listImagesRecursive, requireDirectory } from '../fs-scan.js';
import { nameClass } from '../label-names.js';
import { splitFromWord } from '../spec.js';
import type { DatasetItem, Split } from '../types.js';
import { invalidParameter } from '../../errors.js';

export interface FolderRead {
  items: DatasetItem[];
  skipped: Array<{ id: string; reason: string }>;
  notes: string[];
}

/** Reads `dir/<class>/*` into items; ids are `<prefix><class>/<file>`. */
export async function readClassDirs(dir: string, prefix: string, split: Split | undefined, out: FolderRead): Promise<number> {
  let classDirs = 0;
  for (const e of await listDir(dir)) {
    if (!e.dir) continue;
    const named = nameClass(e.name);
    const files = await listImages(join(dir, e.name));
    if (named.kind !== 'expression') {
      const why = named.kind === 'contempt' ? 'contempt (outside the 7 classes)' : `folder '${e.name}' names no expression`;
      for (const f of files) out.skipped.push({ id: `${prefix}${e.name}/${f}`, reason: why });
      if (named.kind === 'unknown') out.notes.push(`ignored folder ${join(dir, e.name)}: not an expression name`);
      continue;
    }
    classDirs++;
    for (const f of files) {
      out.items.push({ id: `${prefix}${e.name}/${f}`, source: { kind: 'file', path: join(dir, e.name, f) }, label: named.expression, ...(split ? { split } : {}) });
    }
  }
  return classDirs;
}

/** Reads any of the layouts above. `allowUnlabelled` lets 'folder:' fall back to a flat unlabelled scan. */
export async function readFolderDataset(ctx: AdapterContext, allowUnlabelled: boolean): Promise<FolderRead> {
  const root = ctx.spec.path;
  await requireDirectory(root, `${ctx.spec.adapter} dataset`);
  const out: FolderRead = { items: [], skipped: [], notes: [] };
  const subdirs = (await listDir(root)).filter((e) => e.dir);
  const splitDirs = subdirs.filter((e) => splitFromWord(e.name) !== undefined);
  if (splitDirs.length > 0) {
    for (const e of splitDirs) {
      const split = splitFromWord(e.name)!;
      if (ctx.spec.split && ctx.spec.split !== split) continue;
      await readClassDirs(join(root, e.name), `${e.name}/`, split, out);
    }
    out.notes.push(`splits from folders: ${splitDirs.map((e) => `${e.name} -> ${splitFromWord(e.name)}`).join(', ')}`);
    return out;
  }
  const ownSplit = splitFromWord(basename(root));
  const n = await readClassDirs(root, '', ownSplit, out);
  if (n > 0 || out.skipped.length > 0) {
    if (ownSplit) out.notes.push(`split '${ownSplit}' from the folder name ${basename(root)}`);
    return out;
  }
  if (!allowUnlabelled) throw invalidParameter(`${ctx.spec.adapter} PATH`, 'a folder of class folders (Angry/, Happy/, ...) or of split folders', root);
  for (const rel of await listImagesRecursive(root)) out.items.push({ id: rel, source: { kind: 'file', path: join(root, rel) } });
  out.notes.push('no class folders: items are unlabelled');
  return out;
}

const folderArgs = (ctx: AdapterContext): void => {
  for (const k of Object.keys(ctx.spec.args)) throw invalidParameter(`${ctx.spec.adapter} spec argument '${k}'`, 'none', ctx.spec.args[k]);
};

registerAdapter({
  name: 'folder',
  summary: 'any folder: [split/]class/*.img with class names mapped by synonyms, or unlabelled images',
  async open(ctx) {
    folderArgs(ctx);
    return readFolderDataset(ctx, true);
  },
});

registerAdapter({
  name: 'sfew',
  summary: 'SFEW 2.0 aligned faces: PATH/{Train,Val}/<Class>/*.png, or PATH = one of those folders',
  async open(ctx) {
    folderArgs(ctx);
    const r = await readFolderDataset(ctx, false);
    r.notes.push('SFEW 2.0: classes Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise; Val is the usual test set');
    return r;
  },
});

registerAdapter({
  name: 'mma',
  summary: 'MMA facial expression: PATH/{train,valid,test}/<class>/*.jpg',
  async open(ctx) {
    folderArgs(ctx);
    return readFolderDataset(ctx, false);
  },
});
