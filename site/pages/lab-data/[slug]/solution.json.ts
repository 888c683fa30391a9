import type { APIRoute } from 'astro';
import { solution } from '../../../lib/workbench/lab-data.ts';
import { json, labPaths } from '../../../lib/workbench/lab-endpoints.ts';

export const getStaticPaths = labPaths;
export const GET: APIRoute = ({ params }) => json(solution(params.slug!));
