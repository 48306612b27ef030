// Types for scripts/static-server.mjs.
import type { Server } from 'node:http';
export declare function serveStatic(options?: {
  mounts?: Record<string, string>;
  pages?: Record<string, string | Uint8Array>;
  isolate?: boolean;
  port?: number;
  onPost?: (url: string, body: Buffer) => void;
}): Promise<{ server: Server; port: number }>;
