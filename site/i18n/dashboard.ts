/**
 * The instructor's workshop dashboard in both editions (site/server/workshop/dashboard.ts renders
 * it on the course server; `/workshop/?lang=zh-cn` is the Chinese page). The Chinese dictionary has
 * the English one's type, so a string added in English and not in Chinese fails the type check.
 * Chinese follows content/terminology.yaml. The CSV export is data and keeps its English column
 * names in both editions, so a script reads either.
 */
import type { Locale } from './locale.ts';

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

const EN = {
  /** <html lang> of the page. */
  htmlLang: 'en',
  status: { pass: '✓ pass', fail: '✗ fail', error: '⚠ error', none: '—' } as Record<'pass' | 'fail' | 'error' | 'none', string>,
  /** After a cell that comes from a Run, not a Submit. */
  fromRun: '(run)',
  caption: (learners: number, at: string) =>
    `Learners × tasks (latest Submit; “(run)” when they have only run the visible tests) — ${learners} ${plural(learners, 'learner', 'learners')}, updated ${at}`,
  colLearner: 'Learner',
  colPoints: 'Points',
  colRuns: 'Runs/Submits',
  colTime: 'Time',
  colStuck: 'Stuck',
  timeSpent: (minutes: number, last: string) => `${minutes} min, last ${last}`,
  nobodyYet: 'No one has joined yet.',
  failuresHeading: 'Most common first failure, per task',
  failureTask: (lab: string, task: number) => `${lab} task ${task}`,
  /** Between a task and its most common first failure: how many learners share it. */
  failureWho: (n: number) => ` — ${n} ${plural(n, 'learner', 'learners')}: `,
  noFailures: 'No failing submits yet.',
  stuckSame: (lab: string, submits: number, test: string) => `${lab}: the same first failure over ${submits} submits — ${test}`,
  stuckIdle: (minutes: number, lab: string | null) => `no progress for ${minutes} min${lab ? ` (${lab})` : ''}`,
  /** The matrix's Stuck column: short; the list above the matrix says why. */
  stuckShortSame: (submits: number) => `same failure ×${submits}`,
  stuckShortIdle: (minutes: number) => `idle ${minutes} min`,
  stuckHeading: 'Stuck now',
  /** Between a name and why they are stuck. */
  dash: ' — ',
  nobodyStuck: 'Nobody is stuck.',

  title: 'Workshop dashboard',
  keyTitle: 'Workshop dashboard — instructor key',
  /** HTML: the key form's explanation. */
  keyIntro: 'Type the <strong>instructor key</strong> the course server printed when it started (not the learners\' join token).',
  keyLabel: 'Instructor key',
  keyOpen: 'Open the dashboard',
  keyWrong: 'That is not the instructor key. The course server printed it at start ("instructor key: …").',
  connecting: 'Connecting for live updates…',
  /** Said by the page's script: the number of learners and the browser's local time. */
  live: (learners: number, at: string) => `Live: ${learners} ${plural(learners, 'learner', 'learners')}, updated ${at}`,
  reconnecting: 'Reconnecting to the course server…',
  lostConnection: 'Lost the live updates: reload this page (after a restart of the course server it asks for the new instructor key).',
  exportCsv: 'Export the matrix (CSV)',
  solutionsOpen: 'Solutions are open to everyone.',
  openSolutions: 'Open the solutions now',
  openSolutionsConfirm: "Open every lab's solution to everyone now?",
  otherEdition: '简体中文',
};

export type DashboardStrings = typeof EN;

const ZH: DashboardStrings = {
  htmlLang: 'zh-Hans',
  status: { pass: '✓ 通过', fail: '✗ 未通过', error: '⚠ 出错', none: '—' },
  fromRun: '（运行）',
  caption: (learners: number, at: string) => `学员 × 任务（取最近一次提交；只运行过可见测试的标注“（运行）”）——共 ${learners} 名学员，更新于 ${at}`,
  colLearner: '学员',
  colPoints: '得分',
  colRuns: '运行/提交',
  colTime: '用时',
  colStuck: '卡住',
  timeSpent: (minutes: number, last: string) => `${minutes} 分钟，最近一次 ${last}`,
  nobodyYet: '还没有人加入。',
  failuresHeading: '每个任务最常见的首个失败',
  failureTask: (lab: string, task: number) => `${lab} 任务 ${task}`,
  failureWho: (n: number) => `——${n} 名学员：`,
  noFailures: '还没有未通过的提交。',
  stuckSame: (lab: string, submits: number, test: string) => `${lab}：连续 ${submits} 次提交都首先失败在同一个测试——${test}`,
  stuckIdle: (minutes: number, lab: string | null) => `已有 ${minutes} 分钟没有进展${lab ? `（${lab}）` : ''}`,
  stuckShortSame: (submits: number) => `同一失败 ×${submits}`,
  stuckShortIdle: (minutes: number) => `${minutes} 分钟无进展`,
  stuckHeading: '现在卡住的学员',
  dash: '——',
  nobodyStuck: '没有人卡住。',

  title: '工作坊看板',
  keyTitle: '工作坊看板——讲师密钥',
  keyIntro: '请输入课程服务器启动时打印的<strong>讲师密钥</strong>（不是学员用的加入口令）。',
  keyLabel: '讲师密钥',
  keyOpen: '打开看板',
  keyWrong: '这不是讲师密钥。课程服务器启动时打印过它（“instructor key: …”）。',
  connecting: '正在连接，以便实时更新…',
  live: (learners: number, at: string) => `实时：共 ${learners} 名学员，更新于 ${at}`,
  reconnecting: '正在重新连接课程服务器…',
  lostConnection: '实时更新已中断：请重新加载本页（课程服务器重启后，本页会要求输入新的讲师密钥）。',
  exportCsv: '导出矩阵（CSV）',
  solutionsOpen: '参考答案已向所有人公开。',
  openSolutions: '立即公开参考答案',
  openSolutionsConfirm: '现在就向所有人公开每个实验的参考答案吗？',
  otherEdition: 'English',
};

export const DASHBOARD_EN: DashboardStrings = EN;

export function dashboardStrings(locale: Locale): DashboardStrings {
  return locale === 'zh-cn' ? ZH : EN;
}
