// Types for scripts/build-browser.mjs (imported by the browser test and bench/browser.ts).
export declare const WASM_FILES: Array<[pkg: string, file: string]>;
export declare function buildBrowser(options?: { out?: string; minified?: boolean }): Promise<{ file: string; bytes: number; inputs: string[] }>;
