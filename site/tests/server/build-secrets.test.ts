// What the build writes for the course server to hand out while it grades holds no hidden test
// and no lab region's reference code — and the plain copies, which a static host serves, do
// (so this scan can tell the difference).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseRegions } from '../../../labs/kit/regions.ts';
import { LAB_SLUGS } from '../../lib/course-map.ts';
import { containerTree, labExists, readLab, readRepoFile, runModules, stackFiles } from '../../lib/workbench/lab-data.ts';
import { serverSafeContainerTree, serverSafeModules, stubbedSources } from '../../pages/lab-data/_server-safe.ts';

const labs = LAB_SLUGS.filter(labExists);

/** Every string in a JSON value, joined: module texts and file contents. */
function allText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(allText).join('\n');
  return '';
}

// What a learner may see anyway: every stack file with its regions stubbed, and each lab's
// visible files (tests, helpers, lab.yaml). A secret line is one found in none of these.
const public_ = [
  ...stackFiles().map((p) => stubbedSources.read(p)),
  ...stubbedSources.list('stack/testing/').map((p) => readRepoFile(p)),
  ...labs.flatMap((slug) => {
    const hidden = `labs/${slug}/${readLab(slug).tests.hidden}`;
    return stubbedSources.list(`labs/${slug}/`).filter((p) => p !== hidden).map((p) => readRepoFile(p));
  }),
].join('\n');

const secretLine = (line: string) => {
  const t = line.trim();
  // Lines without type annotations survive compiling to JavaScript unchanged.
  return t.length > 30 && !t.startsWith('//') && !t.startsWith('*') && !/[:<]\s*[A-Za-z]\w*[\]>|]?\s*[,;=)]/.test(t) && !public_.includes(t);
};

const regionLines = stackFiles().flatMap((path) => parseRegions(readFileSync(path, 'utf8'), path).flatMap((r) => r.body.filter(secretLine).map((l) => ({ where: `${path} ${r.slug}/${r.task}`, line: l.trim() }))));
const hiddenLines = labs.flatMap((slug) => readRepoFile(`labs/${slug}/${readLab(slug).tests.hidden}`).split('\n').filter(secretLine).map((l) => ({ where: `${slug} hidden suite`, line: l.trim() })));

function leaks(text: string): string[] {
  return [...regionLines, ...hiddenLines].filter((n) => text.includes(n.line)).map((n) => `${n.where}: ${n.line}`);
}

describe('the lab data a grading server serves', () => {
  it('has secret lines to look for in every lab and every hidden suite', () => {
    for (const slug of labs) expect(hiddenLines.filter((n) => n.where.startsWith(slug)).length, slug).toBeGreaterThan(5);
    expect(new Set(regionLines.map((n) => n.where.split(' ')[1].split('/')[0]))).toEqual(new Set(labs));
  });

  it('finds them in the copies a static host serves (the scan works)', () => {
    const visible = leaks(allText(runModules('handshake', 'visible')));
    expect(visible.some((l) => l.includes('handshake/'))).toBe(true);
    expect(visible.some((l) => l.includes('teardown/'))).toBe(true);
    expect(leaks(allText(containerTree('handshake'))).some((l) => l.includes('hidden suite'))).toBe(true);
  }, 180_000);

  it.each(labs)('%s: the server copy of webcontainer.json holds none of them', (slug) => {
    const tree = serverSafeContainerTree(slug);
    expect(leaks(allText(tree))).toEqual([]);
    const labFolder = (tree as Record<string, { directory: Record<string, unknown> }>).labs.directory[slug] as { directory: Record<string, unknown> };
    expect(Object.keys(labFolder.directory)).toContain(readLab(slug).tests.visible);
    expect(Object.keys(labFolder.directory)).not.toContain(readLab(slug).tests.hidden);
  }, 60_000);

  // Compiling a whole stack takes seconds; two labs cover the reference of their own file and
  // of every other lab's file.
  it.each(['handshake', 'teardown'])('%s: the server copy of visible.json holds none of them', (slug) => {
    const modules = serverSafeModules(slug);
    expect(leaks(allText(modules))).toEqual([]);
    expect(Object.keys(modules).some((p) => p.includes('hidden'))).toBe(false);
    // Still a runnable map: the dispatcher's reference side and the visible suite are there.
    const lab = readLab(slug);
    expect(Object.keys(modules)).toContain(lab.files[0].replace(/\.ts$/, '.reference.ts'));
    expect(Object.keys(modules)).toContain(`labs/${slug}/${lab.tests.visible}`);
  }, 180_000);
});
