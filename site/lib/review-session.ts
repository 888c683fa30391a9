// The parts of a review session that do not need the scheduler: which questions are due, and how
// to say when one comes back.
import type { Card } from 'ts-fsrs';
import type { InterviewProgress, StoredCard } from './progress.ts';

/** ts-fsrs's Card (with Date objects) as the JSON progress.ts stores. */
export function toStoredCard(card: Card): StoredCard {
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    elapsed_days: card.elapsed_days,
    scheduled_days: card.scheduled_days,
    learning_steps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state as StoredCard['state'],
    ...(card.last_review ? { last_review: card.last_review.toISOString() } : {}),
  };
}

/** Questions due at `now`, the most overdue first. */
export function dueQuestions(items: Record<string, InterviewProgress>, now: Date): string[] {
  return Object.entries(items)
    .filter(([, item]) => Date.parse(item.card.due) <= now.getTime())
    .sort(([, a], [, b]) => Date.parse(a.card.due) - Date.parse(b.card.due))
    .map(([id]) => id);
}

/** "in 10 min", "in 3 h", "in 4 days": short enough for a rating button. */
export function describeInterval(now: Date, due: Date, locale: 'en' | 'zh-cn' = 'en'): string {
  const zh = locale === 'zh-cn';
  const minutes = Math.max(0, Math.round((due.getTime() - now.getTime()) / 60_000));
  if (minutes < 1) return zh ? '现在' : 'now';
  if (minutes < 60) return zh ? `${minutes} 分钟后` : `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return zh ? `${hours} 小时后` : `in ${hours} h`;
  const days = Math.round(hours / 24);
  if (days < 60) return zh ? `${days} 天后` : `in ${days} day${days === 1 ? '' : 's'}`;
  const months = Math.round(days / 30);
  return zh ? `${months} 个月后` : `in ${months} months`;
}
