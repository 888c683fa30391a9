import type { APIRoute } from 'astro';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';
import { serverSafeModules } from '../_server-safe.ts';

// What the course server serves in place of visible.json while it grades: no reference code.
export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(serverSafeModules(params.slug!));
