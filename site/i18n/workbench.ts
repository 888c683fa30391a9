/**
 * The lab workbench's own words in both editions: the page (site/views/LabPage.astro), its script
 * (site/lib/workbench/page.ts) and the views, the terminal's shell, the runners' status line, the
 * results panel. The Chinese dictionary has the English one's type, so a string added in English and
 * not in Chinese fails the type check. Chinese follows content/terminology.yaml.
 *
 * What the runners themselves say (the test harness's failure sentences, a runner's reasons) is
 * English data; `runnerText` is where an edition reads it: as it is in English, through the phrase
 * table of ../lib/workbench/harness-phrases.ts in Chinese.
 */
import type { Locale } from './locale.ts';
import type { ImportReport } from '../lib/progress.ts';
import { describeImport } from '../lib/progress.ts';
import { translateHarnessText, recentSegmentsZh, spaced } from '../lib/workbench/harness-phrases.ts';
import { NAME_MAX, type NameProblem } from '../server/workshop/learner-name.ts';

type Suite = 'visible' | 'hidden';
type RunnerKind = 'server' | 'webcontainer' | 'worker';

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

const EN = {
  /** How a date and time are written in notices (the browser's own format in English). */
  dateTime: (date: Date): string => date.toLocaleString(),
  /** What a runner said (a results document's sentences, a probe's reason), for this edition. */
  runnerText: (text: string): string => text,
  /** The "recent segments" listing of a grader's report, for this edition. */
  recentSegmentsText: (text: string): string => text,

  // ------------------------------------------------------------------ the page (LabPage.astro)
  pageTitle: (title: string) => `Lab: ${title}`,
  kicker: (minutes: number) => `Lab · about ${minutes} min`,
  readChapterFirst: 'read the chapter first',
  notWrittenYet: 'This lab is still being written: its lab.yaml is not in the course yet.',
  objectivesTitle: 'What you will be able to do',
  toolbarLabel: 'Lab actions',
  run: 'Run',
  runTitle: 'Run the visible tests (Ctrl/Cmd+Enter)',
  submit: 'Submit',
  submitTitle: 'Grade with the hidden tests (Ctrl/Cmd+Shift+Enter)',
  resetToStarter: 'Reset to starter',
  solution: 'Solution',
  exportEverything: 'Export everything',
  exportTitle: 'One file with your progress, review cards and the files of every lab',
  importFile: 'Import…',
  notSubmittedYet: 'Not submitted yet',
  loadingLab: 'Loading the lab…',
  stackFiles: 'Stack files',
  treeNote: (files: string[]) => `Your file${files.length > 1 ? 's' : ''}: ${files.join(', ')}. The rest of the stack is read-only; go to definition (F12) opens it.`,
  editorPane: 'Editor',
  checkingTypes: 'Checking types…',
  loadingEditor: 'Loading the editor…',
  /** HTML (static, with <kbd>): how the keyboard moves through the editor. */
  editorKeysHtml: 'Tab indents in the editor; press <kbd>Ctrl M</kbd> (<kbd>Ctrl ⇧ M</kbd> on a Mac) and then Tab to move on. <kbd>F12</kbd> goes to a definition, <kbd>Ctrl ↵</kbd> runs, <kbd>Ctrl ⇧ ↵</kbd> submits.',
  resultsTitle: 'Results',
  resultsIdle: 'Run the visible tests to see what your code does. Submit grades it with the hidden tests.',
  tasksTitle: 'Tasks',
  terminalTitle: 'Terminal',
  /** HTML (static, with <code>): what the terminal can do. */
  terminalKeysHtml: 'A simulated Linux host with the course\'s stack and your lab files: <code>sim handshake</code>, <code>ss -tan</code>, <code>tcpdump</code>, <code>pcap</code>, <code>sysctl -w</code>, <code>npm test</code>; <code>help</code> lists them. ↑/↓ recall, Tab completes.',
  diagramsTitle: 'Your run beside the reference run',
  yourCode: 'Your code',
  referenceCaption: 'Reference, same test and seed',

  // ------------------------------------------------------------------ the page's script (page.ts)
  loadFailed: (reason: string) => `The lab could not be loaded (${reason}). Reload the page; if it persists, rebuild the site.`,
  solutionOpenFile: (path: string) => `${path}: yours (left) beside the reference solution (right); pick a file to go back`,
  phoneReadOnlyReason: 'On a screen this small the editor is read-only; open the lab on a laptop to edit. Run and Submit still work.',
  phoneNotice: 'On a screen this small the editor is read-only (it says so when you try to type). You can still read the stack, run the tests and read the hints.',
  noTypeErrors: 'No type errors',
  typeErrors: (count: number, files: number, first: string) => `${count} type error${count === 1 ? '' : 's'} in your file${files > 1 ? 's' : ''} — first: ${first}`,
  editorFailed: (reason: string) => `The editor could not start: ${reason}`,
  savedWorkLoaded: (when: string) => `Saved work loaded from this browser (last saved ${when}).`,
  starterChanged: (files: string[]) => `The starter of ${files.join(', ')} changed since you began (a course update). Your work is kept; compare with a reset copy if a test mentions something new.`,
  hintAnnounced: (level: number, task: number, text: string) => `Hint ${level} for task ${task}: ${text}`,
  terminalFailed: (reason: string) => `The terminal could not start: ${reason}`,
  restoredResults: (when: string) => `Your last results, from ${when}; Run again to check your current code.`,
  choosingRunner: 'Choosing where your tests run…',
  runnerStatus: (label: string, explanation: string) => `Runner: ${label}. ${explanation}`,
  trustServer: 'Grading happens on the course server: it runs the hidden tests on your files, keeps the score and holds the solution back until you pass.',
  trustPractice: 'Practice, not grading: there is no grading course server here, so the tests — hidden ones included — run in this browser, where anyone can read or change them. Scores on this page are for you; an instructor grades with the course server.',
  waitingForRunner: 'Your run starts as soon as the page has chosen where tests run (see the line above the editor)…',
  running: (suite: Suite) => `${suite === 'hidden' ? 'Submitting to the hidden tests' : 'Running the visible tests'}…`,
  resetConfirm: (names: string) => `Reset ${names} to the starter? Your edits are replaced (Ctrl+Z in the editor brings them back until you reload).`,
  resetDone: (names: string) => `${names} reset to the starter.`,
  exportedEverything: 'Exported everything: progress, review cards and the files of every lab you started.',
  imported: (name: string, report: string) => `Imported ${name}. ${report}`,
  notImported: (name: string, reason: string) => `${name} was not imported, and nothing changed: ${reason}`,
  /** What an import restored (progress.ts's report). */
  importReport: (report: ImportReport): string => describeImport(report),
  /** A reason progress.ts gave (an import refused, a score not stored), for this edition. */
  progressText: (text: string): string => text,
  /** Where a workshop server's join token is asked for. */
  askJoinToken: 'This workshop server needs the join token your instructor shows (six words):',
  /** Asked once, after the join token, where the workshop server keeps a record; with why the last name was refused. */
  askLearnerName: (problem: NameProblem | null): string =>
    `${problem === 'empty' ? 'A name is needed to join. ' : problem === 'too-long' ? `At most ${NAME_MAX} characters, please. ` : problem === 'control' ? 'A name without control characters, please. ' : ''}Your name for this workshop — your instructor's dashboard shows it beside your Runs and Submits (Cancel: run without joining, nothing recorded):`,
  joinedWorkshop: (name: string) => `You joined the workshop as “${name}”: your instructor's dashboard shows your Runs and Submits from now on.`,

  // ------------------------------------------------------------------ the editor (editor.ts)
  stackFileReadOnly: 'This stack file is read-only in this lab.',
  fileReadOnly: (path: string, editable: string[]) => `${path} is read-only in this lab; you edit ${editable.join(', ')}.`,
  editorLabel: (path: string, editable: boolean) => `Editor: ${path}${editable ? '' : ' (read-only)'}`,
  diffLabel: (path: string) => `${path}: your file beside the reference solution`,

  // ------------------------------------------------------------------ the session (session.ts, lab-save.ts, reveal.ts)
  score: (points: number, max: number) => `Score ${points}/${max}`,
  serverWithheldSolution: (reason: string) => `The course server did not give out the solution: ${reason}.`,
  solutionNotLoaded: (reason: string) => `The solution could not be loaded: ${reason}`,
  saveUnreadable: (problems: string[], keptAs: string | null) =>
    `Your saved work on this lab could not be read (${problems.join('; ')}). ${keptAs ? `It was kept, unchanged, under the key "${keptAs}" in this browser.` : 'The browser refused to store a copy (storage full?); it stays under its usual key until the next save.'}`,
  saveRefused: (reason: string) => `Your work could not be saved in this browser: ${reason}`,
  saveMalformed: (problems: string[]) => `Refusing to save a malformed lab record: ${problems.join('; ')}`,
  revealAlways: 'This lab shows its solution whenever you ask.',
  revealPassed: 'You passed every hidden test, so the reference solution is open to compare.',
  revealAfterPass: 'The solution opens once Submit passes every hidden test.',
  revealAttemptsDone: (submitted: number) => `You have submitted ${submitted} time(s); the solution is open.`,
  revealAttemptsLeft: (attempts: number, left: number) => `The solution opens after ${attempts} submissions (${left} to go).`,
  revealInstructorMode: 'Instructor mode: the solution is shown.',
  revealByInstructor: 'Your instructor reveals this solution in the session.',
  revealOpenToAll: 'Your instructor has opened the solutions to everyone.',

  // ------------------------------------------------------------------ notices, file tree, task list
  dismiss: 'Dismiss',
  yours: 'yours',
  readOnly: 'read-only',
  notRunYet: 'not run yet',
  passesSuite: (suite: Suite) => `passes the ${suite === 'hidden' ? 'hidden tests (Submit)' : 'visible tests (Run)'}`,
  suitePasses: (passed: number, total: number, suite: Suite) => `${passed}/${total} ${suite === 'hidden' ? 'hidden tests (Submit)' : 'visible tests (Run)'} pass`,
  taskLine: (id: number, title: string, points: number) => `${id}. ${title} (${points} points)`,
  goToCode: 'Go to code',
  goToCodeOf: (id: number) => `Go to code of task ${id}`,
  hintButton: (level: number, total: number, kind: string) => `Hint ${level} of ${total} (${kind})`,
  /** The rungs of the hint ladder (lab.yaml's keys). */
  hintLevel: (level: string) => level,
  /** Before a shown hint's text: its rung. */
  hintPrefix: (level: string) => `${level}: `,
  /** After a task's title, for screen readers: its tick in words. */
  markLabel: (text: string) => ` (${text})`,
  regionUnreadable: (task: number, detail: string) => `The region markers of task ${task} could not be read (${detail}). Reset to starter restores them.`,
  regionMissing: (task: number, lab: string, several: boolean) => `Task ${task}'s "// #region lab ${lab}/${task}" marker is not in your file${several ? 's' : ''} any more; Reset to starter restores it.`,

  // ------------------------------------------------------------------ results (results.ts, results-view.ts)
  suiteName: (suite: Suite): string => (suite === 'hidden' ? 'Submit (hidden tests)' : 'Run (visible tests)'),
  summaryError: (suite: string, message: string) => `${suite}: error — ${message}`,
  runDidNotFinish: 'the run did not finish',
  summary: (suite: string, passed: number, total: number, score: { points: number; max: number } | null) => `${suite}: ${passed}/${total} tests pass${score ? ` · score ${score.points}/${score.max}` : ''}`,
  status: (status: string) => ({ pass: 'passed', fail: 'failed', error: 'error' })[status] ?? status,
  expected: 'expected',
  actual: 'actual',
  failedStep: (n: number, text: string) => `failed step ${n}: ${text}`,
  stepsThatRan: (seed: number) => `Steps that ran (seed ${seed}):`,
  recentSegments: 'Recent segments',
  taskHeading: (id: number, title: string) => `Task ${id}: ${title}`,
  taskN: (id: number) => `Task ${id}`,
  taskPoints: (points: number, max: number) => ` · ${points}/${max} points`,
  terminalTestLine: (taskId: number, name: string) => `task ${taskId} · ${name}`,
  terminalFirstFailure: (name: string) => `First failure: ${name} (details in Results; \`tcpdump\` lists its segments).`,

  // ------------------------------------------------------------------ the run beside the reference (divergence.ts, diagrams-view.ts)
  yourRunOf: (test: string) => `your run of “${test}”`,
  referenceRunOf: (test: string) => `reference run of “${test}”`,
  noLearnerSegments: 'Your run sent no segment between two hosts.',
  referenceUnavailable: 'The reference run of this test is not available here.',
  sameSegments: 'Your run and the reference send exactly the same segments (every field, every time); the difference is in a state or timing check (see the steps).',
  segmentName: (position: number, from: string, to: string, flags: string, at: string) => `segment ${position} (${from}→${to} ${flags} at ${at})`,
  segmentField: (field: string) => field,
  differsIn: (segment: string, field: string, mine: string, theirs: string, also: string[]) =>
    `First difference: ${segment}, ${field}: ${mine} in your run, ${theirs} in the reference${also.length > 0 ? ` (also differs: ${also.join(', ')})` : ''}.`,
  extraSegment: (segment: string, referenceCount: number) => `First difference: your run sends ${segment}, which the reference never sends (the reference sends ${referenceCount} segment${referenceCount === 1 ? '' : 's'} in all).`,
  missingSegment: (sent: number, segment: string) => `First difference: ${sent === 0 ? 'Your run sent no segment between the two hosts' : `Your run stops after ${sent} segment${sent === 1 ? '' : 's'}`}; the reference goes on with ${segment}.`,

  // ------------------------------------------------------------------ runners (runner.ts): the status line
  trying: {
    server: 'Looking for the course server…',
    webcontainer: 'Starting a WebContainer (a real Node in this tab, from StackBlitz): up to 20 s. If it does not start, the in-browser worker takes over.',
    worker: 'Starting the in-browser worker…',
  } as Record<RunnerKind, string>,
  runnerLabels: {
    server: 'local course server',
    webcontainer: 'WebContainer',
    worker: 'in-browser worker',
  } as Record<RunnerKind, string>,
  testsRunIn: (label: string, note: string, skipped: string[]) => `Tests run in the ${label}.${note ? ` ${note}` : ''}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}`,
  skippedRunner: (label: string, reason: string) => `${label}: ${reason}`,
  noRunner: (skipped: string[]) => `No runner is available: ${skipped.join('; ')}`,

  // ------------------------------------------------------------------ the terminal (terminal.ts, shell.ts)
  terminalGreeting: 'Lab terminal: a simulated Linux host running the course\'s stack with your lab files. Try \x1b[1msim handshake\x1b[0m, then \x1b[1mss -tan\x1b[0m, \x1b[1mtcpdump\x1b[0m or \x1b[1mpcap\x1b[0m; \x1b[1mnpm test\x1b[0m runs the visible tests; \x1b[1mhelp\x1b[0m lists everything.',
  terminalError: (message: string) => `error: ${message}`,
  shellHelp: `Commands (the course's stack on a simulated host; your lab files take part in every sim):
  sim <scenario> [--sysctl name=value]... [--fault RULE]... [--seed N] [--reference]
                      run a scenario and draw it (sim --list names them)
  ss -tan | ss -ltn   sockets at the end of the last sim (-l: listening only)
  nstat               the last sim's counters (Linux names)
  sysctl NAME | -a    read a knob;  sysctl -w NAME=VALUE  set it for the next sims
  tcpdump             the last run's segments, tcpdump -n style
  pcap                download the last sim as a .pcap (opens in Wireshark)
  npm test            run the visible tests (Run, Ctrl+Enter)
  npm run submit      grade with the hidden tests (Submit, Ctrl+Shift+Enter)
  history, clear, help      ↑/↓ recall lines, Tab completes`,
  commandNotFound: (command: string) => `${command}: command not found (type help)`,
  npmOnly: (sub: string) => `npm ${sub}: here npm runs "npm test" and "npm run submit" only`,
  noSimYet: (tool: string) => `${tool}: no sim yet — try: sim handshake`,
  seedTakes: (got: string | null) => `sim: --seed takes a non-negative integer${got === null ? '' : `, got "${got}"`}`,
  sysctlTakes: (got: string | null) => `sim: --sysctl takes name=value with an integer value${got === null ? '' : `, got "${got}"`}`,
  faultNeedsRule: 'sim: --fault needs a rule, e.g. --fault "drop F from client"',
  unknownOption: (option: string) => `sim: unknown option ${option}`,
  unexpectedArgument: (arg: string) => `sim: unexpected argument "${arg}" (quote a fault rule: --fault "drop F from client")`,
  simUsage: 'usage: sim <scenario> [--sysctl name=value]... [--fault RULE]... [--seed N] [--reference]   (sim --list)',
  simReachedOtherLab: (lab: string, where: string) =>
    `sim: this run reached the ${lab} lab's code (${where}), which this page does not have: a course server that grades sends browsers no lab's reference code. sim needs the whole stack; it runs where the page runs the tests itself (npm start -- --grading off, or a static copy of the course), and npm run sim runs any scenario on a machine with the course.`,
  simError: (error: string) => `sim: ${error}`,
  simHead: (title: string, reference: boolean, knobs: string[]) => `# ${title}${reference ? ' — reference stack' : ' — with your lab files'}${knobs.length ? ` — ${knobs.join(' ')}` : ''}`,
  simTail: (packets: number) => `# ${packets} packets; ss -tan, nstat, tcpdump and pcap now show this run`,
  ssTcpOnly: 'ss: this stack has TCP sockets only: use ss -tan or ss -ltn',
  ssAtEnd: (seconds: string) => `# at the end of the run, t=${seconds} s`,
  noSuchSysctl: (name: string) => `sysctl: cannot stat /proc/sys/${name.replace(/\./g, '/')}: No such file or directory`,
  sysctlUsage: 'usage: sysctl NAME | sysctl -a | sysctl -w NAME=VALUE',
  sysctlForm: (assignment: string) => `sysctl: "${assignment}" must be of the form name=value`,
  sysctlSeveral: (name: string) => `sysctl: ${name} takes several numbers; sim runs take integer knobs only`,
  sysctlInvalid: (name: string, min: number, max: number) => `sysctl: setting key "${name}": Invalid argument (${min}…${max})`,
  firstFailingTest: (name: string) => `# first failing test: ${name}`,
  nothingRanYet: 'tcpdump: nothing ran yet — sim a scenario, or Run the tests',
  noSegments: 'tcpdump: no segments in the last run',
  noCounterMoved: '(no counter moved in the last run)',
  pcapNoSim: 'pcap: no sim yet — the pcap is of the last sim (try: sim handshake, then pcap)',
  pcapSaved: (name: string, packets: number, bytes: number) => `pcap: ${name} (${packets} packets, ${bytes} bytes, LINKTYPE_IPV4) — open it in Wireshark`,
};

