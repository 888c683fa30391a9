/**
 * One source for the labs: lab.yaml (and lab.zh-cn.yaml for the Chinese words). The catalog reads
 * it; the slug list and the numbers pages print must agree with it.
 */
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_SLUGS } from '../lib/course-map.ts';
import { labCatalog } from '../lib/lab-catalog.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('lab catalog', () => {
  it('has one entry per lab folder, in course order, each with a title, summary and minutes from lab.yaml', () => {
    const folders = readdirSync(join(ROOT, 'labs')).filter((d) => existsSync(join(ROOT, 'labs', d, 'lab.yaml')));
    expect([...folders].sort()).toEqual([...LAB_SLUGS].sort());
    const catalog = labCatalog();
    expect(catalog.map((l) => l.slug)).toEqual([...LAB_SLUGS]);
    for (const lab of catalog) {
      const yaml = readFileSync(join(ROOT, 'labs', lab.slug, 'lab.yaml'), 'utf8');
      expect(yaml).toMatch(new RegExp(`^minutes: ${lab.minutes}$`, 'm'));
      expect(yaml).toContain(`title: ${lab.title}`);
      expect(lab.summary.length).toBeGreaterThan(40);
    }
  });

  it('the Chinese catalog has each lab\'s Chinese title and summary and lab.yaml\'s minutes', () => {
    const english = labCatalog();
    const chinese = labCatalog('zh-cn');
    expect(chinese.map((l) => [l.slug, l.minutes])).toEqual(english.map((l) => [l.slug, l.minutes]));
    for (const lab of chinese) {
      expect(lab.title).toMatch(/\p{Script=Han}/u);
      expect(lab.summary).toMatch(/\p{Script=Han}/u);
    }
  });
});
