import type { APIRoute } from 'astro';
import { readRepoFile } from '../../lib/workbench/lab-data.ts';

// The compiler the worker runner uses for the learner's files, loaded by the worker only when
// that runner is active (never on chapter pages).
export const GET: APIRoute = () =>
  new Response(readRepoFile('node_modules/typescript/lib/typescript.js'), { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
