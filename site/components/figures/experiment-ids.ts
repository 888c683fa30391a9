/** A counter instead of random ids keeps builds reproducible; uniqueness is only needed per page. */
let counter = 0;

export function nextExperimentId(): number {
  counter += 1;
  return counter;
}
