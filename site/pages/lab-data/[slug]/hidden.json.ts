import type { APIRoute } from 'astro';
import { runModules } from '../../../lib/workbench/lab-data.ts';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';

// The course server (site/server) never serves this file while it grades (lab-data-policy.ts).
export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(runModules(params.slug!, 'hidden'));
