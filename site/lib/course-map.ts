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