export type WorkbenchStrings = typeof EN;

const SUITE_ZH: Record<Suite, string> = { visible: '可见测试（运行）', hidden: '隐藏测试（提交）' };
const HINT_LEVEL_ZH: Record<string, string> = { concept: '概念', pointer: '线索', 'near-solution': '接近答案' };
const FIELD_ZH: Record<string, string> = {
  direction: '方向', flags: '标志', seq: '序列号', ack: '确认号', length: '长度', window: '窗口', options: '选项', time: '时间', fate: '去向',
};
const STATUS_ZH: Record<string, string> = { pass: '通过', fail: '未通过', error: '出错' };

/** The reasons lab-save.ts gives for a save it cannot read. */
function saveProblemZh(problem: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^the save must be a JSON object$/, () => '存档必须是 JSON 对象'],
    [/^version must be (\d+) \(found (.*)\)$/, (m) => `version 必须是 ${m[1]}（实际是 ${m[2]}）`],
    [/^lab must be a string$/, () => 'lab 必须是字符串'],
    [/^it belongs to lab "(.*)", not "(.*)"$/, (m) => `它属于实验“${m[1]}”，不是“${m[2]}”`],
    [/^files must map paths to text$/, () => 'files 必须把路径映射到文本'],
    [/^starterHashes must map paths to text$/, () => 'starterHashes 必须把路径映射到文本'],
    [/^hintsShown must map task ids to whole numbers$/, () => 'hintsShown 必须把任务编号映射到整数'],
    [/^attempts must be \{visible, hidden\} whole numbers$/, () => 'attempts 必须是 {visible, hidden} 两个整数'],
    [/^passed must be true or false$/, () => 'passed 必须是 true 或 false'],
    [/^updatedAt must be an ISO date$/, () => 'updatedAt 必须是 ISO 日期'],
    [/^it is not JSON \((.*)\)$/, (m) => `它不是 JSON（${m[1]}）`],
  ];
  for (const [re, zh] of rules) {
    const m = re.exec(problem);
    if (m) return spaced(zh(m));
  }
  return problem;
}

