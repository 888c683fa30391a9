import { describe, expect, it } from 'vitest';
import { Rating, fsrs } from 'ts-fsrs';
import { newCard, progressProblems, emptyProgress, type InterviewProgress } from '../lib/progress.ts';
import { describeInterval, dueQuestions, toStoredCard } from '../lib/review-session.ts';

const now = new Date('2026-11-21T09:00:00.000Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

function item(due: Date): InterviewProgress {
  return { addedAt: now.toISOString(), card: { ...newCard(now), due: due.toISOString() } };
}

describe('review session', () => {
  it('lists due questions, most overdue first, and skips those not yet due', () => {
    const items = { later: item(minutes(5)), overdue: item(minutes(-60)), justDue: item(now), older: item(minutes(-600)) };
    expect(dueQuestions(items, now)).toEqual(['older', 'overdue', 'justDue']);
  });

  it('describes intervals for the rating buttons', () => {
    expect(describeInterval(now, minutes(0.2))).toBe('now');
    expect(describeInterval(now, minutes(10))).toBe('in 10 min');
    expect(describeInterval(now, minutes(180))).toBe('in 3 h');
    expect(describeInterval(now, minutes(60 * 24))).toBe('in 1 day');
    expect(describeInterval(now, minutes(60 * 24 * 12))).toBe('in 12 days');
    expect(describeInterval(now, minutes(60 * 24 * 120))).toBe('in 4 months');
  });

  it('stores ts-fsrs cards in the progress format and reads them back into the scheduler', () => {
    const scheduler = fsrs({ enable_fuzz: false });
    const first = scheduler.next(newCard(now), now, Rating.Good).card;
    const stored = toStoredCard(first);
    const progress = emptyProgress();
    progress.interview.q = { addedAt: now.toISOString(), card: stored };
    expect(progressProblems(progress)).toEqual([]);
    expect(stored.reps).toBe(1);
    expect(Date.parse(stored.due)).toBeGreaterThan(now.getTime());

    // A second review from the stored JSON must give the same result as from the live card.
    const later = new Date(Date.parse(stored.due) + 60_000);
    const fromStored = scheduler.next(stored, later, Rating.Easy).card;
    const fromLive = scheduler.next(first, later, Rating.Easy).card;
    expect(toStoredCard(fromStored)).toEqual(toStoredCard(fromLive));
    // Easy pushes the card further out than Again does.
    const again = scheduler.next(stored, later, Rating.Again).card;
    expect(fromStored.due.getTime()).toBeGreaterThan(again.due.getTime());
  });
});
