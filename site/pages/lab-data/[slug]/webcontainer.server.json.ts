import type { APIRoute } from 'astro';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';
import { serverSafeContainerTree } from '../_server-safe.ts';

// What the course server serves in place of webcontainer.json while it grades: starters and the
// visible suite, no reference code and no hidden suite.
export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(serverSafeContainerTree(params.slug!));
