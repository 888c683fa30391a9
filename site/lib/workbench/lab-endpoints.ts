/**
 * Shared by the static endpoints under pages/lab-data/: one path per lab that exists, and JSON
 * responses. These files are the workbench's data: the editor's workspace, the worker runner's
 * module maps (visible and hidden apart, so the course server can withhold the hidden one), the
 * solution, and the WebContainer tree.
 */
import { LAB_SLUGS } from '../course-map.ts';
import { labExists } from './lab-data.ts';

export function labPaths(): Array<{ params: { slug: string } }> {
  return LAB_SLUGS.filter(labExists).map((slug) => ({ params: { slug } }));
}

export function json(value: unknown): Response {
  return new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json; charset=utf-8' } });
}