/** The sentences progress.ts (the lead's module) throws at an import or a score, in Chinese where they are known. */
function progressZh(text: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^Not a course progress file: ([\s\S]*)$/, (m) => `这不是本课程的进度文件：${m[1].split('; ').map(progressZh).join('；')}`],
    [/^the file is not JSON \(([\s\S]*)\)$/, (m) => `文件不是 JSON（${m[1]}）`],
    [/^the file was not exported by this course \(no "course": "tcp-connection-course"\)$/, () => '文件不是本课程导出的（没有 "course": "tcp-connection-course"）'],
    [/^its "workbench" section \(your lab files\) is not version 1$/, () => '它的 "workbench" 部分（你的实验文件）不是版本 1'],
    [/^the saved work of lab (\S+) is damaged \(([\s\S]*)\)$/, (m) => `实验 ${m[1]} 保存的工作已损坏（${m[2].split(', ').map(saveProblemZh).join('，')}）`],
    [/^Nothing was imported: the browser refused to store it \(([\s\S]*)\)\.$/, (m) => `什么都没有导入：浏览器拒绝保存（${m[1]}）。`],
    [/^Your progress could not be saved in this browser: ([\s\S]*)$/, (m) => `你的进度无法保存在这个浏览器里：${m[1]}`],
  ];
  for (const [re, zh] of rules) {
    const m = re.exec(text);
    if (m) return spaced(zh(m));
  }
  return text;
}


