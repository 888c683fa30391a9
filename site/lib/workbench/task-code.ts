/**
 * Where a task's code is in the learner's files: the `// #region lab <slug>/<task>` block, found
 * with the same parser the grader and the starter maker use, in the file as the learner has it now
 * (so lines added above the region move it).
 */
import { parseRegions } from '../../../labs/kit/regions.ts';
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type TaskCodePlace = { path: string; line: number; endLine: number } | { problem: string };

export function taskCodePlace(files: Record<string, string>, lab: string, task: number, t: WorkbenchStrings = WORKBENCH_EN): TaskCodePlace {
  const damaged: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    let regions;
    try {
      regions = parseRegions(text, path);
    } catch (error) {
      damaged.push((error as Error).message);
      continue;
    }
    const region = regions.find((r) => r.slug === lab && r.task === task);
    if (region) return { path, line: region.startLine, endLine: region.endLine };
  }
  if (damaged.length > 0) return { problem: t.regionUnreadable(task, damaged[0]) };
  return { problem: t.regionMissing(task, lab, Object.keys(files).length > 1) };
}
