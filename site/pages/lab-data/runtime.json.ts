import type { APIRoute } from 'astro';
import { toolchainSnapshotPath } from '../../lib/workbench/lab-data.ts';
import { existsSync } from 'node:fs';

// What serves this site and what the build holds. A static host (or `astro dev`) returns this
// file as built; the course server (site/server) answers this path itself with `server: true`.
// The page reads it instead of probing /api/health or the toolchain snapshot, so a static host
// never logs a failed request in the console.
export const GET: APIRoute = () =>
  new Response(
    JSON.stringify({
      course: 'tcp-connection-course',
      server: false,
      grading: false,
      workshop: false,
      webcontainerToolchain: existsSync(toolchainSnapshotPath()),
    }),
    { headers: { 'content-type': 'application/json; charset=utf-8' } },
  );
