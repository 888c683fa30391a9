/**
 * The compile pool (labs/kit/node/compile-pool.ts): checks and type checks off the caller's event
 * loop, and a verdict remembered by the exact text, so a Run and then a Submit of the same code
 * is type-checked once — and a changed file is checked again.
 */
import { describe, expect, it } from 'vitest';
import { compileLearnerFiles, typeCheckCounts } from '../kit/node/compile-pool.ts';
import { def, reference, withFile } from './attack-cases.ts';

const check = async (text: string) => {
  const handle = compileLearnerFiles(withFile(text), { checkImports: true, typeCheck: true });
  await handle.compiled;
  return handle.checked;
};

describe('the compile pool', () => {
  it('reports a type error with its line, and answers the same text again without checking it again', async () => {
    const broken = reference.replace(/export function chooseIss\(([^)]*)\)([^{]*)\{/, "export function chooseIss($1)$2{ const wrong: number = 'text';");
    expect(broken).not.toBe(reference);
    const before = typeCheckCounts();
    const first = await check(broken);
    expect(Array.isArray(first) && first.map((p) => `${p.file} ${p.message}`)).toEqual([`${def.files[0]} Type 'string' is not assignable to type 'number'.`]);
    const again = await check(broken);
    expect(again).toEqual(first);
    const after = typeCheckCounts();
    expect(after.checked - before.checked).toBe(1);
    expect(after.fromCache - before.fromCache).toBe(1);
    // One character more is another text: checked again, and clean.
    expect(await check(`${reference}\n`)).toEqual([]);
    expect(typeCheckCounts().checked - after.checked).toBe(1);
  }, 120_000);
});