const ZH: WorkbenchStrings = {
  dateTime: (date: Date): string => date.toLocaleString('zh-CN'),
  runnerText: translateHarnessText,
  recentSegmentsText: recentSegmentsZh,

  pageTitle: (title: string) => `实验：${title}`,
  kicker: (minutes: number) => `实验 · 约 ${minutes} 分钟`,
  readChapterFirst: '请先读这一章',
  notWrittenYet: '这个实验还在编写中：课程里还没有它的 lab.yaml。',
  objectivesTitle: '学完之后你能做到',
  toolbarLabel: '实验操作',
  run: '运行',
  runTitle: '运行可见测试（Ctrl/Cmd+Enter）',
  submit: '提交',
  submitTitle: '用隐藏测试评分（Ctrl/Cmd+Shift+Enter）',
  resetToStarter: '恢复初始代码',
  solution: '参考答案',
  exportEverything: '全部导出',
  exportTitle: '一个文件，包含你的进度、复习卡片和所有实验的文件',
  importFile: '导入…',
  notSubmittedYet: '尚未提交',
  loadingLab: '正在加载实验…',
  stackFiles: '协议栈文件',
  treeNote: (files: string[]) => spaced(`你要编辑的文件：${files.join('、')}。协议栈的其余部分是只读的；用“转到定义”（F12）可以打开它们。`),
  editorPane: '编辑器',
  checkingTypes: '正在检查类型…',
  loadingEditor: '正在加载编辑器…',
  editorKeysHtml: '在编辑器里按 Tab 是缩进；要用 Tab 移出编辑器，先按 <kbd>Ctrl M</kbd>（Mac 上是 <kbd>Ctrl ⇧ M</kbd>）再按 Tab。<kbd>F12</kbd> 转到定义，<kbd>Ctrl ↵</kbd> 运行，<kbd>Ctrl ⇧ ↵</kbd> 提交。',
  resultsTitle: '结果',
  resultsIdle: '运行可见测试，看看你的代码做了什么；提交则用隐藏测试评分。',
  tasksTitle: '任务',
  terminalTitle: '终端',
  terminalKeysHtml: '一台模拟的 Linux 主机，运行课程的协议栈和你的实验文件：<code>sim handshake</code>、<code>ss -tan</code>、<code>tcpdump</code>、<code>pcap</code>、<code>sysctl -w</code>、<code>npm test</code>；<code>help</code> 列出全部命令。↑/↓ 调出历史命令，Tab 补全。',
  diagramsTitle: '你的运行与参考运行对照',
  yourCode: '你的代码',
  referenceCaption: '参考实现，同一个测试、同一个种子',

  loadFailed: (reason: string) => spaced(`无法加载这个实验（${reason}）。请刷新页面；如果问题依旧，请重新构建网站。`),
  solutionOpenFile: (path: string) => `${path}：左边是你的代码，右边是参考答案；选一个文件即可返回`,
  phoneReadOnlyReason: '屏幕这么小时编辑器是只读的；请在笔记本电脑上打开实验来编辑。运行和提交仍然可用。',
  phoneNotice: '屏幕这么小时编辑器是只读的（你尝试输入时它会提示）。你仍然可以阅读协议栈、运行测试和查看提示。',
  noTypeErrors: '没有类型错误',
  typeErrors: (count: number, _files: number, first: string) => `你的文件里有 ${count} 个类型错误——第一个：${first}`,
  editorFailed: (reason: string) => `编辑器无法启动：${reason}`,
  savedWorkLoaded: (when: string) => `已从这个浏览器载入你保存的工作（上次保存于 ${when}）。`,
  starterChanged: (files: string[]) => spaced(`你开始之后，${files.join('、')} 的初始代码有了变化（课程更新）。你的工作都保留着；如果某个测试提到了新东西，可以和恢复后的初始代码对比一下。`),
  hintAnnounced: (level: number, task: number, text: string) => `任务 ${task} 的第 ${level} 条提示：${text}`,
  terminalFailed: (reason: string) => `终端无法启动：${reason}`,
  restoredResults: (when: string) => `这是你上次的结果（${when}）；再运行一次可以检查你现在的代码。`,
  choosingRunner: '正在选择在哪里运行你的测试…',
  runnerStatus: (label: string, explanation: string) => `运行器：${label}。${explanation}`,
  trustServer: '评分在课程服务器上进行：它用隐藏测试运行你的文件、记录分数，并在你通过之前不给出参考答案。',
  trustPractice: '这是练习，不是评分：这里没有负责评分的课程服务器，所以测试（包括隐藏测试）都在这个浏览器里运行，任何人都能读取或修改它们。本页的分数只供你自己参考；讲师用课程服务器评分。',
  waitingForRunner: '页面一选好运行测试的地方（见编辑器上方那一行），你的运行就会开始…',
  running: (suite: Suite) => (suite === 'hidden' ? '正在提交给隐藏测试…' : '正在运行可见测试…'),
  resetConfirm: (names: string) => spaced(`把 ${names} 恢复为初始代码吗？你的修改会被替换（在重新加载页面之前，可以在编辑器里按 Ctrl+Z 找回）。`),
  resetDone: (names: string) => spaced(`${names} 已恢复为初始代码。`),
  exportedEverything: '已全部导出：进度、复习卡片，以及你做过的每个实验的文件。',
  imported: (name: string, report: string) => `已导入 ${name}。${report}`,
  notImported: (name: string, reason: string) => `${name} 没有导入，任何数据都没有改动：${reason}`,
  importReport: (report: ImportReport): string => describeImport(report, 'zh-cn'),
  progressText: progressZh,
  askJoinToken: '这个工作坊服务器需要讲师展示的加入口令（六个单词）：',
  askLearnerName: (problem: NameProblem | null): string =>
    `${problem === 'empty' ? '加入需要一个名字。' : problem === 'too-long' ? `名字最多 ${NAME_MAX} 个字符。` : problem === 'control' ? '名字里不能有控制字符。' : ''}请输入你在本次工作坊中的名字——讲师的看板会在你的每次运行和提交旁显示它（点“取消”则不加入，照样可以运行，不做任何记录）：`,
  joinedWorkshop: (name: string) => `你已用“${name}”加入工作坊：从现在起，讲师的看板会显示你的运行和提交。`,

  stackFileReadOnly: '在这个实验里，这个协议栈文件是只读的。',
  fileReadOnly: (path: string, editable: string[]) => `在这个实验里 ${path} 是只读的；你要编辑的是 ${editable.join('、')}。`,
  editorLabel: (path: string, editable: boolean) => `编辑器：${path}${editable ? '' : '（只读）'}`,
  diffLabel: (path: string) => `${path}：你的文件与参考答案对照`,

  score: (points: number, max: number) => `得分 ${points}/${max}`,
  serverWithheldSolution: (reason: string) => `课程服务器没有给出参考答案：${translateHarnessText(reason)}。`,
  solutionNotLoaded: (reason: string) => `无法加载参考答案：${reason}`,
  saveUnreadable: (problems: string[], keptAs: string | null) =>
    `你在这个实验上保存的工作无法读取（${problems.map(saveProblemZh).join('；')}）。${keptAs ? `它已原样保存在这个浏览器的键“${keptAs}”下。` : '浏览器拒绝保存副本（存储空间满了？）；在下次保存之前，它仍留在原来的键下。'}`,
  saveRefused: (reason: string) => `你的工作无法保存在这个浏览器里：${reason}`,
  saveMalformed: (problems: string[]) => `拒绝保存格式不对的实验记录：${problems.map(saveProblemZh).join('；')}`,
  revealAlways: '这个实验随时都可以查看参考答案。',
  revealPassed: '你通过了全部隐藏测试，可以打开参考答案对照了。',
  revealAfterPass: '提交通过全部隐藏测试后，才能查看参考答案。',
  revealAttemptsDone: (submitted: number) => `你已经提交了 ${submitted} 次，参考答案已开放。`,
  revealAttemptsLeft: (attempts: number, left: number) => `提交 ${attempts} 次后才能查看参考答案（还差 ${left} 次）。`,
  revealInstructorMode: '讲师模式：显示参考答案。',
  revealByInstructor: '这个实验的参考答案由讲师在课上公布。',
  revealOpenToAll: '讲师已向所有人公开参考答案。',

  dismiss: '关闭',
  yours: '你的',
  readOnly: '只读',
  notRunYet: '尚未运行',
  passesSuite: (suite: Suite) => `通过了${SUITE_ZH[suite]}`,
  suitePasses: (passed: number, total: number, suite: Suite) => `${SUITE_ZH[suite]}通过 ${passed}/${total}`,
  taskLine: (id: number, title: string, points: number) => `${id}. ${title}（${points} 分）`,
  goToCode: '转到代码',
  goToCodeOf: (id: number) => `转到代码：任务 ${id}`,
  hintButton: (level: number, total: number, kind: string) => `提示 ${level}/${total}（${HINT_LEVEL_ZH[kind] ?? kind}）`,
  hintLevel: (level: string) => HINT_LEVEL_ZH[level] ?? level,
  hintPrefix: (level: string) => `${HINT_LEVEL_ZH[level] ?? level}：`,
  markLabel: (text: string) => `（${text}）`,
  regionUnreadable: (task: number, detail: string) => `无法读取任务 ${task} 的区域标记（${translateHarnessText(detail)}）。“恢复初始代码”可以把它们找回来。`,
  regionMissing: (task: number, lab: string) => `你的文件里已经没有任务 ${task} 的“// #region lab ${lab}/${task}”标记了；“恢复初始代码”可以把它找回来。`,

  suiteName: (suite: Suite) => (suite === 'hidden' ? '提交（隐藏测试）' : '运行（可见测试）'),
  summaryError: (suite: string, message: string) => `${suite}：出错——${message}`,
  runDidNotFinish: '这次运行没有完成',
  summary: (suite: string, passed: number, total: number, score: { points: number; max: number } | null) => `${suite}：${total} 个测试中通过 ${passed} 个${score ? ` · 得分 ${score.points}/${score.max}` : ''}`,
  status: (status: string) => STATUS_ZH[status] ?? status,
  expected: '期望',
  actual: '实际',
  failedStep: (n: number, text: string) => `失败的第 ${n} 步：${text}`,
  stepsThatRan: (seed: number) => `运行过的步骤（种子 ${seed}）：`,
  recentSegments: '最近的报文段',
  taskHeading: (id: number, title: string) => `任务 ${id}：${title}`,
  taskN: (id: number) => `任务 ${id}`,
  taskPoints: (points: number, max: number) => ` · ${points}/${max} 分`,
  terminalTestLine: (taskId: number, name: string) => `任务 ${taskId} · ${name}`,
  terminalFirstFailure: (name: string) => `第一个失败的测试：${name}（详情见“结果”；\`tcpdump\` 列出它的报文段）。`,

  yourRunOf: (test: string) => `你的运行：“${test}”`,
  referenceRunOf: (test: string) => `参考运行：“${test}”`,
  noLearnerSegments: '你的运行没有在两台主机之间发送任何报文段。',
  referenceUnavailable: '这里拿不到这个测试的参考运行。',
  sameSegments: '你的运行和参考运行发送的报文段完全相同（每个字段、每个时间都一样）；区别在某个状态或计时检查上（见步骤）。',
  segmentName: (position: number, from: string, to: string, flags: string, at: string) => `第 ${position} 个报文段（${from}→${to} ${flags}，${at}）`,
  segmentField: (field: string) => FIELD_ZH[field] ?? field,
  differsIn: (segment: string, field: string, mine: string, theirs: string, also: string[]) =>
    `第一处不同：${segment}的${field}：你的运行是 ${mine}，参考运行是 ${theirs}${also.length > 0 ? `（${also.join('、')}也不同）` : ''}。`,
  extraSegment: (segment: string, referenceCount: number) => `第一处不同：你的运行发送了${segment}，参考运行从不发送它（参考运行一共发送 ${referenceCount} 个报文段）。`,
  missingSegment: (sent: number, segment: string) => `第一处不同：${sent === 0 ? '你的运行没有在两台主机之间发送任何报文段' : `你的运行发送 ${sent} 个报文段后就停了`}；参考运行接着发送了${segment}。`,

  trying: {
    server: '正在寻找课程服务器…',
    webcontainer: '正在启动 WebContainer（在这个标签页里运行的真正 Node，来自 StackBlitz）：最多 20 秒。如果启动不了，就改用浏览器内的 worker。',
    worker: '正在启动浏览器内的 worker…',
  },
  runnerLabels: {
    server: '本地课程服务器',
    webcontainer: 'WebContainer',
    worker: '浏览器内的 worker',
  },
  testsRunIn: (label: string, note: string, skipped: string[]) => spaced(`测试在${label}里运行。${note}${skipped.length > 0 ? `（${skipped.join('；')}）` : ''}`),
  skippedRunner: (label: string, reason: string) => `${label}：${reason}`,
  noRunner: (skipped: string[]) => `没有可用的运行器：${skipped.join('；')}`,

  terminalGreeting: '实验终端：一台模拟的 Linux 主机，运行课程的协议栈和你的实验文件。试试 \x1b[1msim handshake\x1b[0m，然后是 \x1b[1mss -tan\x1b[0m、\x1b[1mtcpdump\x1b[0m 或 \x1b[1mpcap\x1b[0m；\x1b[1mnpm test\x1b[0m 运行可见测试；\x1b[1mhelp\x1b[0m 列出全部命令。',
  terminalError: (message: string) => `错误：${message}`,
  shellHelp: `命令（课程的协议栈运行在模拟主机上；每次 sim 都会用到你的实验文件）：
  sim <scenario> [--sysctl name=value]... [--fault RULE]... [--seed N] [--reference]
                      运行一个场景并画出来（sim --list 列出所有场景）
  ss -tan | ss -ltn   上一次 sim 结束时的套接字（-l：只看监听套接字）
  nstat               上一次 sim 的计数器（Linux 的名字）
  sysctl NAME | -a    读取一个参数；  sysctl -w NAME=VALUE  为之后的 sim 设置它
  tcpdump             上一次运行的报文段，tcpdump -n 格式
  pcap                把上一次 sim 下载为 .pcap 文件（可用 Wireshark 打开）
  npm test            运行可见测试（运行，Ctrl+Enter）
  npm run submit      用隐藏测试评分（提交，Ctrl+Shift+Enter）
  history, clear, help      ↑/↓ 调出历史命令，Tab 补全`,
  commandNotFound: (command: string) => `${command}：未找到命令（输入 help 查看可用命令）`,
  npmOnly: (sub: string) => `npm ${sub}：这里的 npm 只能运行“npm test”和“npm run submit”`,
  noSimYet: (tool: string) => `${tool}：还没有运行过 sim——试试：sim handshake`,
  seedTakes: (got: string | null) => `sim：--seed 需要一个非负整数${got === null ? '' : `，收到的是“${got}”`}`,
  sysctlTakes: (got: string | null) => `sim：--sysctl 需要 name=value 的形式，value 为整数${got === null ? '' : `，收到的是“${got}”`}`,
  faultNeedsRule: 'sim：--fault 需要一条规则，例如 --fault "drop F from client"',
  unknownOption: (option: string) => `sim：未知选项 ${option}`,
  unexpectedArgument: (arg: string) => `sim：多余的参数“${arg}”（故障规则要加引号：--fault "drop F from client"）`,
  simUsage: '用法：sim <scenario> [--sysctl name=value]... [--fault RULE]... [--seed N] [--reference]   （sim --list）',
  simReachedOtherLab: (lab: string, where: string) =>
    `sim：这次运行用到了 ${lab} 实验的代码（${where}），而这个页面没有这部分代码：负责评分的课程服务器不会把任何实验的参考代码发给浏览器。sim 需要完整的协议栈；它只能在页面自己运行测试的地方使用（npm start -- --grading off，或课程的静态副本），在装有课程的机器上，npm run sim 可以运行任何场景。`,
  simError: (error: string) => `sim：${translateHarnessText(error)}`,
  simHead: (title: string, reference: boolean, knobs: string[]) => `# ${title}${reference ? ' — 参考协议栈' : ' — 使用你的实验文件'}${knobs.length ? ` — ${knobs.join(' ')}` : ''}`,
  simTail: (packets: number) => `# ${packets} 个数据包；现在 ss -tan、nstat、tcpdump 和 pcap 显示的都是这次运行`,
  ssTcpOnly: 'ss：这个协议栈只有 TCP 套接字：请用 ss -tan 或 ss -ltn',
  ssAtEnd: (seconds: string) => `# 运行结束时，t=${seconds} s`,
  noSuchSysctl: (name: string) => `sysctl：无法获取 /proc/sys/${name.replace(/\./g, '/')} 的文件状态：没有那个文件或目录`,
  sysctlUsage: '用法：sysctl NAME | sysctl -a | sysctl -w NAME=VALUE',
  sysctlForm: (assignment: string) => `sysctl：“${assignment}”必须写成 name=value 的形式`,
  sysctlSeveral: (name: string) => `sysctl：${name} 需要多个数值；sim 只接受整数参数`,
  sysctlInvalid: (name: string, min: number, max: number) => `sysctl：设置键“${name}”：无效的参数（${min}…${max}）`,
  firstFailingTest: (name: string) => `# 第一个失败的测试：${name}`,
  nothingRanYet: 'tcpdump：还什么都没有运行——先 sim 一个场景，或者运行测试',
  noSegments: 'tcpdump：上一次运行里没有报文段',
  noCounterMoved: '（上一次运行里没有计数器变化）',
  pcapNoSim: 'pcap：还没有运行过 sim——pcap 保存的是上一次 sim（试试：sim handshake，然后 pcap）',
  pcapSaved: (name: string, packets: number, bytes: number) => `pcap：${name}（${packets} 个数据包，${bytes} 字节，LINKTYPE_IPV4）——用 Wireshark 打开它`,
};

const DICTIONARIES: Record<Locale, WorkbenchStrings> = { en: EN, 'zh-cn': ZH };

export function workbenchStrings(locale: Locale): WorkbenchStrings {
  return DICTIONARIES[locale];
}

/** The English words: what every module uses when no edition is named (the tests, the CLI). */
export const WORKBENCH_EN: WorkbenchStrings = EN;
