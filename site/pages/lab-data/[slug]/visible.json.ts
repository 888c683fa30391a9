import type { APIRoute } from 'astro';
import { runModules } from '../../../lib/workbench/lab-data.ts';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';

// A static host serves this as built (practice); the course server serves visible.server.json in
// its place while it grades (site/server/lab-data-policy.ts).
export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(runModules(params.slug!, 'visible'));
