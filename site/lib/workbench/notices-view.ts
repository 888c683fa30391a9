/** The notices above the editor: a message, an optional action button, and a close button. */
import { WORKBENCH_EN, type WorkbenchStrings } from '../../i18n/workbench.ts';

export type NoticeKind = 'info' | 'warn' | 'error';
export type Notify = (text: string, kind?: NoticeKind, action?: { label: string; run: () => void }) => HTMLElement;

export function createNotices(container: HTMLElement, t: WorkbenchStrings = WORKBENCH_EN): Notify {
  return (text, kind = 'info', action) => {
    const item = document.createElement('div');
    item.className = `wb-notice wb-notice--${kind}`;
    item.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const p = document.createElement('p');
    p.textContent = text;
    item.append(p);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button';
      button.textContent = action.label;
      button.addEventListener('click', action.run);
      item.append(button);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'wb-notice__close';
    close.setAttribute('aria-label', t.dismiss);
    close.textContent = '×';
    close.addEventListener('click', () => item.remove());
    item.append(close);
    container.append(item);
    return item;
  };
}
