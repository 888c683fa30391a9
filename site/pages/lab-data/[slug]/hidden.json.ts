import type { APIRoute } from 'astro';
import { runModules } from '../../../lib/workbench/lab-data.ts';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';

// The course server (site/server) refuses to serve this file while it grades.
export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(runModules(params.slug!, 'hidden'));
