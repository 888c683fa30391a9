// The fixed shape of the course: chapter and lab slugs are part of the URLs learners bookmark and of
// the progress saves, so they live in one place that both the schemas and the pages import.

// In reading order. The queues come before the SYN flood, which builds on them; the two guides
// without a lab ('how-this-course-works', 'operating') are marked `guide: true` in their frontmatter.
export const CHAPTER_SLUGS = ['introduction', 'how-this-course-works', 'handshake', 'teardown', 'queues', 'syn-flood', 'keepalive', 'operating'] as const;
export type ChapterSlug = (typeof CHAPTER_SLUGS)[number];

/**
 * Short names for the header's course map, where full titles do not fit on a phone: keys of the
 * site's dictionary (site/i18n/ui.ts), so each edition has its own.
 */
export const CHAPTER_NAV_KEYS = {
  introduction: 'navIntroduction',
  'how-this-course-works': 'navHowItWorks',
  handshake: 'navHandshake',
  teardown: 'navTeardown',
  queues: 'navQueues',
  'syn-flood': 'navSynFlood',
  keepalive: 'navKeepalive',
  operating: 'navOperating',
} as const satisfies Record<ChapterSlug, string>;

export const LAB_SLUGS = ['handshake', 'teardown', 'syn-flood', 'queues', 'keepalive'] as const;
export type LabSlug = (typeof LAB_SLUGS)[number];

/**
 * @deprecated Build-time pages should read `labCatalog()` from lab-catalog.ts (lab.yaml is the one
 * source). Kept, equal to lab.yaml (site/tests/lab-catalog.test.ts checks it), until the labs and
 * instructor pages switch; `task` is the short line of the chapters' lab call-outs.
 */
export interface LabInfo {
  slug: LabSlug;
  title: string;
  /** What the learner implements, in one line. */
  task: string;
  /** Equal to lab.yaml's minutes. */
  minutes: number;
}

export const LABS: readonly LabInfo[] = [
  { slug: 'handshake', title: 'The three-way handshake', task: 'Open connections: SYN_SENT and SYN_RCVD, the SYN and SYN-ACK retransmissions.', minutes: 90 },
  { slug: 'teardown', title: 'The four-way teardown', task: 'Close them: FIN_WAIT_1/2, CLOSE_WAIT, LAST_ACK, CLOSING and TIME_WAIT.', minutes: 75 },
  { slug: 'syn-flood', title: 'SYN cookies', task: 'Encode and check SYN cookies so a listener survives a spoofed flood.', minutes: 60 },
  { slug: 'queues', title: 'The SYN queue and the accept queue', task: 'Admit, hold and drop connections by the backlog + 1 rule.', minutes: 60 },
  { slug: 'keepalive', title: 'Keepalive and dead peers', task: 'Probe an idle peer and give up after the configured probes.', minutes: 45 },
];

/** @deprecated see LABS. */
export function labInfo(slug: string): LabInfo | undefined {
  return LABS.find((lab) => lab.slug === slug);
}
