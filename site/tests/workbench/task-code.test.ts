import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeStarter } from '../../../labs/kit/regions.ts';
import { taskCodePlace } from '../../lib/workbench/task-code.ts';

const FILE = 'stack/core/tcp/handshake.ts';
const starter = makeStarter(readFileSync(FILE, 'utf8'), FILE, 'handshake');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('go to a task\'s code', () => {
  it('finds each task\'s region in the learner\'s file, and follows it when lines are added above', () => {
    const place = taskCodePlace({ [FILE]: starter }, 'handshake', 1);
    expect(place).toEqual({ path: FILE, line: lineOf(starter, '#region lab handshake/1'), endLine: expect.any(Number) });
    const edited = `// my notes\n// more notes\n${starter}`;
    expect(taskCodePlace({ [FILE]: edited }, 'handshake', 1)).toMatchObject({ line: lineOf(starter, '#region lab handshake/1') + 2 });
    expect(taskCodePlace({ [FILE]: starter }, 'handshake', 3)).toMatchObject({ line: lineOf(starter, '#region lab handshake/3') });
  });

  it('says what is wrong when the marker was deleted or broken', () => {
    expect(taskCodePlace({ [FILE]: 'export const rewritten = true;\n' }, 'handshake', 2)).toEqual({ problem: expect.stringMatching(/"\/\/ #region lab handshake\/2" marker is not in your file any more; Reset to starter restores it/) });
    const broken = starter.replace('#region lab handshake/2', '#region lab handshake-two');
    expect(taskCodePlace({ [FILE]: broken }, 'handshake', 2)).toEqual({ problem: expect.stringMatching(/could not be read \(stack\/core\/tcp\/handshake.ts:\d+: malformed lab region/) });
  });
});
