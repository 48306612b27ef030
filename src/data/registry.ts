// Adapter registry: maps the name in a dataset spec ('ferplus', 'sfew', ...) to the code that reads that layout.
import type { ParsedSpec } from './spec.js';
import type { Dataset, Split } from './types.js';

/** What openDataset passes an adapter, on top of the parsed spec. */
export interface OpenOptions {
  /** Split to keep (overrides the spec's split word); undefined keeps every split. */
  split?: Split;
  /** Extra key=value arguments, merged over the spec's (e.g. { mode: 'plurality' }). */
  args?: Record<string, string>;
  /** Check that every image file exists (stat); default true. Missing files are skipped with a reason. */
  checkFiles?: boolean;
}

export interface AdapterContext {
  spec: ParsedSpec;
  checkFiles: boolean;
}

export interface Adapter {
  name: string;
  /** One line for help texts: the layout it reads. */
  summary: string;
  /** Spec arguments it understands, for help and for rejecting typos. */
  args?: Record<string, string>;
  /** Alternative label modes (e.g. FER+ majority/plurality/probability) that `cafe data inspect` compares. */
  labelModes?: string[];
  open(ctx: AdapterContext): Promise<Omit<Dataset, 'spec' | 'name'>>;
}

const adapters = new Map<string, Adapter>();

export function registerAdapter(adapter: Adapter, ...aliases: string[]): void {
  for (const n of [adapter.name, ...aliases]) adapters.set(n, adapter);
}

export function getAdapter(name: string): Adapter | undefined {
  return adapters.get(name);
}

export function adapterNames(): string[] {
  return [...adapters.keys()].sort();
}
