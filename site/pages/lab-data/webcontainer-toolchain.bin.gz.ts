import type { APIRoute } from 'astro';
import { existsSync, readFileSync } from 'node:fs';
import { toolchainSnapshotPath } from '../../lib/workbench/lab-data.ts';

// The in-container test toolchain (node_modules of vitest 4 + vite 7 + esbuild-wasm +
// @rollup/wasm-node) as a gzipped @webcontainer/snapshot, made by
// site/scripts/webcontainer-toolchain.ts before the build. Empty when it was not made;
// runtime.json then tells the page not to try a WebContainer.
export const GET: APIRoute = () => {
  const path = toolchainSnapshotPath();
  const body = existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0);
  return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
};
