#!/usr/bin/env node
// Thin launcher: the CLI lives in TypeScript (src/cli); `npm install` builds it into dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(built)) {
  console.error(`cafe: ${built} is missing. Run \`npm install\` (or \`npm run build\`) in ${root} first.`);
  process.exit(2);
}
const { main } = await import(built);
process.exitCode = await main(process.argv.slice(2));
