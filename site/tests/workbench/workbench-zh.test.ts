// The workbench on the Chinese page (/zh-cn/labs/<slug>): every word the page, its views, its
// terminal, its status line and its results panel show is Chinese — apart from identifiers, code,
// Linux's own tool names, and what a lab's tests themselves wrote (test names, their own check
// sentences), which stay as written. The English page keeps its words exactly.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { workbenchStrings, WORKBENCH_EN, type WorkbenchStrings } from '../../../site/i18n/workbench.ts';
import { renderResults, terminalReport } from '../../lib/workbench/results-view.ts';
import { renderTasks, taskMark } from '../../lib/workbench/tasks-view.ts';
import { createNotices } from '../../lib/workbench/notices-view.ts';
import { renderFileTree } from '../../lib/workbench/file-tree-view.ts';
import { summarise, type ResultsDocument } from '../../lib/workbench/results.ts';
import { LabShell, SHELL_HELP, wrapProse, cellWidth, type ShellBackend } from '../../lib/workbench/shell.ts';
import { LabSession } from '../../lib/workbench/session.ts';
import { labSaveKey } from '../../lib/workbench/lab-save.ts';
import { parseSolutionPolicy, solutionReveal } from '../../lib/workbench/reveal.ts';
import { chooseRunner, RUNNER_LABELS, TRYING, type Runner } from '../../lib/workbench/runner.ts';
import { traceDivergence } from '../../lib/workbench/divergence.ts';
import { taskCodePlace } from '../../lib/workbench/task-code.ts';
import { readLab, readLabIn, runModules } from '../../lib/workbench/lab-data.ts';
import { overlayLabText } from '../../lib/workbench/lab-text.ts';
import { WorkerGrader } from '../../lib/workbench/worker-grade.ts';
import { transpile } from '../../lib/workbench/transpile.ts';
import { wrongImplementations } from '../../../labs/kit/node/repo.ts';
import { listScenarioNames, simulate } from '../../lib/workbench/sim-run.ts';
import * as scenarios from '../../../stack/core/scenarios/index.ts';
import * as textDiagram from '../../../stack/core/observe/text-diagram.ts';
import * as pcap from '../../../stack/core/wire/pcap.ts';
import type { SegmentEvent } from '../../../stack/core/observe/trace.ts';
import { fakeDocument, type FakeElement } from './fake-dom.ts';
import { englishWords, HAN, styleProblems } from './chinese-words.ts';

const zh = workbenchStrings('zh-cn');
const en = workbenchStrings('en');

/** Each dictionary entry as the page shows it: strings as they are, functions called with samples. */
function shown(t: WorkbenchStrings): Array<[string, string]> {
  const report = { chapters: ['handshake'], labScores: ['handshake'], cards: ['q1'], labFiles: ['handshake', 'teardown'], labFilesKept: ['queues'] };
  const samples: Partial<Record<keyof WorkbenchStrings, unknown[]>> = {
    dateTime: [new Date('2026-12-07T05:00:00Z')],
    treeNote: [['stack/core/tcp/handshake.ts', 'stack/core/tcp/input.ts']],
    starterChanged: [['stack/core/tcp/handshake.ts']],
    typeErrors: [2, 1, 'handshake.ts:40: X1'],
    importReport: [report],
    saveUnreadable: [['files must map paths to text', 'version must be 1 (found null)'], 'tcp-course:lab:handshake:corrupt:1'],
    saveMalformed: [['passed must be true or false']],
    fileReadOnly: ['stack/core/tcp/input.ts', ['stack/core/tcp/handshake.ts']],
    editorLabel: ['stack/core/tcp/input.ts', false],
    testsRunIn: ['浏览器内的 worker', '一个真正的 Node 在这个标签页里运行这个实验。', ['本地课程服务器：没有课程服务器应答']],
    noRunner: [['S1: R1', 'S2: R2']],
    differsIn: ['第 1 个报文段（host→peer S，0 ms）', '序列号', '1', '2', ['窗口', '时间']],
    simHead: ['T1', true, ['net.ipv4.tcp_syn_retries=2']],
    summary: ['S1', 1, 2, { points: 10, max: 20 }],
    running: ['hidden'],
    passesSuite: ['hidden'],
    suitePasses: [1, 2, 'visible'],
    suiteName: ['hidden'],
    regionMissing: [1, 'handshake', true],
    status: ['fail'],
    hintLevel: ['near-solution'],
    hintPrefix: ['pointer'],
    hintButton: [1, 3, 'concept'],
    segmentField: ['window'],
    seedTakes: ['x1'],
    sysctlTakes: [null],
    missingSegment: [2, '第 3 个报文段（peer→host S.，1 s）'],
    extraSegment: ['第 3 个报文段（host→peer S，1 s）', 3],
    askLearnerName: ['too-long'],
    joinedWorkshop: ['林小雨'],
  };
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(t) as Array<[keyof WorkbenchStrings, unknown]>) {
    if (key === 'runnerText' || key === 'recentSegmentsText' || key === 'progressText') continue; // read another module's words (tested there)
    if (key === 'dateTime' || key === 'markLabel' || key === 'skippedRunner' || key === 'simError') continue; // punctuation around words of others (tested with them)
    if (typeof value === 'string') out.push([key, value]);
    else if (typeof value === 'function') out.push([key, String((value as (...args: unknown[]) => unknown)(...(samples[key] ?? Array.from({ length: value.length }, (_, i) => `X${i + 1}`))))]);
    else for (const [sub, text] of Object.entries(value as Record<string, string>)) out.push([`${key}.${sub}`, text]);
  }
  return out;
}

