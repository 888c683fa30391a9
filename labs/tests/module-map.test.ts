import { describe, expect, it } from 'vitest';
import { ModuleMap, ModuleNotFoundError, resolveSpecifier } from '../kit/module-map.ts';

const has = (paths: string[]) => (p: string) => paths.includes(p);

describe('resolveSpecifier', () => {
  it('resolves .ts, rewritten .js and extensionless relative imports', () => {
    const known = has(['stack/core/world.ts', 'stack/core/tcp/handshake.ts']);
    expect(resolveSpecifier('./world.ts', 'stack/core/host.ts', known)).toBe('stack/core/world.ts');
    expect(resolveSpecifier('../world.js', 'stack/core/tcp/input.ts', known)).toBe('stack/core/world.ts');
    expect(resolveSpecifier('./handshake', 'stack/core/tcp/input.ts', known)).toBe('stack/core/tcp/handshake.ts');
  });
  it('names the missing module and its importer', () => {
    expect(() => resolveSpecifier('./nope.ts', 'stack/core/host.ts', has([]))).toThrow(/"\.\/nope\.ts" imported from stack\/core\/host\.ts/);
    expect(() => resolveSpecifier('../../../x.ts', 'a/b.ts', has([]))).toThrow(ModuleNotFoundError);
  });
});

describe('ModuleMap', () => {
  const sources = {
    'lib/counter.ts': 'let n = 0; exports.next = () => ++n;',
    'lib/use.ts': 'const c = require("./counter.ts"); exports.twice = () => [c.next(), c.next()];',
  };

  it('gives every instance fresh module state', () => {
    const map = new ModuleMap();
    map.add(sources);
    const a = map.instantiate()('lib/use.ts') as { twice(): number[] };
    expect(a.twice()).toEqual([1, 2]);
    expect(a.twice()).toEqual([3, 4]);
    const b = map.instantiate()('lib/use.ts') as { twice(): number[] };
    expect(b.twice()).toEqual([1, 2]);
  });

  it('lets an override replace a module of the same path for one instance only', () => {
    const map = new ModuleMap();
    map.add(sources);
    const learner = map.instantiate({ 'lib/counter.ts': 'exports.next = () => 42;' })('lib/use.ts') as { twice(): number[] };
    expect(learner.twice()).toEqual([42, 42]);
    const reference = map.instantiate()('lib/use.ts') as { twice(): number[] };
    expect(reference.twice()).toEqual([1, 2]);
  });

  it('handles cycles as CommonJS does (partial exports) and reports a missing import', () => {
    const map = new ModuleMap();
    map.add({
      'a.ts': 'exports.early = 1; const b = require("./b.ts"); exports.fromB = b.seen;',
      'b.ts': 'const a = require("./a.ts"); exports.seen = a.early;',
      'bad.ts': 'require("./missing.ts");',
    });
    expect((map.instantiate()('a.ts') as { fromB: number }).fromB).toBe(1);
    expect(() => map.instantiate()('bad.ts')).toThrow(/missing\.ts/);
  });

  it('does not cache a module whose body threw, so the error repeats instead of a half-built module', () => {
    const map = new ModuleMap();
    map.add({ 'boom.ts': 'throw new Error("region not implemented")' });
    const load = map.instantiate();
    expect(() => load('boom.ts')).toThrow('region not implemented');
    expect(() => load('boom.ts')).toThrow('region not implemented');
  });
});
