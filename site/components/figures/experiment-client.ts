/**
 * The Experiment island's first-load script: wires the form and nothing else. The stack and the
 * renderers come in with a dynamic import() on the first Run, so chapter pages stay light.
 */
import { describeKnobs, judgeRun, type ExperimentConfig, type KnobChoice } from '../../lib/figures/experiment.ts';
import { pcapFileName } from '../../lib/figures/experiment-pcap-name.ts';
import { watchScrollBoxes } from '../../lib/figures/scroll-focus.ts';
import { documentLocale } from '../../i18n/locale.ts';
import { figureStrings } from '../../i18n/figures.ts';

function readChoices(root: HTMLElement, config: ExperimentConfig): KnobChoice[] {
  return config.knobs.map((knob, i) => {
    const input = root.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-knob-index="${i}"]`);
    if (!input) throw new Error(`knob ${i + 1} has no control`);
    if ('fault' in knob) return (input as HTMLInputElement).checked;
    return Number(input.value);
  });
}

function wire(root: HTMLElement): void {
  const form = root.querySelector('form');
  const status = root.querySelector<HTMLElement>('.exp-status');
  const figure = root.querySelector<HTMLElement>('.exp-figure');
  const explanation = root.querySelector<HTMLElement>('.exp-explanation');
  const button = root.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (!form || !status || !figure || !button) return;
  const config = JSON.parse(root.dataset.config ?? '{}') as ExperimentConfig;
  // The page's edition: the figure, the verdict and these messages are worded in its language.
  const locale = documentLocale(document);
  const t = figureStrings(locale).experiment;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.removeAttribute('data-verdict');
    status.textContent = t.running;
    try {
      const choices = readChoices(root, config);
      const { runExperiment, experimentPcapFile } = await import('./experiment-run.ts');
      // Let the status paint before the (synchronous) simulation takes the main thread.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const result = runExperiment(config, choices, locale);
      figure.innerHTML = result.html;
      // The file name stays ASCII on both editions, so it is built from the English description.
      const described = describeKnobs(config, choices);
      const source = document.createElement('p');
      source.className = 'exp-source';
      source.textContent = t.source(config.scenario, choices.length ? describeKnobs(config, choices, locale) : null);
      const pcap = document.createElement('button');
      pcap.type = 'button';
      pcap.className = 'exp-pcap';
      pcap.textContent = t.download;
      pcap.addEventListener('click', () => {
        const bytes = experimentPcapFile(config, choices);
        const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/vnd.tcpdump.pcap' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = pcapFileName(config.scenario, described);
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      });
      source.append(pcap);
      figure.append(source);
      watchScrollBoxes(figure);
      const picked = form.querySelector<HTMLInputElement>('input[type="radio"]:checked');
      const verdict = judgeRun(config, choices, picked ? Number(picked.value) : null, result.facts, locale);
      if (verdict.matched !== null) status.dataset.verdict = verdict.matched ? 'match' : 'miss';
      else if (!verdict.premiseMet) status.dataset.verdict = 'other-run';
      status.textContent = verdict.message;
      // The explanation is about the run the question asks for; shown beside another run it
      // would describe events that are not in the figure.
      if (explanation) explanation.hidden = !verdict.premiseMet;
    } catch (err) {
      status.textContent = t.failed(err instanceof Error ? err.message : String(err));
    } finally {
      button.disabled = false;
    }
  });
}

for (const root of document.querySelectorAll<HTMLElement>('[data-experiment]')) {
  if (root.dataset.wired) continue;
  root.dataset.wired = 'true';
  wire(root);
}