describe('the workbench dictionary', () => {
  it('says every entry in Chinese on the Chinese page, in the house style', () => {
    const problems: string[] = [];
    for (const [key, text] of shown(zh)) {
      if (key === 'runnerLabels.webcontainer') continue; // a product's name
      if (!HAN.test(text)) problems.push(`${key}: no Chinese in ${JSON.stringify(text)}`);
      const left = englishWords(text, ['host', 'peer']); // a trace's host names, in the samples
      if (left.length > 0) problems.push(`${key}: English ${JSON.stringify(left)} in ${JSON.stringify(text)}`);
      for (const p of styleProblems(text)) problems.push(`${key}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps the English page\'s words as they were', () => {
    expect(SHELL_HELP).toBe(en.shellHelp);
    expect(SHELL_HELP.split('\n')[0]).toBe("Commands (the course's stack on a simulated host; your lab files take part in every sim):");
    expect(TRYING).toBe(en.trying);
    expect(RUNNER_LABELS.worker).toBe('in-browser worker');
    expect(en.treeNote(['a.ts'])).toBe('Your file: a.ts. The rest of the stack is read-only; go to definition (F12) opens it.');
    expect(en.kicker(90)).toBe('Lab · about 90 min');
    expect(en.testsRunIn('in-browser worker', 'N.', ['server: R'])).toBe('Tests run in the in-browser worker. N. (server: R)');
    expect(en.dateTime(new Date(0))).toBe(new Date(0).toLocaleString());
    expect(en.runnerText('not implemented yet: handshake/1')).toBe('not implemented yet: handshake/1');
  });
});

// ---------------------------------------------------------------------------------------------
// The views, rendered with the Chinese words.

/** The English a lab's tests wrote (their names, their own sentences), which may stay English. */
function testWords(slug: string): Set<string> {
  const text = ['visible.test.ts', 'hidden.test.ts', 'support.ts'].map((f) => readFileSync(`labs/${slug}/${f}`, 'utf8')).join('\n').replace(/\\'/g, "'");
  // Plurals made in code (`request${n === 1 ? '' : 's'}`) count as the test's words too.
  return new Set((text.match(/[A-Za-z]+(?:['-][A-Za-z]+)*/g) ?? []).flatMap((word) => [word, `${word}s`]));
}

/** English left in what a reader meets, not counting the lab tests' own words. */
function englishNotFromTests(texts: string[], slug = 'handshake'): string[] {
  const fromTests = testWords(slug);
  return texts.flatMap((text) => englishWords(text).filter((word) => !fromTests.has(word)).map((word) => `${word} in ${JSON.stringify(text)}`));
}

describe('the views on the Chinese page', () => {
  const def = readLab('handshake');
  const lab = { slug: 'handshake', tasks: def.tasks, files: def.files, tests: def.tests };
  const grader = new WorkerGrader(transpile);
  grader.addModules(runModules('handshake', 'visible'));
  grader.addModules(runModules('handshake', 'hidden'));
  const wrong = wrongImplementations(def);
  // Chinese task words as a translation would give them (the translators' files may not exist yet).
  const translated = overlayLabText(def, {
    title: '三次握手',
    summary: '建立连接。',
    objectives: def.objectives.map((_, i) => `目标 ${i + 1}`),
    tasks: def.tasks.map((task) => ({ id: task.id, title: `任务标题 ${task.id}`, statement: '说明。\n\n第二段。', hints: task.hints.map((h) => ({ [h.level]: `提示：${h.level === 'concept' ? '概念' : '线索'}` })) })),
  }, 'labs/handshake/lab.zh-cn.yaml');
  let panel: FakeElement;
  beforeEach(() => {
    panel = fakeDocument();
  });

  it('the results panel: harness sentences, labels, badges, steps and task titles in Chinese, for every known-wrong handshake', () => {
    for (const implementation of wrong) {
      const doc = grader.grade({ lab, suite: 'hidden', files: Object.fromEntries(implementation.files) });
      renderResults(panel as unknown as HTMLElement, doc, { t: zh, taskTitle: (id) => translated.tasks.find((task) => task.id === id)?.title });
      const words = panel.words();
      expect(words[0]).toMatch(/^提交（隐藏测试）：\d+ 个测试中通过 \d+ 个 · 得分 /);
      expect(words).toContain('未通过');
      expect(words.some((w) => /^任务 \d：任务标题 \d$/.test(w))).toBe(true);
      expect(words.some((w) => /^运行过的步骤（种子 1）：$/.test(w))).toBe(true);
      // Test names and the tests' own sentences are the lab's; nothing else may be English.
      const testNames = new Set(doc.tests.map((test) => test.name));
      expect(englishNotFromTests(words.filter((w) => !testNames.has(w))), implementation.name).toEqual([]);
    }
  });

  it('the results panel and terminal report of an error document', () => {
    const doc: ResultsDocument = { version: 1, lab: 'handshake', suite: 'visible', status: 'error', seed: 1, score: { points: 0, max: 100 }, tasks: [], tests: [], traces: {}, message: 'The run took longer than 10 s and was stopped. Look for a loop that never ends in your code (the simulator\'s own clock cannot run away: the kit stops a test after too many events).' };
    renderResults(panel as unknown as HTMLElement, doc, { t: zh });
    expect(panel.words()[0]).toBe('运行（可见测试）：出错——这次运行超过了 10 秒，已被停止。请在你的代码里找一找永远不会结束的循环（模拟器自己的时钟不会失控：事件太多时测试工具会停止测试）。');
    expect(englishNotFromTests(panel.words())).toEqual([]);
    const report = terminalReport(doc, zh);
    expect(englishNotFromTests([report])).toEqual([]);
  });

  it('the terminal\'s report of a run names tasks and the first failure in Chinese', () => {
    const doc = grader.grade({ lab, suite: 'visible', files: Object.fromEntries(wrong[0].files) });
    const report = terminalReport(doc, zh);
    expect(report).toMatch(/^运行（可见测试）：/);
    expect(report).toMatch(/任务 1 · /);
    expect(report).toMatch(/第一个失败的测试：.*（详情见“结果”；`tcpdump` 列出它的报文段）。/);
    const testNames = doc.tests.map((test) => test.name);
    expect(englishNotFromTests([testNames.reduce((text, name) => text.split(name).join(''), report)])).toEqual([]);
  });

  it('the task list: titles, statements, ticks, Go to code, the hint ladder and its rungs', () => {
    const doc = grader.grade({ lab, suite: 'visible', files: Object.fromEntries(wrong[0].files) });
    const tasks = translated.tasks.map((task) => ({ id: task.id, title: task.title, points: task.points, statement: task.statement, hints: task.hints }));
    renderTasks(panel as unknown as HTMLElement, { tasks, hintsShown: { 1: 2 }, results: doc }, { showHint() {}, goToCode() {} }, zh);
    const words = panel.words();
    expect(words).toContain(`1. 任务标题 1（${def.tasks[0].points} 分）`);
    expect(words).toContain('转到代码');
    expect(words).toContain('转到代码：任务 1');
    expect(words).toContain('提示 3/3（接近答案）');
    expect(words).toContain('概念：');
    expect(words).toContain('第二段。');
    expect(words.some((w) => /^（可见测试（运行）通过 \d+\/\d+）$|^（通过了可见测试（运行））$/.test(w))).toBe(true);
    expect(englishNotFromTests(words)).toEqual([]);
    expect(taskMark(null, 1, zh).text).toBe('尚未运行');
  });

  it('notices and the file tree', () => {
    const notify = createNotices(panel as unknown as HTMLElement, zh);
    notify(zh.savedWorkLoaded(zh.dateTime(new Date('2026-12-07T05:00:00Z'))), 'info', { label: zh.resetToStarter, run() {} });
    const tree = fakeDocument();
    renderFileTree(tree as unknown as HTMLElement, [{ path: 'stack/core/tcp/handshake.ts', editable: true }, { path: 'stack/core/host.ts', editable: false }], () => {}, zh);
    const words = [...panel.words(), ...tree.words()];
    expect(words).toEqual(expect.arrayContaining(['关闭', '恢复初始代码', '你的', '只读']));
    expect(englishNotFromTests(words)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The terminal's shell in Chinese.

function shell(t: WorkbenchStrings, backend: Partial<ShellBackend> = {}) {
  const modules: Record<string, unknown> = { 'stack/core/scenarios/index.ts': scenarios, 'stack/core/observe/text-diagram.ts': textDiagram, 'stack/core/wire/pcap.ts': pcap };
  const load = (path: string) => modules[path];
  return new LabShell({
    lab: 'handshake',
    scenarios: async () => listScenarioNames(load),
    sim: async (request) => simulate(load, request),
    run: () => {},
    submit: () => {},
    download: () => {},
    lastTestTrace: () => null,
    ...backend,
  }, t);
}

describe('the terminal on the Chinese page', () => {
  it('says help, usage and every refusal in Chinese; Linux\'s names and notation stay', async () => {
    const sh = shell(zh);
    const outputs = [
      await sh.execute('help'),
      await sh.execute('ls'),
      await sh.execute('npm install'),
      await sh.execute('nstat'),
      await sh.execute('ss'),
      await sh.execute('ss -tan'),
      await sh.execute('tcpdump'),
      await sh.execute('pcap'),
      await sh.execute('sim'),
      await sh.execute('sim handshake --seed x'),
      await sh.execute('sim handshake --sysctl nope'),
      await sh.execute('sim handshake --fault'),
      await sh.execute('sim handshake --frobnicate'),
      await sh.execute('sim handshake extra'),
      await sh.execute('sim no-such-scenario'),
      await sh.execute('sysctl'),
      await sh.execute('sysctl net.ipv4.tcp_nope'),
      await sh.execute('sysctl -w net.ipv4.tcp_syn_retries'),
      await sh.execute('sysctl -w net.ipv4.ip_local_port_range=1'),
      await sh.execute('sysctl -w net.ipv4.tcp_syn_retries=0'),
    ];
    expect(outputs[0]).toMatch(/^命令（课程的协议栈运行在模拟主机上/);
    expect(outputs[1]).toBe('ls：未找到命令（输入 help 查看可用命令）');
    expect(outputs[16]).toBe('sysctl：无法获取 /proc/sys/net/ipv4/tcp_nope 的文件状态：没有那个文件或目录');
    // What the learner typed comes back as typed (ls, x, extra).
    const problems = outputs.flatMap((text) => [...englishWords(text, ['ls', 'x', 'install', 'nope', 'extra', 'such']), ...styleProblems(text)].map((p) => `${p} in ${JSON.stringify(text)}`));
    // The scenario names sim --list prints are identifiers; the unknown-scenario message lists them.
    expect(problems.filter((p) => !p.includes('没有名为'))).toEqual([]);
  });

  it('heads a sim\'s diagram and tail in Chinese, and explains a run that reaches another lab\'s code', async () => {
    const out = await shell(zh).execute('sim handshake');
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/ — 使用你的实验文件$/);
    expect(lines.at(-1)).toMatch(/^# \d+ 个数据包；现在 ss -tan、nstat、tcpdump 和 pcap 显示的都是这次运行$/);
    const stopped = shell(zh, { sim: async () => ({ ok: false, error: 'not implemented yet: queues/1: The backlog listen() really gets' }) });
    const other = await stopped.execute('sim handshake');
    expect(other).toMatch(/^sim：这次运行用到了 queues 实验的代码（queues\/1: The backlog listen\(\) really gets）/);
    const own = shell(zh, { sim: async () => ({ ok: false, error: 'not implemented yet: handshake/1: Choose the ISN' }) });
    expect(await own.execute('sim handshake')).toBe('sim：尚未实现：handshake/1: Choose the ISN');
  });

  it('wraps Chinese prose by terminal cells, between characters, never before closing punctuation', () => {
    const text = zh.terminalGreeting;
    for (const cols of [30, 41, 60]) {
      const lines = wrapProse(text, cols).split('\n');
      expect(lines.every((line) => cellWidth(line) <= cols), lines.join('\n')).toBe(true);
      expect(lines.every((line) => !/^\s*[，。；：）]/.test(line))).toBe(true);
      expect(lines.map((line) => line.trim()).join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    }
    expect(cellWidth('主机 ACK')).toBe(8);
    // English and aligned output wrap as before.
    expect(wrapProse('First failure: connect() sends a SYN', 20)).toBe('First failure: connect() sends a SYN');
    expect(wrapProse('First failure: connect() sends a SYN whose sequence number is the RFC 6528 ISN', 40).split('\n').every((l) => l.length <= 40)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// What the session, the runner choice and the diagrams say.

class MemoryStorage {
  map = new Map<string, string>();
  get length() { return this.map.size; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

describe('the session, the status line and the diagrams on the Chinese page', () => {
  const FILE = 'stack/core/tcp/handshake.ts';
  const at = new Date('2026-12-07T05:00:00Z');
  const session = (storage = new MemoryStorage(), policy = 'after-pass') =>
    new LabSession({ lab: 'handshake', starters: { [FILE]: 'starter' }, solution: parseSolutionPolicy(policy), storage, fetchSolution: async () => { throw new Error('HTTP 404'); }, now: () => at, t: zh });

  it('scores, reveal reasons, a damaged save and a refused solution', async () => {
    const storage = new MemoryStorage();
    storage.setItem(labSaveKey('handshake'), '{"version":2}');
    const s = session(storage);
    expect(s.loadProblem).toMatch(/^你在这个实验上保存的工作无法读取（version 必须是 1（实际是 2）；/);
    expect(s.scoreText()).toBe('尚未提交');
    expect(s.reveal().reason).toBe('提交通过全部隐藏测试后，才能查看参考答案。');
    const texts = [
      s.loadProblem!,
      ...['always', 'after-attempts:3', 'instructor'].map((policy) => solutionReveal(parseSolutionPolicy(policy), { passed: false, attempts: { visible: 0, hidden: 1 } }, false, zh).reason),
      solutionReveal(parseSolutionPolicy('instructor'), { passed: false, attempts: { visible: 0, hidden: 0 } }, true, zh).reason,
    ];
    const always = session(new MemoryStorage(), 'always');
    const refused = await always.solution({ [FILE]: 'mine' });
    expect(refused).toEqual({ refused: '无法加载参考答案：HTTP 404' });
    for (const text of texts) expect([englishWords(text, ['tcp-course', 'corrupt']), styleProblems(text)], text).toEqual([[], []]);
  });

  it('the runner line: which runner, and the runners\' own reasons, in Chinese', async () => {
    const fake: Runner = { kind: 'worker', label: 'x', run: async () => { throw new Error('unused'); }, dispose() {} };
    const choice = await chooseRunner([
      { kind: 'server', probe: async () => ({ ok: false, reason: 'this site is served without the course server (a static host or astro dev), so your tests run in this browser as practice, not grading: a score here is not checked by anyone, and the hidden tests and solutions are readable from this site' }) },
      { kind: 'webcontainer', probe: async () => ({ ok: false, reason: 'this page is not cross-origin isolated (the server must send COOP/COEP headers)' }) },
      { kind: 'worker', probe: async () => ({ ok: true, runner: fake }) },
    ], undefined, zh);
    expect(choice.explanation).toMatch(/^测试在浏览器内的 worker 里运行。（本地课程服务器：这个网站没有通过课程服务器提供/);
    expect(zh.runnerStatus(zh.runnerLabels.worker, choice.explanation)).toMatch(/^运行器：浏览器内的 worker。/);
    expect(englishWords(choice.explanation)).toEqual([]);
    const none = await chooseRunner([{ kind: 'worker', probe: async () => ({ ok: false, reason: 'this browser has no Web Workers' }) }], undefined, zh);
    expect(none.explanation).toBe('没有可用的运行器：浏览器内的 worker：这个浏览器不支持 Web Worker');
  });

  it('names the first difference between the runs in Chinese', () => {
    const syn = { kind: 'segment', id: 0, t: 0, arriveAt: 0, fate: 'delivered', from: 'host', to: 'peer', src: '10.0.0.2:40000', dst: '10.0.0.1:80', flags: 'S', seq: 1745377779, ack: 0, relSeq: 0, relAck: 0, len: 0, win: 64240, options: [] } as unknown as SegmentEvent;
    const texts = [
      traceDivergence([{ ...syn, seq: 1 }], [syn], zh)!.text,
      traceDivergence([{ ...syn, flags: 'R', win: 0 }], [syn], zh)!.text,
      traceDivergence([], [syn], zh)!.text,
      traceDivergence([syn, { ...syn, id: 1, t: 1000 }], [syn], zh)!.text,
    ];
    expect(texts[0]).toBe('第一处不同：第 1 个报文段（host→peer S，0 ms）的序列号：你的运行是 1，参考运行是 1745377779。');
    expect(texts[1]).toMatch(/（窗口也不同）。$/);
    for (const text of texts) expect([englishWords(text, ['host', 'peer']), styleProblems(text)], text).toEqual([[], []]);
  });

  it('says where a task\'s code went when its markers are gone', () => {
    const place = taskCodePlace({ [FILE]: 'no markers here' }, 'handshake', 2, zh);
    expect(place).toEqual({ problem: '你的文件里已经没有任务 2 的“// #region lab handshake/2”标记了；“恢复初始代码”可以把它找回来。' });
  });
});

// ---------------------------------------------------------------------------------------------
// The page itself.

describe('the lab page (site/views/LabPage.astro)', () => {
  const source = readFileSync('site/views/LabPage.astro', 'utf8');
  const template = source.slice(source.indexOf('---', 3) + 3, source.indexOf('<script>'));

  it('writes no English of its own: every word comes from the dictionary or the lab', () => {
    // What the template says outside {expressions}: text between tags and literal attribute values.
    const text = template.replace(/<kbd>[^<]*<\/kbd>/g, ' ');
    // Each run of text between tags, without its {expressions} (one may open in one run and close in another).
    const between = [...text.matchAll(/>([^<]+)</g)]
      .map((m) => m[1].replace(/\{[^{}]*\}/g, ' ').replace(/\{[^}]*$/, ' ').replace(/^[^{]*\}/, ' ').trim())
      .filter(Boolean);
    expect(between.filter((t) => /[A-Za-z]{2,}/.test(t))).toEqual([]);
    const spoken = [...template.matchAll(/\b(aria-label|title|alt|placeholder)="([^"]*)"/g)].map((m) => m[0]);
    expect(spoken).toEqual([]);
  });

  it('takes its edition from Astro.currentLocale, its lab words from readLabIn, its links through localePath', () => {
    expect(source).toContain('localeOfPage(Astro.currentLocale)');
    expect(source).toContain('readLabIn(slug, locale)');
    expect(source).toContain('labSummary(slug, locale)');
    expect(source).toMatch(/href=\{localePath\(locale, `\/chapters\/\$\{lab\.chapter\}`\)\}/);
    expect(source).not.toMatch(/labInfo|LABS\b/);
    for (const page of ['site/pages/labs/[slug].astro', 'site/pages/zh-cn/labs/[slug].astro']) {
      const wrapper = readFileSync(page, 'utf8');
      expect(wrapper).toContain("views/LabPage.astro'");
      expect(wrapper).toContain('LAB_SLUGS.map((slug) => ({ params: { slug }, props: { slug } }))');
    }
    // The page's words for its script are the lab's (lab.zh-cn.yaml over lab.yaml), in the config.
    const zhLab = readLabIn('handshake', 'zh-cn');
    expect(zhLab.tasks.map((task) => task.points)).toEqual(readLab('handshake').tasks.map((task) => task.points));
  });

  it('says its toolbar, panes and keyboard notes in Chinese', () => {
    const words = [zh.run, zh.submit, zh.resetToStarter, zh.solution, zh.exportEverything, zh.importFile, zh.resultsTitle, zh.tasksTitle, zh.terminalTitle, zh.diagramsTitle, zh.editorKeysHtml, zh.terminalKeysHtml, zh.readChapterFirst, zh.objectivesTitle];
    expect(words.flatMap((w) => englishWords(w))).toEqual([]);
    expect(summarise({ version: 1, lab: 'handshake', suite: 'hidden', status: 'pass', seed: 1, score: { points: 100, max: 100 }, tasks: [], tests: [], traces: {}, message: null }, zh)).toBe('提交（隐藏测试）：0 个测试中通过 0 个 · 得分 100/100');
    expect(WORKBENCH_EN.run).toBe('Run');
  });
});
